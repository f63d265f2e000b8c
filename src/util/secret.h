/*
 * Secret buffers: key material lives only here. The memory is locked against swapping where the
 * system allows and wiped on free. Never copy a secret into an arena, a log or an error message.
 */
#ifndef SAFEDUMP_UTIL_SECRET_H
#define SAFEDUMP_UTIL_SECRET_H

#include <stddef.h>

struct err;

struct secret {
    unsigned char *data;
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated, all wiped on free */
};

/** secret_new(len, e): a zeroed secret of ${len} bytes (len may be 0). NULL on failure. */
struct secret *secret_new(size_t len, struct err *e);

/** secret_free(s): wipe and free ${s}. NULL does nothing. */
void secret_free(struct secret *s);

/** secret_wipe(p, len): overwrite ${len} bytes at ${p} with zeros in a way the compiler keeps. */
void secret_wipe(void *p, size_t len);

/**
 * secret_read_file(path, max, e): read a whole file of at most ${max} bytes into a secret.
 * Refuses a file that others can read (a hint says to chmod 600). NULL on failure.
 */
struct secret *secret_read_file(const char *path, size_t max, struct err *e);

#endif
