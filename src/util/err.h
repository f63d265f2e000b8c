/*
 * Errors: every function that can fail returns 0 or -1 (NULL for constructors) and fills one
 * struct err where the problem is detected. Callers add context on the way up with err_wrap(), and
 * main() prints the message once, with the hint on a second line, and maps the code to an exit status.
 */
#ifndef SAFEDUMP_UTIL_ERR_H
#define SAFEDUMP_UTIL_ERR_H

#include <stddef.h>

/* One list; each code has one exit status (err_exit_status). Keep in step with the table in err.c. */
enum err_code {
    ERR_OK = 0,
    ERR_USAGE,    /* bad command line                          -> 2 */
    ERR_CONFIG,   /* bad configuration file or value           -> 2 */
    ERR_IO,       /* local file or pipe I/O                    -> 1 */
    ERR_NOMEM,    /* allocation failed                         -> 1 */
    ERR_CRYPTO,   /* libcrypto failure                         -> 1 */
    ERR_FORMAT,   /* malformed input: age, zstd, manifest      -> 1 */
    ERR_KEY,      /* wrong or unusable key                     -> 1 */
    ERR_SOURCE,   /* dump tool failed                          -> 1 */
    ERR_STORAGE,  /* repository unreachable or refused         -> 1 */
    ERR_NOTFOUND, /* no such job, backup or object             -> 1 */
    ERR_EXISTS,   /* refusing to overwrite                     -> 1 */
    ERR_TARGET,   /* restore target failed                     -> 1 */
    ERR_PARTIAL,  /* some jobs failed, others succeeded        -> 3 */
    ERR_VERIFY,   /* verification found a bad backup           -> 4 */
    ERR_INTERNAL, /* a bug                                     -> 1 */
};

struct err {
    enum err_code code;
    int sys_errno;  /* errno at err_sys(), else 0 */
    char msg[1024]; /* one line, lower case, no final full stop */
    char hint[512]; /* advice for the user, or "" */
};

/** err_init(e): clear ${e}. */
void err_init(struct err *e);

/** err_set(e, code, fmt, ...): fill ${e} with ${code} and a message. Returns -1. */
int err_set(struct err *e, enum err_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** err_sys(e, code, fmt, ...): like err_set, with ": strerror(errno)" appended. Returns -1. */
int err_sys(struct err *e, enum err_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/** err_wrap(e, fmt, ...): prefix the message with context and ": ". Keeps code and hint. Returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** err_hint(e, fmt, ...): set the hint line, unless one is set already. Returns -1. */
int err_hint(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** err_exit_status(code): the process exit status for ${code}. */
int err_exit_status(enum err_code code);

#endif
