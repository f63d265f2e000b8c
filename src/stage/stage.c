#include "stage/stage.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/interrupt.h"

int
stage_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    assert(s != NULL);
    if (len == 0)
        return 0;
    return s->ops->write(s, buf, len, e);
}

int
stage_emit(struct stage *s, const void *buf, size_t len, struct err *e)
{
    if (s->next == NULL || len == 0)
        return 0;
    return s->next->ops->write(s->next, buf, len, e);
}

int
stage_finish(struct stage *s, struct err *e)
{
    for (; s != NULL; s = s->next)
        if (s->ops->finish != NULL && s->ops->finish(s, e) == -1)
            return -1;
    return 0;
}

void
stage_free(struct stage *s)
{
    if (s != NULL)
        s->ops->free(s);
}

/* A helper for stages without state of their own beyond struct stage. */
static void
plain_free(struct stage *s)
{
    stage_free(s->next);
    free(s);
}

static struct stage *
plain_new(const struct stage_ops *ops, size_t size, struct stage *next, struct err *e)
{
    struct stage *s = calloc(1, size);

    if (s == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->ops = ops;
    s->next = next;
    return s;
}

/* null */

static int
null_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    (void)s, (void)buf, (void)len, (void)e;
    return 0;
}

static const struct stage_ops null_ops = {"null", null_write, NULL, plain_free};

struct stage *
stage_null_new(struct err *e)
{
    return plain_new(&null_ops, sizeof(struct stage), NULL, e);
}

/* fd */

struct fd_stage {
    struct stage base;
    int fd;
};

static int
fd_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct fd_stage *f = (struct fd_stage *)s;
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = write(f->fd, p, len);
        if (n == -1) {
            if (errno == EINTR && interrupt_pending())
                return err_set(e, ERR_IO, "interrupted by signal %d", interrupt_pending());
            if (errno == EINTR)
                continue;
            return err_sys(e, ERR_IO, "write");
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static const struct stage_ops fd_ops = {"fd", fd_write, NULL, plain_free};

struct stage *
stage_fd_new(int fd, struct err *e)
{
    struct fd_stage *f = (struct fd_stage *)plain_new(&fd_ops, sizeof(*f), NULL, e);

    if (f == NULL)
        return NULL;
    f->fd = fd;
    return &f->base;
}

/* buf */

struct buf_stage {
    struct stage base;
    unsigned char *data;
    size_t len, alloc, cap;
};

static int
buf_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct buf_stage *b = (struct buf_stage *)s;

    if (len > b->cap - b->len)
        return err_set(e, ERR_FORMAT, "more than %zu bytes", b->cap);
    if (b->len + len > b->alloc) {
        size_t n = b->alloc ? b->alloc : 4096;
        unsigned char *p;
        while (n < b->len + len)
            n *= 2;
        if (n > b->cap)
            n = b->cap;
        if ((p = realloc(b->data, n)) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        b->data = p;
        b->alloc = n;
    }
    memcpy(b->data + b->len, buf, len);
    b->len += len;
    return 0;
}

static void
buf_free(struct stage *s)
{
    struct buf_stage *b = (struct buf_stage *)s;

    free(b->data);
    plain_free(s);
}

static const struct stage_ops buf_ops = {"buffer", buf_write, NULL, buf_free};

struct stage *
stage_buf_new(size_t cap, struct err *e)
{
    struct buf_stage *b = (struct buf_stage *)plain_new(&buf_ops, sizeof(*b), NULL, e);

    if (b == NULL)
        return NULL;
    b->cap = cap;
    return &b->base;
}

const unsigned char *
stage_buf_data(const struct stage *s, size_t *len)
{
    const struct buf_stage *b = (const struct buf_stage *)s;

    assert(s->ops == &buf_ops);
    *len = b->len;
    return b->data;
}

/* count */

struct count_stage {
    struct stage base;
    uint64_t bytes;
};

static int
count_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    ((struct count_stage *)s)->bytes += len;
    return stage_emit(s, buf, len, e);
}

static const struct stage_ops count_ops = {"count", count_write, NULL, plain_free};

struct stage *
stage_count_new(struct stage *next, struct err *e)
{
    return plain_new(&count_ops, sizeof(struct count_stage), next, e);
}

uint64_t
stage_count_bytes(const struct stage *s)
{
    assert(s->ops == &count_ops);
    return ((const struct count_stage *)s)->bytes;
}

/* borrow: next is not owned, so free releases only the borrow itself */

static int
borrow_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    return stage_emit(s, buf, len, e);
}

static void
borrow_free(struct stage *s)
{
    free(s);
}

static const struct stage_ops borrow_ops = {"borrow", borrow_write, NULL, borrow_free};

struct stage *
stage_borrow_new(struct stage *target, struct err *e)
{
    struct stage *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->ops = &borrow_ops;
    s->next = target;
    return s;
}

/*
 * Read ${fd} to end of file into ${dst} with a buffer of ${bufsz}. With ${batch}, pause after a short
 * read: 1 ms at ~200 MB/s is ~200 KiB, a quarter of a 1 MiB pipe, so the producer keeps writing meanwhile.
 */
static int
copy(int fd, struct stage *dst, size_t bufsz, int batch, struct err *e)
{
    static const struct timespec pause = {0, 1000 * 1000};
    unsigned char *buf = malloc(bufsz);
    int rc = -1;

    if (buf == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (;;) {
        ssize_t n = read(fd, buf, bufsz);
        if (n == 0)
            break;
        if (interrupt_pending()) {
            err_set(e, ERR_IO, "interrupted by signal %d", interrupt_pending());
            goto out;
        }
        if (n == -1) {
            if (errno == EINTR)
                continue;
            err_sys(e, ERR_IO, "read");
            goto out;
        }
        if (stage_write(dst, buf, (size_t)n, e) == -1)
            goto out;
        if (batch && (size_t)n < bufsz / 4)
            nanosleep(&pause, NULL);
    }
    rc = 0;
out:
    free(buf);
    return rc;
}

int
stage_copy_fd(int fd, struct stage *dst, struct err *e)
{
    return copy(fd, dst, STAGE_BUFSZ, 0, e);
}

int
stage_copy_pipe(int fd, struct stage *dst, struct err *e)
{
    return copy(fd, dst, STAGE_PIPE_BUFSZ, 1, e);
}
