/*
 * Stages: one small push interface for every streaming step (compress, encrypt, hash, count, store).
 *
 * Contract:
 * - A chain is built back to front: each constructor takes the stage its output goes to (`next`) and
 *   owns it from then on, also when the constructor fails (it frees `next` then). Freeing the head
 *   frees the whole chain.
 * - write() consumes all of `buf` (borrowed only for the call) or fails. It pushes output to `next`
 *   with stage_emit(). After a failure the chain may only be freed.
 * - finish() flushes this stage (trailers, final chunks) and rejects truncated input; stage_finish()
 *   calls it and then finishes `next`, so finishing the head finishes the chain in order.
 * - free() releases the stage and, through stage_free(), its `next`. Freeing a stage that was not
 *   finished means "abort": a storage sink then removes what it wrote.
 * - Pass-through stages (hash, count) expose their results after finish through their own accessors;
 *   the pointer stays valid until the chain is freed.
 * - A stage never sees file names, options or storage (sinks excepted).
 */
#ifndef SAFEDUMP_STAGE_STAGE_H
#define SAFEDUMP_STAGE_STAGE_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct stage;

struct stage_ops {
    const char *name;
    int (*write)(struct stage *s, const void *buf, size_t len, struct err *e);
    int (*finish)(struct stage *s, struct err *e);
    void (*free)(struct stage *s);
};

struct stage {
    const struct stage_ops *ops;
    struct stage *next; /* owned; NULL for a sink */
};

/** stage_write(s, buf, len, e): push ${len} bytes into ${s}. Returns 0 or -1. */
int stage_write(struct stage *s, const void *buf, size_t len, struct err *e);

/** stage_emit(s, buf, len, e): push output of ${s} to its next stage (nothing if it has none). */
int stage_emit(struct stage *s, const void *buf, size_t len, struct err *e);

/** stage_finish(s, e): finish ${s}, then its next, down the chain. Returns 0 or -1. */
int stage_finish(struct stage *s, struct err *e);

/** stage_free(s): free ${s} and the chain after it. NULL does nothing. */
void stage_free(struct stage *s);

/*
 * Generic sinks and helpers.
 */

/** stage_null_new(): a sink that drops everything. Never fails except on memory. */
struct stage *stage_null_new(struct err *e);

/** stage_fd_new(fd, e): a sink that writes to ${fd}; it does not close ${fd}. */
struct stage *stage_fd_new(int fd, struct err *e);

/**
 * stage_buf_new(cap, e): a sink that collects output in memory, at most ${cap} bytes (more is an
 * error). stage_buf_data() returns the bytes and their length; valid until the stage is freed.
 */
struct stage *stage_buf_new(size_t cap, struct err *e);
const unsigned char *stage_buf_data(const struct stage *s, size_t *len);

/** stage_count_new(next, e): counts bytes passing through; stage_count_bytes() reads the count. */
struct stage *stage_count_new(struct stage *next, struct err *e);
uint64_t stage_count_bytes(const struct stage *s);

/**
 * stage_borrow_new(target, e): a stage that forwards writes and finish to ${target} but does not own
 * it: freeing the borrow leaves ${target} (and its chain) alive, so its results can be read after a
 * function that frees the chain it is given.
 */
struct stage *stage_borrow_new(struct stage *target, struct err *e);

/** stage_copy_fd(fd, dst, e): read ${fd} to end of file and push everything into ${dst} (not finished). */
int stage_copy_fd(int fd, struct stage *dst, struct err *e);

/**
 * stage_copy_pipe(fd, dst, e): like stage_copy_fd for a pipe from a producer such as pg_dump, which
 * writes in small pieces: after a short read it waits a moment so that the next read takes a large
 * batch. This trades a millisecond of latency for far fewer context switches (each one costs both
 * processes); the pipe should be large (child.c makes it 1 MiB) so the producer never waits.
 */
int stage_copy_pipe(int fd, struct stage *dst, struct err *e);

#define STAGE_BUFSZ (128 * 1024)
#define STAGE_PIPE_BUFSZ (1024 * 1024)

#endif
