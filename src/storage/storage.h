/*
 * Storage: where backups live. Keys are relative, '/'-separated paths ("job/id/manifest.json"), the
 * same on every driver, so a repository can be copied between drivers.
 *
 * Contract:
 * - put() returns a sink stage. Its finish commits the object atomically under its final key, and
 *   refuses to replace an existing object (ERR_EXISTS). Freeing the sink unfinished aborts: nothing
 *   half-written ever appears under the final key.
 * - get() pushes the whole object into ${dst} and does not finish it (the caller decides).
 * - list() calls fn for every object under a prefix, in no particular order, including debris of
 *   unfinished writes (their keys end in ".partial"). A listing that fails returns -1, never a short list.
 * - Retries, if any, live in the driver.
 */
#ifndef SAFEDUMP_STORAGE_STORAGE_H
#define SAFEDUMP_STORAGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct stage;
struct storage;

/** storage_list_fn: called once per object; returning -1 stops the listing with that error. */
typedef int storage_list_fn(void *arg, const char *key, uint64_t size, struct err *e);

/*
 * Options of the remote drivers, filled by cmd/ from the configuration. Zero/NULL means the driver's
 * default; the strings must outlive the storage.
 */
struct storage_opts {
    const char *s3_endpoint;   /* "https://s3.gra.io.cloud.ovh.net"; NULL: AWS_ENDPOINT_URL or AWS */
    const char *s3_region;     /* NULL: AWS_REGION, AWS_DEFAULT_REGION, then us-east-1 */
    int s3_path_style;         /* 0 automatic (path-style for a custom endpoint), 1 path-style, 2 virtual-hosted */
    const char *s3_profile;    /* shared credentials profile; NULL: AWS_PROFILE or "default" */
    const char *s3_ca_file;    /* extra CA bundle for a private CA */
    const char *s3_sse;        /* "AES256", "aws:kms", or NULL */
    const char *s3_kms_key_id; /* with aws:kms */
    const char *s3_sse_customer_key_file; /* SSE-C: a file holding the 32-byte key */
    const char *s3_storage_class;         /* "STANDARD_IA", ... */
    const char *s3_object_lock;           /* "governance" or "compliance" */
    long s3_object_lock_retain;           /* seconds from now; with s3_object_lock */
    int s3_upload_concurrency;            /* parts in flight; 0: 4 */
    size_t s3_part_size;                  /* first part size in bytes; 0: 8 MiB */
    int s3_retries;                       /* retries per request after the first attempt; 0: 8 */
    long s3_retry_base_ms;                /* first backoff delay; 0: 200 ms (doubles, with jitter, up to 20 s) */
};

/**
 * storage_open(url, create, e): open the repository at ${url} (a directory path, file://PATH or
 * s3://BUCKET/PREFIX) with default options. With ${create}, a missing local directory is made (0700).
 * NULL on failure.
 */
struct storage *storage_open(const char *url, int create, struct err *e);

/** storage_open_opts(url, create, opts, e): storage_open with driver options (${opts} may be NULL). */
struct storage *storage_open_opts(const char *url, int create, const struct storage_opts *opts, struct err *e);

/** storage_url(st): the repository's URL as the user gave it, for messages. */
const char *storage_url(const struct storage *st);

/** storage_put(st, key, sink, e): start writing ${key}; *${sink} gets a stage (see contract). */
int storage_put(struct storage *st, const char *key, struct stage **sink, struct err *e);

/** storage_get(st, key, dst, e): push object ${key} into ${dst}. ERR_NOTFOUND if it does not exist. */
int storage_get(struct storage *st, const char *key, struct stage *dst, struct err *e);

/** storage_list(st, prefix, fn, arg, e): list the objects whose keys start with ${prefix} ("" for all). */
int storage_list(struct storage *st, const char *prefix, storage_list_fn *fn, void *arg, struct err *e);

/** storage_remove(st, key, e): remove ${key}; a missing object is not an error. */
int storage_remove(struct storage *st, const char *key, struct err *e);

/** storage_put_buf(st, key, buf, len, e): put a small object from memory (put, write, finish). */
int storage_put_buf(struct storage *st, const char *key, const void *buf, size_t len, struct err *e);

/**
 * storage_get_buf(st, key, max, len, e): read a small object of at most ${max} bytes into a new
 * NUL-terminated buffer (caller frees); *${len} gets its length. NULL on failure.
 */
unsigned char *storage_get_buf(struct storage *st, const char *key, size_t max, size_t *len, struct err *e);

/** storage_free(st): NULL does nothing. */
void storage_free(struct storage *st);

#endif
