#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const int exit_status[] = {
    [ERR_OK] = 0,     [ERR_USAGE] = 2,   [ERR_CONFIG] = 2, [ERR_IO] = 1,       [ERR_NOMEM] = 1,    [ERR_CRYPTO] = 1,
    [ERR_FORMAT] = 1, [ERR_KEY] = 1,     [ERR_SOURCE] = 1, [ERR_STORAGE] = 1,  [ERR_NOTFOUND] = 1, [ERR_EXISTS] = 1,
    [ERR_TARGET] = 1, [ERR_PARTIAL] = 3, [ERR_VERIFY] = 4, [ERR_INTERNAL] = 1,
};

void
err_init(struct err *e)
{
    e->code = ERR_OK;
    e->sys_errno = 0;
    e->msg[0] = '\0';
    e->hint[0] = '\0';
}

static void vset(struct err *e, enum err_code code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));

static void
vset(struct err *e, enum err_code code, const char *fmt, va_list ap)
{
    e->code = code;
    e->sys_errno = 0;
    e->hint[0] = '\0';
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int
err_set(struct err *e, enum err_code code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vset(e, code, fmt, ap);
    va_end(ap);
    return -1;
}

int
err_sys(struct err *e, enum err_code code, const char *fmt, ...)
{
    int saved = errno;
    size_t n;
    va_list ap;

    va_start(ap, fmt);
    vset(e, code, fmt, ap);
    va_end(ap);
    e->sys_errno = saved;
    n = strlen(e->msg);
    snprintf(e->msg + n, sizeof(e->msg) - n, ": %s", strerror(saved));
    return -1;
}

int
err_wrap(struct err *e, const char *fmt, ...)
{
    char prefix[sizeof(e->msg)];
    char old[sizeof(e->msg)];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof(old));
    if ((size_t)snprintf(e->msg, sizeof(e->msg), "%s: %s", prefix, old) >= sizeof(e->msg))
        memcpy(e->msg + sizeof(e->msg) - 4, "...", 4); /* keep it visible that the line was cut */
    if (e->code == ERR_OK)
        e->code = ERR_INTERNAL;
    return -1;
}

int
err_hint(struct err *e, const char *fmt, ...)
{
    va_list ap;

    if (e->hint[0] != '\0')
        return -1;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof(e->hint), fmt, ap);
    va_end(ap);
    return -1;
}

int
err_exit_status(enum err_code code)
{
    if ((size_t)code >= sizeof(exit_status) / sizeof(exit_status[0]))
        return 1;
    return exit_status[code];
}
