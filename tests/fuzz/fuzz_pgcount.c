/* libFuzzer: the pg_dump output counter, custom and plain format, on arbitrary input. */
#include <stddef.h>
#include <stdint.h>

#include "source/pgcount.h"
#include "stage/stage.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e;
    struct stage *s;
    size_t n, cut = size / 3;

    /* the format follows the input's own signature, so the seed corpus reaches both parsers */
    enum pg_dump_format fmt = size >= 5 && data[0] == 'P' && data[1] == 'G' ? PG_FORMAT_CUSTOM : PG_FORMAT_PLAIN;

    if ((s = stage_null_new(&e)) == NULL || (s = pgcount_new(fmt, s, &e)) == NULL)
        return 0;
    if (stage_write(s, data, cut, &e) == 0 && stage_write(s, data + cut, size - cut, &e) == 0 &&
        stage_finish(s, &e) == 0)
        (void)pgcount_tables(s, &n);
    stage_free(s);
    return 0;
}
