#include "catalog/manifest.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

int
manifest_job_valid(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > 100 || name[0] == '.' || name[0] == '-')
        return 0;
    return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

/* cJSON numbers are doubles: exact up to 2^53 bytes (8 PiB), enough for sizes and counts. */
static int
add_u64(cJSON *o, const char *k, uint64_t v)
{
    return cJSON_AddNumberToObject(o, k, (double)v) != NULL;
}

static char *
finish_json(cJSON *o, int ok, struct err *e)
{
    char *s = ok ? cJSON_Print(o) : NULL;

    cJSON_Delete(o);
    if (s == NULL)
        err_set(e, ERR_NOMEM, "out of memory");
    return s;
}

char *
manifest_to_json(const struct manifest *m, struct err *e)
{
    cJSON *o = cJSON_CreateObject(), *r;
    int ok = o != NULL;
    size_t i;

    ok = ok && cJSON_AddStringToObject(o, "format", MANIFEST_FORMAT);
    ok = ok && cJSON_AddNumberToObject(o, "version", MANIFEST_VERSION);
    ok = ok && cJSON_AddStringToObject(o, "tool_version", m->tool_version);
    ok = ok && cJSON_AddStringToObject(o, "job", m->job);
    ok = ok && cJSON_AddStringToObject(o, "id", m->id);
    ok = ok && cJSON_AddStringToObject(o, "source_kind", m->source_kind);
    ok = ok && cJSON_AddStringToObject(o, "server_version", m->server_version);
    ok = ok && cJSON_AddStringToObject(o, "dump_format", m->dump_format);
    ok = ok && cJSON_AddStringToObject(o, "started", m->started);
    ok = ok && cJSON_AddStringToObject(o, "finished", m->finished);
    ok = ok && add_u64(o, "raw_bytes", m->raw_bytes);
    ok = ok && add_u64(o, "compressed_bytes", m->compressed_bytes);
    ok = ok && add_u64(o, "stored_bytes", m->stored_bytes);
    ok = ok && cJSON_AddStringToObject(o, "stored_sha256", m->stored_sha256);
    ok = ok && cJSON_AddStringToObject(o, "data", m->data_name);
    ok = ok && cJSON_AddStringToObject(o, "compression", m->compression);
    ok = ok && cJSON_AddStringToObject(o, "encryption", m->encryption);
    ok = ok && (r = cJSON_AddArrayToObject(o, "recipients")) != NULL;
    for (i = 0; ok && i < m->n_recipients; i++)
        ok = cJSON_AddItemToArray(r, cJSON_CreateString(m->recipients[i]));
    return finish_json(o, ok, e);
}

/* Copy string member ${k} into ${dst}; it must exist, be a string and fit. */
static int
get_str(const cJSON *o, const char *k, char *dst, size_t dstsz, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    if (!cJSON_IsString(v))
        return err_set(e, ERR_FORMAT, "field '%s' missing or not a string", k);
    if (strlen(v->valuestring) >= dstsz)
        return err_set(e, ERR_FORMAT, "field '%s' too long", k);
    strcpy(dst, v->valuestring);
    return 0;
}

static int
get_u64(const cJSON *o, const char *k, uint64_t *dst, struct err *e)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return err_set(e, ERR_FORMAT, "field '%s' missing or not a non-negative integer", k);
    *dst = (uint64_t)v->valuedouble;
    return 0;
}

static cJSON *
parse_tagged(const char *text, size_t len, const char *format, int *version, struct err *e)
{
    cJSON *o;
    const cJSON *f, *v;

    if (len > MANIFEST_MAX) {
        err_set(e, ERR_FORMAT, "larger than %d bytes", MANIFEST_MAX);
        return NULL;
    }
    if ((o = cJSON_ParseWithLength(text, len)) == NULL || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        err_set(e, ERR_FORMAT, "not a JSON object");
        return NULL;
    }
    f = cJSON_GetObjectItemCaseSensitive(o, "format");
    v = cJSON_GetObjectItemCaseSensitive(o, "version");
    if (!cJSON_IsString(f) || strcmp(f->valuestring, format) != 0) {
        cJSON_Delete(o);
        err_set(e, ERR_FORMAT, "not a %s", format);
        return NULL;
    }
    if (!cJSON_IsNumber(v) || v->valueint != MANIFEST_VERSION) {
        int found = cJSON_IsNumber(v) ? v->valueint : -1;
        cJSON_Delete(o);
        err_set(e, ERR_FORMAT, "%s version %d is not supported", format, found);
        err_hint(e, "a newer safedump wrote it; upgrade safedump");
        return NULL;
    }
    *version = v->valueint;
    return o;
}

