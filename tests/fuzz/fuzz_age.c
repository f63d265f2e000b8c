/* libFuzzer: age decryption (with a fixed identity) and the key-less header scan, on arbitrary input. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "format/age.h"
#include "stage/stage.h"
#include "util/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A test identity: the files in tests/fuzz/corpus/age/ are encrypted to it (and some to others). */
static const char identity[] = "AGE-SECRET-KEY-1TAJTCZMQVCW92Z5TF6XP4DT00JZ0P8AMFRVM92X27MSQ8T5PPYMQ3FQNZK";

static void
feed(struct stage *s, const uint8_t *data, size_t size)
{
    struct err e;
    size_t half = size / 2;

    /* two writes, so that state carried across writes is exercised */
    if (stage_write(s, data, half, &e) == 0 && stage_write(s, data + half, size - half, &e) == 0)
        (void)stage_finish(s, &e);
    stage_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct age_identity *id;
    struct err e;
    struct stage *s;

    if (id == NULL && (id = age_identity_parse(identity, strlen(identity), &e)) == NULL)
        __builtin_trap();
    if ((s = stage_null_new(&e)) != NULL && (s = age_decrypt_new(&id, 1, s, &e)) != NULL)
        feed(s, data, size);
    if ((s = stage_null_new(&e)) != NULL && (s = age_scan_new(s, &e)) != NULL)
        feed(s, data, size);
    return 0;
}
