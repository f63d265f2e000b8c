/*
 * Helpers for stage tests: push a buffer through a chain in pieces of a given size, so that writes of
 * 1 byte, odd sizes and 64 KiB + 1 can be compared with one-shot output (STYLE.md section 10).
 */
#ifndef SAFEDUMP_TESTS_UNIT_STAGETEST_H
#define SAFEDUMP_TESTS_UNIT_STAGETEST_H

#include <stddef.h>

#include "stage/stage.h"
#include "util/err.h"

/* The piece sizes every stage test uses; 0 means "all at once". */
static const size_t stagetest_pieces[] = {0, 1, 7, 4093, 65536 + 1};
#define STAGETEST_NPIECES (sizeof(stagetest_pieces) / sizeof(stagetest_pieces[0]))

/* stagetest_feed(s, data, len, piece, e): write ${data} into ${s} in pieces of ${piece} bytes, then finish. */
static int
stagetest_feed(struct stage *s, const void *data, size_t len, size_t piece, struct err *e)
{
    const unsigned char *p = data;

    if (piece == 0)
        piece = len ? len : 1;
    while (len > 0) {
        size_t n = len < piece ? len : piece;
        if (stage_write(s, p, n, e) == -1)
            return -1;
        p += n;
        len -= n;
    }
    return stage_finish(s, e);
}

#endif