int
manifest_parse(struct manifest *m, const char *text, size_t len, struct err *e)
{
    cJSON *o;
    const cJSON *r, *it;
    int rc = -1;

    memset(m, 0, sizeof(*m));
    if ((o = parse_tagged(text, len, MANIFEST_FORMAT, &m->version, e)) == NULL)
        return -1;
    if (get_str(o, "tool_version", m->tool_version, sizeof(m->tool_version), e) == -1 ||
        get_str(o, "job", m->job, sizeof(m->job), e) == -1 || get_str(o, "id", m->id, sizeof(m->id), e) == -1 ||
        get_str(o, "source_kind", m->source_kind, sizeof(m->source_kind), e) == -1 ||
        get_str(o, "server_version", m->server_version, sizeof(m->server_version), e) == -1 ||
        get_str(o, "dump_format", m->dump_format, sizeof(m->dump_format), e) == -1 ||
        get_str(o, "started", m->started, sizeof(m->started), e) == -1 ||
        get_str(o, "finished", m->finished, sizeof(m->finished), e) == -1 ||
        get_u64(o, "raw_bytes", &m->raw_bytes, e) == -1 ||
        get_u64(o, "compressed_bytes", &m->compressed_bytes, e) == -1 ||
        get_u64(o, "stored_bytes", &m->stored_bytes, e) == -1 ||
        get_str(o, "stored_sha256", m->stored_sha256, sizeof(m->stored_sha256), e) == -1 ||
        get_str(o, "data", m->data_name, sizeof(m->data_name), e) == -1 ||
        get_str(o, "compression", m->compression, sizeof(m->compression), e) == -1 ||
        get_str(o, "encryption", m->encryption, sizeof(m->encryption), e) == -1)
        goto out;
    if (!manifest_job_valid(m->job) || strlen(m->stored_sha256) != 64 ||
        strspn(m->stored_sha256, "0123456789abcdef") != 64 || strchr(m->data_name, '/') != NULL ||
        m->data_name[0] == '.' || m->data_name[0] == '\0') {
        err_set(e, ERR_FORMAT, "invalid job, hash or data name");
        goto out;
    }
    r = cJSON_GetObjectItemCaseSensitive(o, "recipients");
    if (!cJSON_IsArray(r)) {
        err_set(e, ERR_FORMAT, "field 'recipients' missing or not an array");
        goto out;
    }
    cJSON_ArrayForEach(it, r)
    {
        if (!cJSON_IsString(it)) {
            err_set(e, ERR_FORMAT, "field 'recipients' holds a non-string");
            goto out;
        }
        if (manifest_add_recipient(m, it->valuestring, e) == -1)
            goto out;
    }
    rc = 0;
out:
    cJSON_Delete(o);
    if (rc == -1)
        manifest_release(m);
    return rc;
}

int
manifest_add_recipient(struct manifest *m, const char *r, struct err *e)
{
    char **p = realloc(m->recipients, (m->n_recipients + 1) * sizeof(*p));

    if (p == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    m->recipients = p;
    if ((p[m->n_recipients] = strdup(r)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    m->n_recipients++;
    return 0;
}

void
manifest_release(struct manifest *m)
{
    size_t i;

    for (i = 0; i < m->n_recipients; i++)
        free(m->recipients[i]);
    free(m->recipients);
    m->recipients = NULL;
    m->n_recipients = 0;
}

char *
contents_to_json(const struct contents *c, struct err *e)
{
    cJSON *o = cJSON_CreateObject(), *t, *row;
    int ok = o != NULL;
    size_t i;

    ok = ok && cJSON_AddStringToObject(o, "format", CONTENTS_FORMAT);
    ok = ok && cJSON_AddNumberToObject(o, "version", MANIFEST_VERSION);
    ok = ok && cJSON_AddStringToObject(o, "plain_sha256", c->plain_sha256);
    ok = ok && add_u64(o, "raw_bytes", c->raw_bytes);
    ok = ok && (t = cJSON_AddArrayToObject(o, "tables")) != NULL;
    for (i = 0; ok && i < c->n_tables; i++) {
        ok = (row = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(t, row);
        ok = ok && cJSON_AddStringToObject(row, "schema", c->tables[i].schema);
        ok = ok && cJSON_AddStringToObject(row, "name", c->tables[i].name);
        ok = ok && add_u64(row, "rows", c->tables[i].rows);
    }
    return finish_json(o, ok, e);
}

int
contents_add_table(struct contents *c, const char *schema, const char *name, uint64_t rows, struct err *e)
{
    struct contents_table *t = realloc(c->tables, (c->n_tables + 1) * sizeof(*t));

    if (t == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    c->tables = t;
    t += c->n_tables;
    t->schema = strdup(schema);
    t->name = strdup(name);
    t->rows = rows;
    if (t->schema == NULL || t->name == NULL) {
        free(t->schema);
        free(t->name);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    c->n_tables++;
    return 0;
}

int
contents_parse(struct contents *c, const char *text, size_t len, struct err *e)
{
    cJSON *o;
    const cJSON *t, *it;
    int rc = -1;

    memset(c, 0, sizeof(*c));
    if ((o = parse_tagged(text, len, CONTENTS_FORMAT, &c->version, e)) == NULL)
        return -1;
    if (get_str(o, "plain_sha256", c->plain_sha256, sizeof(c->plain_sha256), e) == -1 ||
        get_u64(o, "raw_bytes", &c->raw_bytes, e) == -1)
        goto out;
    t = cJSON_GetObjectItemCaseSensitive(o, "tables");
    if (!cJSON_IsArray(t)) {
        err_set(e, ERR_FORMAT, "field 'tables' missing or not an array");
        goto out;
    }
    cJSON_ArrayForEach(it, t)
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "schema");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
        uint64_t rows;
        if (!cJSON_IsString(s) || !cJSON_IsString(n) || get_u64(it, "rows", &rows, e) == -1) {
            err_set(e, ERR_FORMAT, "malformed table entry");
            goto out;
        }
        if (contents_add_table(c, s->valuestring, n->valuestring, rows, e) == -1)
            goto out;
    }
    rc = 0;
out:
    cJSON_Delete(o);
    if (rc == -1)
        contents_release(c);
    return rc;
}

void
contents_release(struct contents *c)
{
    size_t i;

    for (i = 0; i < c->n_tables; i++) {
        free(c->tables[i].schema);
        free(c->tables[i].name);
    }
    free(c->tables);
    c->tables = NULL;
    c->n_tables = 0;
}
