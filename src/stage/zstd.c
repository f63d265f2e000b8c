#include "stage/zstd.h"

#include <stdlib.h>
#include <zstd.h>

#include "stage/stage.h"
#include "util/err.h"

struct zstd_stage {
    struct stage base;
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    void *out;
    size_t outsz;
    size_t last_ret; /* decompression: 0 when the last frame ended */
    int any_input;
};

static void
zstd_free(struct stage *s)
{
    struct zstd_stage *z = (struct zstd_stage *)s;

    ZSTD_freeCCtx(z->cctx);
    ZSTD_freeDCtx(z->dctx);
    free(z->out);
    stage_free(s->next);
    free(z);
}

/* Run ZSTD_compressStream2 until ${in} is consumed (or, for end, until it returns 0). */
static int
compress_run(struct zstd_stage *z, ZSTD_inBuffer *in, ZSTD_EndDirective mode, struct err *e)
{
    for (;;) {
        ZSTD_outBuffer out = {z->out, z->outsz, 0};
        size_t rem = ZSTD_compressStream2(z->cctx, &out, in, mode);

        if (ZSTD_isError(rem))
            return err_set(e, ERR_FORMAT, "zstd: %s", ZSTD_getErrorName(rem));
        if (stage_emit(&z->base, out.dst, out.pos, e) == -1)
            return -1;
        if (mode == ZSTD_e_continue ? in->pos == in->size : rem == 0)
            return 0;
    }
}

static int
compress_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    ZSTD_inBuffer in = {buf, len, 0};

    return compress_run((struct zstd_stage *)s, &in, ZSTD_e_continue, e);
}

static int
compress_finish(struct stage *s, struct err *e)
{
    ZSTD_inBuffer in = {NULL, 0, 0};

    return compress_run((struct zstd_stage *)s, &in, ZSTD_e_end, e);
}

static const struct stage_ops compress_ops = {"zstd", compress_write, compress_finish, zstd_free};

static struct zstd_stage *
zstd_alloc(const struct stage_ops *ops, size_t outsz, struct stage *next, struct err *e)
{
    struct zstd_stage *z = calloc(1, sizeof(*z));

    if (z == NULL || (z->out = malloc(outsz)) == NULL) {
        free(z);
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    z->base.ops = ops;
    z->base.next = next;
    z->outsz = outsz;
    return z;
}

struct stage *
stage_zstd_compress_new(const struct zstd_opts *opts, struct stage *next, struct err *e)
{
    struct zstd_stage *z = zstd_alloc(&compress_ops, ZSTD_CStreamOutSize(), next, e);
    size_t r;

    if (z == NULL)
        return NULL;
    if ((z->cctx = ZSTD_createCCtx()) == NULL) {
        zstd_free(&z->base);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel, opts->level);
    if (!ZSTD_isError(r))
        r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
    if (!ZSTD_isError(r) && opts->long_mode)
        r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_enableLongDistanceMatching, 1);
    if (!ZSTD_isError(r) && opts->workers > 0)
        r = ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_nbWorkers, opts->workers);
    if (ZSTD_isError(r)) {
        zstd_free(&z->base);
        err_set(e, ERR_CONFIG, "zstd: %s", ZSTD_getErrorName(r));
        return NULL;
    }
    return &z->base;
}

static int
decompress_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct zstd_stage *z = (struct zstd_stage *)s;
    ZSTD_inBuffer in = {buf, len, 0};

    z->any_input = 1;
    /* Loop while input remains or the last call filled the output buffer (more may be pending). */
    for (;;) {
        ZSTD_outBuffer out = {z->out, z->outsz, 0};
        size_t before = in.pos;
        size_t r = ZSTD_decompressStream(z->dctx, &out, &in);

        if (ZSTD_isError(r))
            return err_set(e, ERR_FORMAT, "zstd: %s", ZSTD_getErrorName(r));
        /* A call that made no progress after a frame ended only hints at the next frame's header. */
        if (in.pos != before || out.pos > 0)
            z->last_ret = r;
        if (stage_emit(s, out.dst, out.pos, e) == -1)
            return -1;
        if (in.pos == in.size && out.pos < out.size)
            return 0;
    }
}

static int
decompress_finish(struct stage *s, struct err *e)
{
    struct zstd_stage *z = (struct zstd_stage *)s;

    if (!z->any_input)
        return err_set(e, ERR_FORMAT, "zstd: empty input");
    if (z->last_ret != 0)
        return err_set(e, ERR_FORMAT, "zstd: truncated: input ends inside a frame");
    return 0;
}

static const struct stage_ops decompress_ops = {"unzstd", decompress_write, decompress_finish, zstd_free};

struct stage *
stage_zstd_decompress_new(struct stage *next, struct err *e)
{
    struct zstd_stage *z = zstd_alloc(&decompress_ops, ZSTD_DStreamOutSize(), next, e);

    if (z == NULL)
        return NULL;
    if ((z->dctx = ZSTD_createDCtx()) == NULL) {
        zstd_free(&z->base);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    return &z->base;
}
