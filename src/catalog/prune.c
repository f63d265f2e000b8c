#define _GNU_SOURCE /* strptime, timegm */
#include "catalog/prune.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/retention.h"
#include "storage/storage.h"
#include "util/err.h"

/* One backup directory JOB/ID/ as the listing shows it. */
struct dir {
    char id[32];
    char **keys;
    size_t n;
    uint64_t bytes;
    int committed; /* has manifest.json */
};

struct dirs {
    struct dir *v;
    size_t n;
    size_t joblen;
    int unknown; /* objects that are not JOB/ID/NAME */
};

static int
collect(void *arg, const char *key, uint64_t size, struct err *e)
{
    struct dirs *d = arg;
    const char *id = key + d->joblen + 1, *slash = strchr(id, '/');
    struct dir *x = NULL;
    char **k;
    size_t i, idlen;

    if (slash == NULL || strchr(slash + 1, '/') != NULL || (idlen = (size_t)(slash - id)) >= sizeof(x->id)) {
        d->unknown++;
        return 0;
    }
    for (i = 0; i < d->n; i++)
        if (strlen(d->v[i].id) == idlen && strncmp(d->v[i].id, id, idlen) == 0)
            x = &d->v[i];
    if (x == NULL) {
        struct dir *v = realloc(d->v, (d->n + 1) * sizeof(*v));
        if (v == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        d->v = v;
        x = &v[d->n++];
        memset(x, 0, sizeof(*x));
        memcpy(x->id, id, idlen);
    }
    if ((k = realloc(x->keys, (x->n + 1) * sizeof(*k))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    x->keys = k;
    if ((k[x->n] = strdup(key)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    x->n++;
    x->bytes += size;
    if (strcmp(slash + 1, CATALOG_MANIFEST) == 0)
        x->committed = 1;
    return 0;
}

static void
dirs_release(struct dirs *d)
{
    size_t i, k;

    for (i = 0; i < d->n; i++) {
        for (k = 0; k < d->v[i].n; k++)
            free(d->v[i].keys[k]);
        free(d->v[i].keys);
    }
    free(d->v);
}

static int
parse_id(const char *id, time_t *t)
{
    struct tm tm;
    const char *end;

    memset(&tm, 0, sizeof(tm));
    if ((end = strptime(id, "%Y%m%dT%H%M%SZ", &tm)) == NULL || *end != '\0')
        return -1;
    *t = timegm(&tm);
    return 0;
}

/* Remove a backup directory's objects, the manifest first. */
static int
remove_dir(struct storage *st, const struct dir *x, struct err *e)
{
    size_t k;
    int pass;

    for (pass = 0; pass < 2; pass++)
        for (k = 0; k < x->n; k++) {
            const char *name = strrchr(x->keys[k], '/') + 1;
            if ((strcmp(name, CATALOG_MANIFEST) == 0) != (pass == 0))
                continue;
            if (storage_remove(st, x->keys[k], e) == -1)
                return -1;
        }
    return 0;
}

static const char *
human(uint64_t n, char buf[32])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;

    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

int
prune_job(struct storage *st, const char *job, const struct prune_opts *o, FILE *out, struct prune_report *r,
          struct err *e)
{
    struct dirs d;
    struct catalog cat;
    struct retention_item *items = NULL;
    char prefix[160], sz[32];
    size_t i, k;
    int rc = -1;

    memset(r, 0, sizeof(*r));
    memset(&d, 0, sizeof(d));
    memset(&cat, 0, sizeof(cat));
    if (!retention_active(o->policy)) {
        err_set(e, ERR_CONFIG, "prune '%s': no retention policy", job);
        return err_hint(e, "set keep_last, keep_daily, keep_weekly, keep_monthly, keep_yearly or keep_within");
    }
    d.joblen = strlen(job);
    snprintf(prefix, sizeof(prefix), "%s/", job);
    if (storage_list(st, prefix, collect, &d, e) == -1 || catalog_load(st, job, &cat, e) == -1) {
        err_wrap(e, "prune '%s': listing failed, nothing deleted", job);
        goto out;
    }
    if (cat.n_bad > 0) {
        err_set(e, ERR_VERIFY, "prune '%s': %zu manifests cannot be read, nothing deleted", job, cat.n_bad);
        err_hint(e, "'safedump verify %s@all' and the warnings above name them", job);
        goto out;
    }
    if (cat.n > 0 && (items = calloc(cat.n, sizeof(*items))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < cat.n; i++) {
        if (parse_id(cat.entries[i].m.id, &items[i].time) == -1) {
            err_set(e, ERR_VERIFY, "prune '%s': backup id '%s' is not a time, nothing deleted", job,
                    cat.entries[i].m.id);
            goto out;
        }
        items[i].size = cat.entries[i].m.stored_bytes;
    }
    if (retention_apply(o->policy, items, cat.n, o->now, e) == -1)
        goto out;
    fprintf(out, "prune '%s'%s:\n", job, o->dry_run ? " (dry run: nothing is deleted)" : "");
    for (i = 0; i < cat.n; i++) {
        const struct manifest *m = &cat.entries[i].m;
        uint64_t bytes = m->stored_bytes;
        for (k = 0; k < d.n; k++)
            if (strcmp(d.v[k].id, m->id) == 0)
                bytes = d.v[k].bytes;
        fprintf(out, "  %-6s  %s@%s  %10s  %s\n", items[i].keep ? "keep" : "delete", job, m->id, human(bytes, sz),
                items[i].reasons);
        if (items[i].keep) {
            r->kept++;
            continue;
        }
        for (k = 0; k < d.n && strcmp(d.v[k].id, m->id) != 0; k++)
            ;
        if (k < d.n && !o->dry_run && remove_dir(st, &d.v[k], e) == -1) {
            err_wrap(e, "prune '%s': deleting '%s'", job, m->id);
            goto out;
        }
        r->deleted++;
        r->freed += bytes;
    }
    /* debris: directories without a committed manifest */
    for (k = 0; k < d.n; k++) {
        time_t t;
        if (d.v[k].committed)
            continue;
        if (parse_id(d.v[k].id, &t) == -1) {
            fprintf(out, "  %-6s  %s/%s/  %10s  not a backup directory: left alone\n", "skip", job, d.v[k].id,
                    human(d.v[k].bytes, sz));
            continue;
        }
        if (o->now - t < o->debris_grace) {
            fprintf(out, "  %-6s  %s/%s/  %10s  no manifest yet (a run in progress?): younger than debris_grace\n",
                    "skip", job, d.v[k].id, human(d.v[k].bytes, sz));
            continue;
        }
        fprintf(out, "  %-6s  %s/%s/  %10s  %zu objects without a manifest (an unfinished run)\n", "debris", job,
                d.v[k].id, human(d.v[k].bytes, sz), d.v[k].n);
        if (!o->dry_run && remove_dir(st, &d.v[k], e) == -1) {
            err_wrap(e, "prune '%s': removing debris '%s'", job, d.v[k].id);
            goto out;
        }
        r->debris++;
        r->freed += d.v[k].bytes;
    }
    if (d.unknown > 0)
        fprintf(out, "  %d objects outside JOB/ID/NAME left alone\n", d.unknown);
    rc = 0;
out:
    free(items);
    catalog_release(&cat);
    dirs_release(&d);
    return rc;
}
