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

/**
 * storage_open(url, create, e): open the repository at ${url} (a directory path or file://PATH).
 * With ${create}, a missing local directory is made (0700). NULL on failure.
 */
struct storage *storage_open(const char *url, int create, struct err *e);

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
