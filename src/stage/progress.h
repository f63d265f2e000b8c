/*
 * A pass-through stage that reports progress: it calls a function with the bytes seen so far at most
 * once per interval (on the monotonic clock), and once more from finish. It changes nothing.
 */
#ifndef SAFEDUMP_STAGE_PROGRESS_H
#define SAFEDUMP_STAGE_PROGRESS_H

#include <stdint.h>

struct err;
struct stage;

/** The report: ${bytes} so far; ${final} is 1 for the call from finish. */
typedef void stage_progress_fn(void *arg, uint64_t bytes, int final);

/**
 * stage_progress_new(fn, arg, interval_ms, next, e): report through ${fn}(${arg}, ...) at most every
 * ${interval_ms}. ${arg} must outlive the stage. Owns ${next} (freed on failure). NULL on failure.
 */
struct stage *stage_progress_new(stage_progress_fn *fn, void *arg, int interval_ms, struct stage *next, struct err *e);

#endif
