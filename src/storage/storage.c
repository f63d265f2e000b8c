#include "storage/storage.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "stage/stage.h"
#include "storage/storage_int.h"
#include "util/err.h"

/* A key is relative, '/'-separated, without empty, "." or ".." segments. */
static int
key_valid(const char *key)
{
    const char *p = key;

    if (*key == '\0' || *key == '/')
        return 0;
    while (*p != '\0') {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        p += n;
        if (*p == '/')
            p++;
        else
            break;
    }
    return p[-1] != '/';
}

struct storage *
storage_open(const char *url, int create, struct err *e)
{
    return storage_open_opts(url, create, NULL, e);
}

struct storage *
storage_open_opts(const char *url, int create, const struct storage_opts *opts, struct err *e)
{
    if (strncmp(url, "s3://", 5) == 0)
        return storage_s3_new(url, opts, e);
    if (strncmp(url, "file://", 7) == 0)
        return storage_local_new(url + 7, create, e);
    if (strstr(url, "://") != NULL) {
        err_set(e, ERR_CONFIG, "repository '%s': unsupported scheme", url);
        err_hint(e, "use a local directory path, file://PATH or s3://BUCKET/PREFIX");
        return NULL;
    }
    return storage_local_new(url, create, e);
}

const char *
storage_url(const struct storage *st)
{
    return st->url;
}

int
storage_put(struct storage *st, const char *key, struct stage **sink, struct err *e)
{
    assert(key_valid(key));
    *sink = NULL;
    return st->ops->put(st, key, sink, e);
}

int
storage_get(struct storage *st, const char *key, struct stage *dst, struct err *e)
{
    if (!key_valid(key))
        return err_set(e, ERR_NOTFOUND, "invalid object key '%s'", key);
    return st->ops->get(st, key, dst, e);
}

int
storage_list(struct storage *st, const char *prefix, storage_list_fn *fn, void *arg, struct err *e)
{
    return st->ops->list(st, prefix, fn, arg, e);
}

int
storage_remove(struct storage *st, const char *key, struct err *e)
{
    assert(key_valid(key));
    return st->ops->remove(st, key, e);
}

int
storage_put_buf(struct storage *st, const char *key, const void *buf, size_t len, struct err *e)
{
    struct stage *sink;
    int rc;

    if (storage_put(st, key, &sink, e) == -1)
        return -1;
    rc = stage_write(sink, buf, len, e) == 0 && stage_finish(sink, e) == 0 ? 0 : -1;
    stage_free(sink);
    return rc;
}

unsigned char *
storage_get_buf(struct storage *st, const char *key, size_t max, size_t *len, struct err *e)
{
    struct stage *b = stage_buf_new(max, e);
    const unsigned char *data;
    unsigned char *out = NULL;

    if (b == NULL)
        return NULL;
    if (storage_get(st, key, b, e) == -1) {
        if (strstr(e->msg, "more than") != NULL)
            err_set(e, ERR_FORMAT, "'%s/%s' is larger than %zu bytes", st->url, key, max);
        goto out;
    }
    data = stage_buf_data(b, len);
    if ((out = malloc(*len + 1)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (*len > 0)
        memcpy(out, data, *len);
    out[*len] = '\0';
out:
    stage_free(b);
    return out;
}

void
storage_free(struct storage *st)
{
    if (st != NULL)
        st->ops->free(st);
}
