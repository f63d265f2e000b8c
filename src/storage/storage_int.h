/*
 * The driver interface behind storage.h; only drivers and storage.c include this. A driver fills a
 * static struct storage_ops and embeds struct storage first in its own state. Required: put, get,
 * list, remove, free. Messages name the object by its full URL, e.g. "'/var/backups/x/job/id/data'".
 */
#ifndef SAFEDUMP_STORAGE_STORAGE_INT_H
#define SAFEDUMP_STORAGE_STORAGE_INT_H

#include "storage/storage.h"

#define STORAGE_F_RENAME 0x1u   /* commits by rename */
#define STORAGE_F_VERSIONS 0x2u /* keeps old versions */

struct storage_ops {
    const char *scheme;
    int (*put)(struct storage *st, const char *key, struct stage **sink, struct err *e);
    int (*get)(struct storage *st, const char *key, struct stage *dst, struct err *e);
    int (*list)(struct storage *st, const char *prefix, storage_list_fn *fn, void *arg, struct err *e);
    int (*remove)(struct storage *st, const char *key, struct err *e);
    void (*free)(struct storage *st);
    unsigned features;
};

struct storage {
    const struct storage_ops *ops;
    char *url;
};

/** storage_local_new(path, create, e): the local directory driver (storage/local.c). */
struct storage *storage_local_new(const char *path, int create, struct err *e);

/**
 * storage_s3_new(url, opts, e): the S3 driver (storage/s3.c) for "s3://BUCKET[/PREFIX]"; ${opts} may be
 * NULL and must outlive the storage. NULL on failure (bad URL, no credentials).
 */
struct storage *storage_s3_new(const char *url, const struct storage_opts *opts, struct err *e);

#endif
