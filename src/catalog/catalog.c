#define _GNU_SOURCE /* strptime, timegm */
#include "catalog/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage.h"
#include "util/err.h"

void
catalog_id(time_t t, char out[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y%m%dT%H%M%SZ", &tm);
}

void
catalog_iso(time_t t, char out[32])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
catalog_parse_iso(const char *s, time_t *t)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    if ((end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL || *end != '\0')
        return -1;
    *t = timegm(&tm);
    return 0;
}

void
catalog_key(char *out, size_t outsz, const char *job, const char *id, const char *name)
{
    snprintf(out, outsz, "%s/%s/%s", job, id, name);
}

struct keys {
    char **v;
    size_t n;
};

static int
collect(void *arg, const char *key, uint64_t size, struct err *e)
{
    struct keys *k = arg;
    const char *s1 = strchr(key, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
    char **p;

    (void)size;
    /* exactly JOB/ID/manifest.json */
    if (s2 == NULL || strcmp(s2 + 1, CATALOG_MANIFEST) != 0)
        return 0;
    if ((p = realloc(k->v, (k->n + 1) * sizeof(*p))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->v = p;
    if ((p[k->n] = strdup(key)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->n++;
    return 0;
}

static int
newest_first(const void *a, const void *b)
{
    const struct catalog_entry *x = a, *y = b;
    int c = strcmp(y->m.id, x->m.id);

    return c != 0 ? c : strcmp(x->m.job, y->m.job);
}

int
catalog_load(struct storage *st, const char *job, struct catalog *cat, struct err *e)
{
    struct keys k = {NULL, 0};
    char prefix[160] = "";
    size_t i;
    int rc = -1;

    memset(cat, 0, sizeof(*cat));
    if (job != NULL)
        snprintf(prefix, sizeof(prefix), "%s/", job);
    if (storage_list(st, prefix, collect, &k, e) == -1)
        goto out;
    if (k.n > 0 && (cat->entries = calloc(k.n, sizeof(*cat->entries))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < k.n; i++) {
        struct catalog_entry *ce = &cat->entries[cat->n];
        struct err e2;
        size_t len;
        unsigned char *text;
        size_t jl = (size_t)(strchr(k.v[i], '/') - k.v[i]);

        err_init(&e2);
        text = storage_get_buf(st, k.v[i], MANIFEST_MAX, &len, &e2);
        if (text == NULL && e2.code == ERR_NOTFOUND)
            continue; /* pruned while we listed */
        if (text == NULL) {
            *e = e2;
            goto out;
        }
        if (manifest_parse(&ce->m, (const char *)text, len, &e2) == -1) {
            fprintf(stderr, "safedump: warning: '%s/%s': %s\n", storage_url(st), k.v[i], e2.msg);
            cat->n_bad++;
        } else if (strncmp(ce->m.job, k.v[i], jl) != 0 || ce->m.job[jl] != '\0' ||
                   strncmp(ce->m.id, k.v[i] + jl + 1, strlen(ce->m.id)) != 0) {
            fprintf(stderr, "safedump: warning: '%s/%s': manifest names another backup ('%s@%s')\n", storage_url(st),
                    k.v[i], ce->m.job, ce->m.id);
            manifest_release(&ce->m);
            cat->n_bad++;
        } else {
            cat->n++;
        }
        free(text);
    }
    if (cat->n > 1) /* qsort(NULL, 0, ...) is undefined: a job without backups has no entries */
        qsort(cat->entries, cat->n, sizeof(*cat->entries), newest_first);
    rc = 0;
out:
    for (i = 0; i < k.n; i++)
        free(k.v[i]);
    free(k.v);
    if (rc == -1)
        catalog_release(cat);
    return rc;
}

void
catalog_release(struct catalog *cat)
{
    size_t i;

    for (i = 0; i < cat->n; i++)
        manifest_release(&cat->entries[i].m);
    free(cat->entries);
    memset(cat, 0, sizeof(*cat));
}

int
catalog_select(const struct catalog *cat, const char *spec, const struct catalog_entry **out, size_t max, struct err *e)
{
    const char *at = strchr(spec, '@');
    const char *which = at ? at + 1 : "latest";
    size_t jl = at ? (size_t)(at - spec) : strlen(spec);
    size_t i, n = 0, any = 0;

    for (i = 0; i < cat->n; i++) {
        const struct catalog_entry *ce = &cat->entries[i];
        if (strlen(ce->m.job) != jl || strncmp(ce->m.job, spec, jl) != 0)
            continue;
        any++;
        if (strcmp(which, "all") == 0 || strcmp(which, "latest") == 0 || strcmp(which, ce->m.id) == 0) {
            if (n < max)
                out[n++] = ce;
            if (strcmp(which, "all") != 0)
                break; /* entries are newest first */
        }
    }
    if (any == 0) {
        err_set(e, ERR_NOTFOUND, "no backups of job '%.*s'", (int)jl, spec);
        return err_hint(e, "'safedump list' shows the jobs and backups in the repository");
    }
    if (n == 0) {
        err_set(e, ERR_NOTFOUND, "job '%.*s' has no backup '%s'", (int)jl, spec, which);
        return err_hint(e, "'safedump list %.*s' shows its backups", (int)jl, spec);
    }
    return (int)n;
}

const char *
catalog_contents_name(const char *encryption)
{
    return strcmp(encryption, "pgp") == 0 ? CATALOG_CONTENTS_PGP : CATALOG_CONTENTS;
}
