#include "stage/progress.h"

#include <stdlib.h>
#include <time.h>

#include "stage/stage.h"
#include "util/err.h"

struct progress_stage {
    struct stage base;
    stage_progress_fn *fn;
    void *arg;
    uint64_t bytes;
    double interval, last;
};

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
progress_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct progress_stage *p = (struct progress_stage *)s;
    double t;

    p->bytes += len;
    if (stage_emit(s, buf, len, e) == -1)
        return -1;
    t = now();
    if (t - p->last >= p->interval) {
        p->last = t;
        p->fn(p->arg, p->bytes, 0);
    }
    return 0;
}

static int
progress_finish(struct stage *s, struct err *e)
{
    struct progress_stage *p = (struct progress_stage *)s;

    (void)e;
    p->fn(p->arg, p->bytes, 1);
    return 0;
}

static void
progress_free(struct stage *s)
{
    stage_free(s->next);
    free(s);
}

static const struct stage_ops progress_ops = {"progress", progress_write, progress_finish, progress_free};

struct stage *
stage_progress_new(stage_progress_fn *fn, void *arg, int interval_ms, struct stage *next, struct err *e)
{
    struct progress_stage *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->base.ops = &progress_ops;
    p->base.next = next;
    p->fn = fn;
    p->arg = arg;
    p->interval = interval_ms / 1000.0;
    p->last = now();
    return &p->base;
}
