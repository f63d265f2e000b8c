/* libFuzzer: the share file parser on arbitrary input; what parses must format and parse back the same. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/share.h"
#include "util/err.h"
#include "util/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct share s, again;
    struct secret *text, *none;
    const char *name = "fuzz.txt";
    struct err e;

    if (share_parse(name, data, size, &s, &e) == -1)
        return 0;
    text = share_format(&s, &e);
    if (text == NULL || share_parse(name, text->data, text->len, &again, &e) == -1)
        abort();
    if (again.index != s.index || again.threshold != s.threshold || again.count != s.count ||
        again.data->len != s.data->len || memcmp(again.data->data, s.data->data, s.data->len) != 0 ||
        memcmp(again.split_id, s.split_id, sizeof(s.split_id)) != 0)
        abort();
    /* one share is never enough: the threshold is at least 2 */
    if ((none = share_combine(&s, &name, 1, &e)) != NULL || e.code != ERR_KEY)
        abort();
    secret_free(text);
    share_release(&s);
    share_release(&again);
    return 0;
}
