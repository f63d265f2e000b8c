/* libFuzzer: the manifest and contents parsers, on arbitrary input. */
#include <stddef.h>
#include <stdint.h>

#include "catalog/manifest.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct manifest m;
    struct contents c;
    struct err e;

    if (manifest_parse(&m, (const char *)data, size, &e) == 0)
        manifest_release(&m);
    if (contents_parse(&c, (const char *)data, size, &e) == 0)
        contents_release(&c);
    return 0;
}
