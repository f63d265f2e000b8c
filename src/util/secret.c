#include "util/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

void
secret_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0)
        explicit_bzero(p, len);
}

struct secret *
secret_new(size_t len, struct err *e)
{
    struct secret *s = calloc(1, sizeof(*s));

    if (s == NULL || (s->data = calloc(1, len ? len : 1)) == NULL) {
        free(s);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->len = len;
    s->cap = len ? len : 1;
    (void)mlock(s->data, s->cap); /* best effort: may exceed RLIMIT_MEMLOCK */
    return s;
}

void
secret_free(struct secret *s)
{
    if (s == NULL)
        return;
    secret_wipe(s->data, s->cap);
    (void)munlock(s->data, s->cap);
    free(s->data);
    free(s);
}

struct secret *
secret_read_file(const char *path, size_t max, struct err *e)
{
    struct secret *s = NULL;
    struct stat st;
    size_t got = 0;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        err_sys(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "unable to open '%s'", path);
        return NULL;
    }
    if (fstat(fd, &st) == -1) {
        err_sys(e, ERR_IO, "unable to stat '%s'", path);
        goto fail;
    }
    if (S_ISREG(st.st_mode) && (st.st_mode & 0077) != 0) {
        err_set(e, ERR_KEY, "'%s' can be read by other users (mode %03o)", path, (unsigned)(st.st_mode & 0777));
        err_hint(e, "chmod 600 '%s'", path);
        goto fail;
    }
    if ((s = secret_new(max, e)) == NULL)
        goto fail;
    for (;;) {
        ssize_t n = read(fd, s->data + got, max - got);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            err_sys(e, ERR_IO, "unable to read '%s'", path);
            goto fail;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got == max) {
            char c;
            if (read(fd, &c, 1) > 0) {
                err_set(e, ERR_FORMAT, "'%s' is larger than %zu bytes", path, max);
                goto fail;
            }
            break;
        }
    }
    close(fd);
    s->len = got; /* the wipe on free still covers the whole allocation */
    return s;
fail:
    secret_free(s);
    close(fd);
    return NULL;
}
