#include "catalog/read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "format/age.h"
#include "format/pgp.h"
#include "source/pg.h"
#include "source/pgcount.h"
#include "stage/hash.h"
#include "stage/stage.h"
#include "stage/zstd.h"
#include "storage/storage.h"
#include "util/child.h"
#include "util/err.h"

/* A pass-through stage that fails in finish when the byte count differs from the manifest's. */
struct size_check {
    struct stage base;
    uint64_t seen, expect;
};

static int
size_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct size_check *c = (struct size_check *)s;

    c->seen += len;
    if (c->seen > c->expect)
        return err_set(e, ERR_VERIFY, "stored object size mismatch: more than the %llu bytes recorded",
                       (unsigned long long)c->expect);
    return stage_emit(s, buf, len, e);
}

static int
size_finish(struct stage *s, struct err *e)
{
    struct size_check *c = (struct size_check *)s;

    if (c->seen != c->expect)
        return err_set(e, ERR_VERIFY, "stored object size mismatch: %llu bytes stored, %llu recorded (truncated)",
                       (unsigned long long)c->seen, (unsigned long long)c->expect);
    return 0;
}

static void
size_free(struct stage *s)
{
    stage_free(s->next);
    free(s);
}

static const struct stage_ops size_ops = {"size-check", size_write, size_finish, size_free};

static struct stage *
size_check_new(uint64_t expect, struct stage *next, struct err *e)
{
    struct size_check *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->base.ops = &size_ops;
    c->base.next = next;
    c->expect = expect;
    return &c->base;
}

/* storage → size check → hash check → ${next}; the checks run first in finish. */
static struct stage *
checked(const struct manifest *m, struct stage *next, struct err *e)
{
    struct stage *h = stage_hash_new(next, e);

    if (h == NULL)
        return NULL;
    stage_hash_expect(h, m->stored_sha256, "stored object");
    return size_check_new(m->stored_bytes, h, e);
}

/* Pull the object into ${head} and finish it; free the chain either way. */
static int
pump(struct storage *st, const struct manifest *m, struct stage *head, struct err *e)
{
    char key[300];
    int rc;

    catalog_key(key, sizeof(key), m->job, m->id, m->data_name);
    rc = storage_get(st, key, head, e) == 0 && stage_finish(head, e) == 0 ? 0 : -1;
    stage_free(head);
    if (rc == -1 && (e->code == ERR_NOTFOUND || e->code == ERR_STORAGE) && strstr(e->msg, key) == NULL)
        err_wrap(e, "'%s/%s'", storage_url(st), key);
    return rc;
}

/* The decryption stage the manifest's encryption calls for. */
static struct stage *
decrypt_new(const struct manifest *m, const struct read_keys *k, struct stage *next, struct err *e)
{
    if (strcmp(m->encryption, "pgp") == 0)
        return pgp_decrypt_new(k->pgp_homedir, next, e);
    return age_decrypt_new(k->ids, k->n, next, e);
}

static int
supported(const struct manifest *m, struct err *e)
{
    if ((strcmp(m->encryption, "age") != 0 && strcmp(m->encryption, "pgp") != 0) ||
        strncmp(m->compression, "zstd", 4) != 0) {
        err_set(e, ERR_FORMAT, "unsupported encryption '%s' or compression '%s'", m->encryption, m->compression);
        return err_hint(e, "a newer safedump wrote it; upgrade safedump");
    }
    return 0;
}

int
read_data(struct storage *st, const struct manifest *m, const struct read_keys *k, struct stage *dst, struct err *e)
{
    struct stage *s = dst;

    if (supported(m, e) == -1) {
        stage_free(dst);
        return -1;
    }
    if ((s = stage_zstd_decompress_new(s, e)) == NULL || (s = decrypt_new(m, k, s, e)) == NULL ||
        (s = checked(m, s, e)) == NULL)
        return -1;
    return pump(st, m, s, e);
}

int
read_integrity(struct storage *st, const struct manifest *m, struct err *e)
{
    struct stage *s, *scan = NULL;
    struct age_header_info info;
    char key[300];
    int rc, is_age = strcmp(m->encryption, "age") == 0;

    if (supported(m, e) == -1)
        return -1;
    /* OpenPGP: size and hash only; the packets are gpg's to parse, and gpg needs no key for that but
       would want a keyring. */
    if ((s = stage_null_new(e)) == NULL || (is_age && (s = scan = age_scan_new(s, e)) == NULL) ||
        (s = checked(m, s, e)) == NULL)
        return -1;
    catalog_key(key, sizeof(key), m->job, m->id, m->data_name);
    rc = storage_get(st, key, s, e) == 0 && stage_finish(s, e) == 0 ? 0 : -1;
    /* every recipient type (X25519, ssh-ed25519, ssh-rsa) writes one stanza */
    if (rc == 0 && is_age && age_scan_info(scan, &info) == 0 && info.stanzas != m->n_recipients)
        rc = err_set(e, ERR_VERIFY, "age header has %zu recipient stanzas, the manifest lists %zu recipients",
                     info.stanzas, m->n_recipients);
    stage_free(s);
    if (rc == -1 && e->code == ERR_NOTFOUND)
        err_set(e, ERR_VERIFY, "data object '%s' is missing", key);
    return rc;
}

