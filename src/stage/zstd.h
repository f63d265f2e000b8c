/*
 * zstd compression and decompression stages on libzstd's streaming API. Output is one standard zstd
 * frame (compression) that `zstd -d` reads; decompression accepts concatenated frames and rejects a
 * stream that ends inside a frame.
 */
#ifndef SAFEDUMP_STAGE_ZSTD_H
#define SAFEDUMP_STAGE_ZSTD_H

struct err;
struct stage;

struct zstd_opts {
    int level;     /* 1..19 (22 with ultra); 3 is zstd's default */
    int workers;   /* 0: compress in the calling thread; N: N worker threads (libzstd built with threads) */
    int long_mode; /* 0 off (default): readers need no extra window memory */
};

/** stage_zstd_compress_new(opts, next, e): owns ${next}. NULL on failure. */
struct stage *stage_zstd_compress_new(const struct zstd_opts *opts, struct stage *next, struct err *e);

/** stage_zstd_decompress_new(next, e): owns ${next}. Window limited to 2^27 (zstd's default max). */
struct stage *stage_zstd_decompress_new(struct stage *next, struct err *e);

#endif