int
read_contents(struct storage *st, const struct manifest *m, const struct read_keys *k, struct contents *c,
              struct err *e)
{
    struct stage *buf, *s;
    const unsigned char *text;
    char key[300];
    size_t len;
    int rc = -1;

    if (supported(m, e) == -1)
        return -1;
    catalog_key(key, sizeof(key), m->job, m->id, catalog_contents_name(m->encryption));
    if ((buf = stage_buf_new(64 * 1024 * 1024, e)) == NULL)
        return -1;
    if ((s = stage_borrow_new(buf, e)) == NULL || (s = decrypt_new(m, k, s, e)) == NULL) {
        stage_free(buf);
        return -1;
    }
    if (storage_get(st, key, s, e) == -1 || stage_finish(s, e) == -1) {
        err_wrap(e, "'%s/%s'", storage_url(st), key);
        goto out;
    }
    text = stage_buf_data(buf, &len);
    if (contents_parse(c, (const char *)text, len, e) == -1) {
        err_wrap(e, "'%s/%s'", storage_url(st), key);
        goto out;
    }
    rc = 0;
out:
    stage_free(s);
    stage_free(buf);
    return rc;
}

/* Compare the recounted tables with the recorded ones; the first difference is the reason. */
static int
compare_rows(const struct contents *c, const struct pg_table_count *t, size_t nt, uint64_t *rows, struct err *e)
{
    size_t i, k;

    for (i = 0; i < c->n_tables; i++) {
        const struct contents_table *r = &c->tables[i];
        for (k = 0; k < nt; k++)
            if (strcmp(t[k].schema, r->schema) == 0 && strcmp(t[k].name, r->name) == 0)
                break;
        if (k == nt)
            return err_set(e, ERR_VERIFY, "table %s.%s: recorded but missing from the dump", r->schema, r->name);
        if (t[k].rows != r->rows)
            return err_set(e, ERR_VERIFY, "table %s.%s: %llu rows in the dump, %llu recorded", r->schema, r->name,
                           (unsigned long long)t[k].rows, (unsigned long long)r->rows);
    }
    if (nt != c->n_tables)
        return err_set(e, ERR_VERIFY, "%zu tables in the dump, %zu recorded", nt, c->n_tables);
    for (k = 0; k < nt; k++)
        *rows += t[k].rows;
    return 0;
}

int
read_content_check(struct storage *st, const struct manifest *m, const struct read_keys *k, uint64_t *rows,
                   struct err *e)
{
    struct contents c;
    struct stage *head = NULL, *s, *counter, *plain_hash, *raw_count;
    struct child *reader = NULL;
    const struct pg_table_count *t;
    enum pg_dump_format fmt = strcmp(m->dump_format, "plain") == 0 ? PG_FORMAT_PLAIN : PG_FORMAT_CUSTOM;
    size_t nt;
    int rc = -1;

    *rows = 0;
    if (read_contents(st, m, k, &c, e) == -1)
        return -1;
    /* custom format: pg_restore reads every entry too (a listing alone accepts a truncated dump) */
    if (fmt == PG_FORMAT_CUSTOM && (reader = pg_restore_check_begin(e)) == NULL)
        goto out;
    if ((s = reader ? stage_fd_new(child_stdin(reader), e) : stage_null_new(e)) == NULL ||
        (s = counter = pgcount_new(fmt, s, e)) == NULL || (s = plain_hash = stage_hash_new(s, e)) == NULL ||
        (s = raw_count = stage_count_new(s, e)) == NULL)
        goto out;
    head = s;
    stage_hash_expect(plain_hash, c.plain_sha256, "plaintext");
    if ((s = stage_borrow_new(head, e)) == NULL)
        goto out;
    if (read_data(st, m, k, s, e) == -1) {
        struct err ce;
        err_init(&ce);
        /* pg_restore gave up first (the write failed): its reason is the cause */
        if (reader != NULL && e->code == ERR_IO && child_wait_for(reader, 5000, &ce) == -1)
            err_set(e, ERR_VERIFY, "pg_restore cannot read the dump: %s", ce.msg);
        goto out;
    }
    if (stage_count_bytes(raw_count) != c.raw_bytes) {
        err_set(e, ERR_VERIFY, "plaintext size %llu, %llu recorded", (unsigned long long)stage_count_bytes(raw_count),
                (unsigned long long)c.raw_bytes);
        goto out;
    }
    t = pgcount_tables(counter, &nt);
    if (compare_rows(&c, t, nt, rows, e) == -1)
        goto out;
    if (reader != NULL && child_wait(reader, e) == -1) {
        err_wrap(e, "pg_restore cannot read the dump");
        e->code = ERR_VERIFY;
        goto out;
    }
    rc = 0;
out:
    stage_free(head);
    child_free(reader);
    contents_release(&c);
    return rc;
}
