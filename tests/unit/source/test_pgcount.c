/*
 * pgcount: per-table row counts of pg_dump output, custom (-Fc -Z0) and plain (-Fp), against fixtures
 * dumped from a real PostgreSQL 15 (tests/data/pg/make-fixtures.sh) with the counts SELECT count(*)
 * gave. Archive versions other than the fixture's 1.14 are made by rewriting its header and TOC the way
 * pg_backup_archiver.c WriteHead/WriteToc lay them out for that version. Run from the repository root.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/pgcount.h"
#include "stage/stage.h"
#include "stagetest.h"
#include "test.h"
#include "util/err.h"

#define DATA "tests/data/pg/"
#define COMPRESSED_MSG "pg_dump custom-format data is compressed; safedump needs -Z0"

struct expected_table {
    char schema[128];
    char name[128];
    uint64_t rows;
};

static struct expected_table expected[64];
static size_t nexpected;
static char expected_version[256];

static unsigned char *custom, *custom_gz, *plain;
static size_t custom_len, custom_gz_len, plain_len;

static unsigned char *
load(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            unsigned char *b = realloc(buf, cap = cap ? cap * 2 : 65536);
            if (b == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int
load_expected(void)
{
    FILE *f = fopen(DATA "expected.txt", "r");
    char line[512];

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *nl = strchr(line, '\n'), *a, *b, *c;
        if (nl)
            *nl = '\0';
        if (strncmp(line, "version\t", 8) == 0) {
            snprintf(expected_version, sizeof(expected_version), "%.200s", line + 8);
            continue;
        }
        if (strncmp(line, "table\t", 6) != 0 || nexpected == sizeof(expected) / sizeof(expected[0]))
            continue;
        a = line + 6;
        if ((b = strchr(a, '\t')) == NULL || (c = strchr(b + 1, '\t')) == NULL)
            continue;
        *b++ = '\0';
        *c++ = '\0';
        snprintf(expected[nexpected].schema, sizeof(expected[0].schema), "%.120s", a);
        snprintf(expected[nexpected].name, sizeof(expected[0].name), "%.120s", b);
        expected[nexpected].rows = strtoull(c, NULL, 10);
        nexpected++;
    }
    fclose(f);
    return 0;
}

/*
 * run(): push ${data} through pgcount into a buffer sink in pieces; "" if it worked and the output is the
 * input, else what went wrong. The table list is described in order into ${order} when given.
 */
static char why[4096];
static struct err last_err;

static const char *
run(enum pg_dump_format fmt, const unsigned char *data, size_t len, size_t piece, char *order, size_t order_size,
    int check_expected)
{
    struct err e;
    struct stage *sink, *s;
    const unsigned char *out;
    const struct pg_table_count *t;
    size_t olen, n;

    err_init(&e);
    why[0] = '\0';
    if ((sink = stage_buf_new(len + 1, &e)) == NULL || (s = pgcount_new(fmt, sink, &e)) == NULL)
        return "out of memory";
    if (stagetest_feed(s, data, len, piece, &e) == -1) {
        last_err = e;
        snprintf(why, sizeof(why), "piece %zu: failed: %s", piece, e.msg);
        stage_free(s);
        return why;
    }
    out = stage_buf_data(sink, &olen);
    if (olen != len || (len > 0 && memcmp(out, data, len) != 0)) {
        snprintf(why, sizeof(why), "piece %zu: output differs from input", piece);
        goto out;
    }
    t = pgcount_tables(s, &n);
    if (order != NULL) {
        order[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            size_t used = strlen(order);
            snprintf(order + used, order_size - used, "%s.%s=%llu\n", t[i].schema, t[i].name,
                     (unsigned long long)t[i].rows);
        }
    }
    if (!check_expected)
        goto out;
    if (strcmp(pgcount_server_version(s), expected_version) != 0) {
        snprintf(why, sizeof(why), "piece %zu: version \"%s\", expected \"%s\"", piece, pgcount_server_version(s),
                 expected_version);
        goto out;
    }
    if (n != nexpected) {
        snprintf(why, sizeof(why), "piece %zu: %zu tables, expected %zu", piece, n, nexpected);
        goto out;
    }
    for (size_t i = 0; i < nexpected; i++) {
        size_t found = 0;
        for (size_t j = 0; j < n; j++) {
            if (strcmp(t[j].schema, expected[i].schema) != 0 || strcmp(t[j].name, expected[i].name) != 0)
                continue;
            found++;
            if (t[j].rows != expected[i].rows) {
                snprintf(why, sizeof(why), "piece %zu: %.128s.%.128s has %llu rows, expected %llu", piece, t[j].schema,
                         t[j].name, (unsigned long long)t[j].rows, (unsigned long long)expected[i].rows);
                goto out;
            }
        }
        if (found != 1) {
            snprintf(why, sizeof(why), "piece %zu: %.128s.%.128s seen %zu times", piece, expected[i].schema,
                     expected[i].name, found);
            goto out;
        }
    }
out:
    stage_free(s);
    return why;
}

/* fails(): the input must be rejected with ERR_FORMAT (in write or finish); "" if so. */
static const char *
fails(enum pg_dump_format fmt, const unsigned char *data, size_t len, size_t piece)
{
    struct err e;
    struct stage *s;

    err_init(&e);
    why[0] = '\0';
    if ((s = pgcount_new(fmt, stage_null_new(&e), &e)) == NULL)
        return "out of memory";
    if (stagetest_feed(s, data, len, piece, &e) == 0)
        snprintf(why, sizeof(why), "%zu bytes accepted", len);
    else if (e.code != ERR_FORMAT)
        snprintf(why, sizeof(why), "%zu bytes: code %d: %s", len, (int)e.code, e.msg);
    last_err = e;
    stage_free(s);
    return why;
}

/* survives(): garbage may be accepted or rejected with ERR_FORMAT, nothing else. */
static const char *
survives(enum pg_dump_format fmt, const unsigned char *data, size_t len, size_t piece)
{
    struct err e;
    struct stage *s;

    err_init(&e);
    why[0] = '\0';
    if ((s = pgcount_new(fmt, stage_null_new(&e), &e)) == NULL)
        return "out of memory";
    if (stagetest_feed(s, data, len, piece, &e) == -1 && e.code != ERR_FORMAT)
        snprintf(why, sizeof(why), "%zu bytes: code %d: %s", len, (int)e.code, e.msg);
    stage_free(s);
    return why;
}

/*
 * Archive rewriting: a reader of the 1.14 fixture and a writer of another version.
 */
struct buf {
    unsigned char *p;
    size_t len, cap;
};

static void
put(struct buf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (b->p == NULL)
            abort();
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void
put_byte(struct buf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void
put_int(struct buf *b, int64_t v, size_t isize)
{
    uint64_t m = v < 0 ? (uint64_t)(-v) : (uint64_t)v;

    put_byte(b, v < 0);
    for (size_t i = 0; i < isize; i++, m >>= 8)
        put_byte(b, (unsigned)(m & 0xff));
}

static void
put_str(struct buf *b, const char *s, size_t isize)
{
    if (s == NULL) {
        put_int(b, -1, isize);
        return;
    }
    put_int(b, (int64_t)strlen(s), isize);
    put(b, s, strlen(s));
}

struct rd {
    const unsigned char *p;
    size_t pos, len, isize;
};

static unsigned
get_byte(struct rd *r)
{
    return r->pos < r->len ? r->p[r->pos++] : 0;
}

static int64_t
get_int(struct rd *r)
{
    unsigned sign = get_byte(r);
    uint64_t v = 0;

    for (size_t i = 0; i < r->isize; i++)
        v |= (uint64_t)get_byte(r) << (8 * i);
    return sign ? -(int64_t)v : (int64_t)v;
}

/* A string of the source, copied to ${b} (NULL: dropped), or replaced by NULL when ${null}; *${keep} gets it. */
static void
copy_str(struct rd *r, struct buf *b, int null, char *keep, size_t keep_size)
{
    int64_t n = get_int(r);

    if (keep != NULL)
        snprintf(keep, keep_size, "%.*s", n > 0 ? (int)n : 0, (const char *)r->p + r->pos);
    if (b != NULL && (null || n < 0))
        put_int(b, -1, r->isize);
    else if (b != NULL) {
        put_int(b, n, r->isize);
        put(b, r->p + r->pos, (size_t)n);
    }
    if (n > 0)
        r->pos += (size_t)n;
}

/*
 * rewrite(minor, compression, drop_copy): the 1.14 custom fixture as archive version 1.${minor}, with
 * ${compression} in the header (the level before 1.15, the algorithm byte from 1.15) and, with
 * ${drop_copy}, no COPY statements (as pg_dump --inserts writes them).
 */
static struct buf
rewrite(unsigned minor, int compression, int drop_copy)
{
    struct rd r = {custom, 0, custom_len, 0};
    struct buf b = {0};
    char desc[64];
    size_t osize;
    int64_t ntoc;

    put(&b, r.p, 5);
    r.pos = 5;
    put_byte(&b, get_byte(&r));
    (void)get_byte(&r);
    put_byte(&b, minor);
    put_byte(&b, get_byte(&r));
    r.isize = get_byte(&r);
    put_byte(&b, (unsigned)r.isize);
    osize = get_byte(&r);
    put_byte(&b, (unsigned)osize);
    put_byte(&b, get_byte(&r));
    (void)get_int(&r); /* 1.14: compression level */
    if (minor >= 15)
        put_byte(&b, (unsigned)compression);
    else
        put_int(&b, compression, r.isize);
    for (int i = 0; i < 7; i++)
        put_int(&b, get_int(&r), r.isize);
    for (int i = 0; i < 3; i++)
        copy_str(&r, &b, 0, NULL, 0);
    ntoc = get_int(&r);
    put_int(&b, ntoc, r.isize);
    for (int64_t i = 0; i < ntoc; i++) {
        put_int(&b, get_int(&r), r.isize); /* dump id */
        put_int(&b, get_int(&r), r.isize); /* had dumper */
        copy_str(&r, &b, 0, NULL, 0);      /* table oid */
        copy_str(&r, &b, 0, NULL, 0);      /* oid */
        copy_str(&r, &b, 0, NULL, 0);      /* tag */
        copy_str(&r, &b, 0, desc, sizeof(desc));
        put_int(&b, get_int(&r), r.isize);                                       /* section */
        copy_str(&r, &b, 0, NULL, 0);                                            /* defn */
        copy_str(&r, &b, 0, NULL, 0);                                            /* drop */
        copy_str(&r, &b, drop_copy && strcmp(desc, "TABLE DATA") == 0, NULL, 0); /* copy */
        copy_str(&r, &b, 0, NULL, 0);                                            /* namespace */
        copy_str(&r, &b, 0, NULL, 0);                                            /* tablespace */
        copy_str(&r, minor >= 14 ? &b : NULL, 0, NULL, 0);                       /* table access method, from 1.14 */
        if (minor >= 16)
            put_int(&b, strcmp(desc, "TABLE DATA") == 0 ? 'r' : 0, r.isize); /* relkind */
        copy_str(&r, &b, 0, NULL, 0);                                        /* owner */
        copy_str(&r, &b, 0, NULL, 0);                                        /* with oids */
        for (;;) {
            int64_t n = get_int(&r);
            r.pos -= r.isize + 1;
            copy_str(&r, &b, 0, NULL, 0);
            if (n < 0)
                break;
        }
        put(&b, r.p + r.pos, 1 + osize); /* data offset flag and offset */
        r.pos += 1 + osize;
    }
    put(&b, r.p + r.pos, r.len - r.pos); /* the data blocks */
    return b;
}

/* Where the data section of the fixture starts, and where each block ends: cut points of interest. */
static size_t block_ends[64], nblock_ends;

static void
find_blocks(void)
{
    struct rd r = {custom, 11, custom_len, custom[8]};
    size_t osize = custom[9];
    int64_t ntoc;

    (void)get_int(&r);
    for (int i = 0; i < 7; i++)
        (void)get_int(&r);
    for (int i = 0; i < 3; i++) {
        int64_t n = get_int(&r);
        r.pos += n > 0 ? (size_t)n : 0;
    }
    ntoc = get_int(&r);
    for (int64_t i = 0; i < ntoc; i++) {
        (void)get_int(&r);
        (void)get_int(&r);
        /* 1.14: tableoid, oid, tag, desc, section (an integer), defn, drop, copy, namespace, tablespace,
         * table access method, owner, with oids */
        for (int s = 0; s < 13; s++) {
            if (s == 4) {
                (void)get_int(&r);
                continue;
            }
            int64_t n = get_int(&r);
            r.pos += n > 0 ? (size_t)n : 0;
        }
        for (;;) {
            int64_t n = get_int(&r);
            if (n < 0)
                break;
            r.pos += (size_t)n;
        }
        r.pos += 1 + osize;
    }
    block_ends[nblock_ends++] = r.pos;
    while (r.pos < r.len && nblock_ends < 64) {
        unsigned type = get_byte(&r);
        (void)get_int(&r);
        if (type == 3) {
            while (get_int(&r) != 0)
                for (int64_t n; (n = get_int(&r)) != 0;)
                    r.pos += (size_t)n;
        } else {
            for (int64_t n; (n = get_int(&r)) != 0;)
                r.pos += (size_t)n;
        }
        block_ends[nblock_ends++] = r.pos;
    }
}

/*
 * Tests.
 */

TEST(fixtures_present)
{
    CHECK(custom != NULL && custom_gz != NULL && plain != NULL);
    CHECK(nexpected >= 8);
    CHECK(expected_version[0] != '\0');
}

TEST(custom_counts_every_piece_size)
{
    for (size_t i = 0; i < STAGETEST_NPIECES; i++)
        CHECK_EQ_STR(run(PG_FORMAT_CUSTOM, custom, custom_len, stagetest_pieces[i], NULL, 0, 1), "");
}

TEST(plain_counts_every_piece_size)
{
    for (size_t i = 0; i < STAGETEST_NPIECES; i++)
        CHECK_EQ_STR(run(PG_FORMAT_PLAIN, plain, plain_len, stagetest_pieces[i], NULL, 0, 1), "");
}

TEST(custom_and_plain_list_tables_alike)
{
    static char a[1024], b[1024];

    CHECK_EQ_STR(run(PG_FORMAT_CUSTOM, custom, custom_len, 0, a, sizeof(a), 1), "");
    CHECK_EQ_STR(run(PG_FORMAT_PLAIN, plain, plain_len, 0, b, sizeof(b), 1), "");
    CHECK(strcmp(a, b) == 0);
    CHECK_CONTAINS(a, "app.thousand=1000\n");
    CHECK_CONTAINS(a, "app.Odd \"Name\"=3\n");
    CHECK_CONTAINS(a, "Weird.Schema.donn\xc3\xa9"
                      "es=2\n");
    CHECK_CONTAINS(a, "app.empty_table=0\n");
    CHECK_CONTAINS(a, "app.nocols=3\n");
}

TEST(archive_versions_1_12_to_1_16)
{
    static const unsigned minors[] = {12, 13, 14, 15, 16};

    for (size_t m = 0; m < sizeof(minors) / sizeof(minors[0]); m++) {
        struct buf b = rewrite(minors[m], 0, 0);
        if (minors[m] == 14)
            CHECK(b.len == custom_len && memcmp(b.p, custom, custom_len) == 0); /* the rewriter is faithful */
        for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
            const char *r = run(PG_FORMAT_CUSTOM, b.p, b.len, stagetest_pieces[i], NULL, 0, 1);
            if (r[0] != '\0') {
                free(b.p);
                snprintf(test_why, sizeof(test_why), "1.%u: %s", minors[m], r);
                test_failed_now = 1;
                return;
            }
        }
        free(b.p);
    }
}

TEST(unsupported_versions_rejected)
{
    static const unsigned minors[] = {10, 11, 17, 200};

    for (size_t m = 0; m < sizeof(minors) / sizeof(minors[0]); m++) {
        struct buf b = rewrite(14, 0, 0);
        b.p[6] = (unsigned char)minors[m];
        const char *r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);
        free(b.p);
        CHECK_EQ_STR(r, "");
        CHECK_CONTAINS(last_err.msg, "unsupported archive version");
    }
}

TEST(compressed_custom_rejected)
{
    CHECK_EQ_STR(fails(PG_FORMAT_CUSTOM, custom_gz, custom_gz_len, 0), "");
    CHECK_EQ_STR(last_err.msg, COMPRESSED_MSG);
    CHECK_CONTAINS(last_err.hint, "-Z0");

    /* 1.14 and before: a zlib level (-1 is the default); 1.15 on: gzip, lz4, zstd. */
    static const struct {
        unsigned minor;
        int compression;
    } cases[] = {{14, -1}, {14, 6}, {12, 9}, {15, 1}, {15, 2}, {16, 3}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf b = rewrite(cases[i].minor, cases[i].compression, 0);
        const char *r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 1);
        free(b.p);
        CHECK_EQ_STR(r, "");
        CHECK_EQ_STR(last_err.msg, COMPRESSED_MSG);
    }
}

TEST(custom_inserts_data_rejected)
{
    struct buf b = rewrite(14, 0, 1);
    const char *r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);

    free(b.p);
    CHECK_EQ_STR(r, "");
    CHECK_CONTAINS(last_err.msg, "not COPY data");
}

TEST(custom_truncated_anywhere)
{
    find_blocks();
    CHECK(nblock_ends >= 3);
    CHECK_EQ_INT(block_ends[nblock_ends - 1], custom_len);
    for (size_t i = 0; i + 1 < nblock_ends; i++) { /* cut exactly between two data blocks */
        CHECK_EQ_STR(fails(PG_FORMAT_CUSTOM, custom, block_ends[i], 0), "");
        CHECK_EQ_STR(last_err.msg, "pg_dump output truncated");
    }
    for (size_t cut = 0; cut < custom_len; cut++) {
        CHECK_EQ_STR(fails(PG_FORMAT_CUSTOM, custom, cut, 0), "");
        CHECK_EQ_STR(last_err.msg, "pg_dump output truncated");
    }
}

TEST(plain_truncated_anywhere)
{
    /* The last byte is the blank line after "\unrestrict KEY": losing only that loses nothing. */
    CHECK(plain_len > 2 && plain[plain_len - 1] == '\n' && plain[plain_len - 2] == '\n');
    for (size_t cut = 0; cut + 1 < plain_len; cut++) {
        CHECK_EQ_STR(fails(PG_FORMAT_PLAIN, plain, cut, 0), "");
        CHECK_EQ_STR(last_err.msg, "pg_dump output truncated");
    }
    CHECK_EQ_STR(run(PG_FORMAT_PLAIN, plain, plain_len - 1, 0, NULL, 0, 1), "");
}

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(garbage_fails_cleanly)
{
    static unsigned char g[8192];

    for (int round = 0; round < 300; round++) {
        size_t len = (size_t)(next_rand() % sizeof(g));
        for (size_t i = 0; i < len; i++)
            g[i] = (unsigned char)next_rand();
        CHECK_EQ_STR(fails(PG_FORMAT_CUSTOM, g, len, 0), "");
        CHECK_EQ_STR(fails(PG_FORMAT_PLAIN, g, len, 0), "");
        /* A good header followed by garbage. */
        size_t keep = custom_len < 200 ? custom_len : 200;
        if (len > keep) {
            memcpy(g, custom, keep);
            CHECK_EQ_STR(survives(PG_FORMAT_CUSTOM, g, len, 0), "");
        }
    }
}

TEST(mutated_dumps_fail_cleanly)
{
    unsigned char *c = malloc(custom_len), *p = malloc(plain_len);

    CHECK(c != NULL && p != NULL);
    for (int round = 0; round < 400; round++) {
        memcpy(c, custom, custom_len);
        memcpy(p, plain, plain_len);
        for (int k = 0; k < 1 + round % 4; k++) {
            c[next_rand() % custom_len] = (unsigned char)next_rand();
            p[next_rand() % plain_len] = (unsigned char)next_rand();
        }
        const char *r = survives(PG_FORMAT_CUSTOM, c, custom_len, round % 2 ? 7 : 0);
        if (r[0] == '\0')
            r = survives(PG_FORMAT_PLAIN, p, plain_len, round % 2 ? 7 : 0);
        if (r[0] != '\0') {
            free(c);
            free(p);
            CHECK_EQ_STR(r, "");
        }
    }
    free(c);
    free(p);
}

/* A 1.14 header with intSize 4 and offSize 8, up to the TOC count (without its strings unless ${full}). */
static void
header(struct buf *b, int full)
{
    static const unsigned char head[] = {'P', 'G', 'D', 'M', 'P', 1, 14, 0, 4, 8, 1};

    put(b, head, sizeof(head));
    put_int(b, 0, 4);
    for (int i = 0; i < 7; i++)
        put_int(b, 1, 4);
    if (!full)
        return;
    put_str(b, "db", 4);
    put_str(b, "15.1", 4);
    put_str(b, "15.1", 4);
}

static void
entry(struct buf *b, int id, int data, const char *tag, const char *desc, const char *ns, const char *copy)
{
    put_int(b, id, 4);
    put_int(b, data, 4);
    put_str(b, "0", 4);
    put_str(b, "0", 4);
    put_str(b, tag, 4);
    put_str(b, desc, 4);
    put_int(b, 2, 4);
    put_str(b, "", 4);
    put_str(b, "", 4);
    put_str(b, copy, 4);
    put_str(b, ns, 4);
    put_str(b, "", 4);
    put_str(b, "heap", 4);
    put_str(b, "postgres", 4);
    put_str(b, "false", 4);
    put_str(b, "1", 4);
    put_str(b, NULL, 4);
    put_byte(b, data ? 1 : 3);
    for (int i = 0; i < 8; i++)
        put_byte(b, 0);
}

TEST(handmade_custom_archive)
{
    struct buf b = {0};
    struct err e;
    struct stage *s;
    const struct pg_table_count *t;
    size_t n;

    header(&b, 1);
    put_int(&b, 3, 4);
    entry(&b, 7, 1, "t", "TABLE DATA", "s", "COPY s.t FROM stdin;\n");
    entry(&b, 8, 0, "v", "VIEW", "s", NULL);
    entry(&b, 5, 1, "u", "TABLE DATA", "s", "COPY s.u FROM stdin;\n");
    /* Blocks in TOC order; chunks split rows anywhere; data after "\." is not rows. */
    put_byte(&b, 1);
    put_int(&b, 7, 4);
    put_int(&b, 3, 4);
    put(&b, "a\tb", 3);
    put_int(&b, 7, 4);
    put(&b, "\n\\\\.\n\\.", 7);
    put_int(&b, 6, 4);
    put(&b, "\n\n\nx\n\n", 6);
    put_int(&b, 0, 4);
    put_byte(&b, 1);
    put_int(&b, 5, 4);
    put_int(&b, 0, 4);

    err_init(&e);
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        s = pgcount_new(PG_FORMAT_CUSTOM, NULL, &e);
        CHECK(s != NULL);
        if (stagetest_feed(s, b.p, b.len, stagetest_pieces[i], &e) == -1) {
            stage_free(s);
            free(b.p);
            CHECK_EQ_STR(e.msg, "");
        }
        t = pgcount_tables(s, &n);
        int ok = n == 2 && strcmp(t[0].name, "t") == 0 && t[0].rows == 2 && strcmp(t[1].name, "u") == 0 &&
                 t[1].rows == 0 && strcmp(pgcount_server_version(s), "15.1") == 0;
        stage_free(s);
        if (!ok)
            free(b.p);
        CHECK(ok);
    }

    /* The same, without the last block: truncated. */
    const char *r = fails(PG_FORMAT_CUSTOM, b.p, b.len - 11, 0);
    free(b.p);
    CHECK_EQ_STR(r, "");
    CHECK_EQ_STR(last_err.msg, "pg_dump output truncated");
}

TEST(absurd_lengths_rejected_without_allocating)
{
    struct buf b = {0};
    const char *r;

    /* A skipped string of 2 GiB - 1 is only counted down: the input just ends too early. */
    header(&b, 0);
    put_int(&b, INT32_MAX, 4);
    r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);
    CHECK_EQ_STR(r, "");
    CHECK_EQ_STR(last_err.msg, "pg_dump output truncated");
    free(b.p);

    /* A kept string (the server version) of 1 MiB is refused at once. */
    b = (struct buf){0};
    header(&b, 0);
    put_str(&b, "db", 4);
    put_int(&b, 1 << 20, 4);
    r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);
    CHECK_EQ_STR(r, "");
    CHECK_CONTAINS(last_err.msg, "too long");
    free(b.p);

    /* Negative and huge TOC counts, ids and chunk lengths. */
    static const int64_t bad[] = {-1, -5, (int64_t)INT32_MAX + 1};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        b = (struct buf){0};
        header(&b, 1);
        put_int(&b, bad[i], 4);
        r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);
        free(b.p);
        CHECK_EQ_STR(r, "");

        b = (struct buf){0};
        header(&b, 1);
        put_int(&b, 1, 4);
        entry(&b, 3, 1, "t", "TABLE DATA", "s", "COPY s.t FROM stdin;\n");
        put_byte(&b, 1);
        put_int(&b, 3, 4);
        put_int(&b, bad[i], 4);
        r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);
        free(b.p);
        CHECK_EQ_STR(r, "");
        CHECK_CONTAINS(last_err.msg, "impossible data chunk length");
    }

    /* Unknown and repeated block ids, unknown block types. */
    static const unsigned char tails[][12] = {
        {1, 0, 9, 0, 0, 0},                   /* block for entry 9, not in the TOC */
        {1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1}, /* entry 3 twice */
        {2, 0, 3, 0, 0, 0},                   /* BLK_BLOB, never written by pg_dump 8.0 on */
        {3, 0, 3, 0, 0, 0},                   /* table data as large objects */
    };
    static const size_t tail_len[] = {6, 12, 6, 6};
    for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
        b = (struct buf){0};
        header(&b, 1);
        put_int(&b, 1, 4);
        entry(&b, 3, 1, "t", "TABLE DATA", "s", "COPY s.t FROM stdin;\n");
        put(&b, tails[i], tail_len[i]);
        if (i == 1)
            put(&b, (const unsigned char[]){0, 3, 0, 0, 0}, 5);
        r = fails(PG_FORMAT_CUSTOM, b.p, b.len, 0);
        free(b.p);
        CHECK_EQ_STR(r, "");
        CHECK(strstr(last_err.msg, "truncated") == NULL);
    }

    /* Integer sizes 0 and 9, a tar archive's format byte. */
    static const unsigned char heads[][11] = {
        {'P', 'G', 'D', 'M', 'P', 1, 14, 0, 0, 8, 1},
        {'P', 'G', 'D', 'M', 'P', 1, 14, 0, 9, 8, 1},
        {'P', 'G', 'D', 'M', 'P', 1, 14, 0, 4, 8, 3},
    };
    for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
        CHECK_EQ_STR(fails(PG_FORMAT_CUSTOM, heads[i], sizeof(heads[i]), 0), "");
        CHECK(strstr(last_err.msg, "truncated") == NULL);
    }
}

TEST(plain_lexing_traps)
{
    static const char sql[] =
        "--\n-- PostgreSQL database dump\n--\n\n"
        "-- Dumped from database version 16.4\n"
        "SET standard_conforming_strings = on;\n"
        "CREATE FUNCTION f() RETURNS text AS $body$\nCOPY x.fake FROM stdin;\n\\.\n$not$ $body$;\n"
        "CREATE FUNCTION g() RETURNS text AS $$\nCOPY x.fake2 FROM stdin;\n$$;\n"
        "CREATE FUNCTION h() RETURNS void AS $_$\nBEGIN\n  x := 1;\nCOPY x.fake9 FROM stdin;\nEND $_$;\n"
        "COMMENT ON TABLE t IS E'a''b\\';\nCOPY x.fake10 FROM stdin;\n';\n"
        "COMMENT ON TABLE t IS E'it\\'s\nCOPY x.fake3 FROM stdin;\n';\n"
        "COMMENT ON TABLE t IS 'it''s\nCOPY x.fake4 FROM stdin;\n';\n"
        "/* outer /* nested */\nCOPY x.fake5 FROM stdin;\n*/\n"
        "SELECT 1 /* a comment */, $1\n; COPY x.fake6 FROM stdin;\n"
        "CREATE TABLE \"quo\"\"ted\" (\n\"COPY x.fake7 FROM stdin;\n\" int);\n"
        "SELECT 2\nCOPY x.fake8 FROM stdin;\n;\n"
        "COPY \"a.b\".\"c \"\"d\"\" (e)\" (x) FROM stdin;\n1\n\\\\.\n\\N\n\\.\n"
        "COPY unqualified  FROM stdin;\n\n\n\\.\n"
        "COPY s.\"T\" (a, b) FROM stdin;\r\n1\t2\n\\.\n"
        "COPY s.\"new\nline\" (\"a\nb\", c) FROM stdin;\n1\t2\n3\t4\n\\.\n"
        "--\n-- PostgreSQL database dump complete\n--\n\n";
    struct err e;
    struct stage *s;
    const struct pg_table_count *t;
    size_t n;

    err_init(&e);
    for (size_t i = 0; i < STAGETEST_NPIECES; i++) {
        CHECK((s = pgcount_new(PG_FORMAT_PLAIN, NULL, &e)) != NULL);
        if (stagetest_feed(s, sql, sizeof(sql) - 1, stagetest_pieces[i], &e) == -1) {
            stage_free(s);
            CHECK_EQ_STR(e.msg, "");
        }
        t = pgcount_tables(s, &n);
        char got[1024] = "";
        for (size_t j = 0; j < n; j++)
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "[%s][%s]=%llu ", t[j].schema, t[j].name,
                     (unsigned long long)t[j].rows);
        char version[64];
        snprintf(version, sizeof(version), "%s", pgcount_server_version(s));
        stage_free(s);
        CHECK_EQ_STR(got, "[a.b][c \"d\" (e)]=3 [][unqualified]=2 [s][T]=1 [s][new\nline]=2 ");
        CHECK_EQ_STR(version, "16.4");
    }
}

TEST(plain_long_lines)
{
    /* A row of 3 MiB and a statement line of 1 MiB: neither is kept, both stream through. */
    size_t row = 3u << 20, stmt = 1u << 20, len = 0;
    char *sql = malloc(row + stmt + 4096);

    CHECK(sql != NULL);
    len += (size_t)sprintf(sql + len, "--\n-- PostgreSQL database dump\n--\n\nINSERT INTO t VALUES ('");
    memset(sql + len, 'q', stmt);
    len += stmt;
    len += (size_t)sprintf(sql + len, "');\nCOPY public.big (b) FROM stdin;\n1\n");
    memset(sql + len, 'x', row);
    len += row;
    len += (size_t)sprintf(sql + len, "\n3\n\\.\n--\n-- PostgreSQL database dump complete\n--\n\n");

    static char order[256];
    const char *r = "";
    for (size_t i = 0; i < STAGETEST_NPIECES && r[0] == '\0'; i++)
        r = run(PG_FORMAT_PLAIN, (const unsigned char *)sql, len, stagetest_pieces[i], order, sizeof(order), 0);
    free(sql);
    CHECK_EQ_STR(r, "");
    CHECK_EQ_STR(order, "public.big=3\n");
}

TEST(plain_end_of_dump)
{
    static const char a[] = "\\restrict abc\n-- PostgreSQL database dump complete\n\\unrestrict abc\n";
    static const char b[] = "\\restrict abc\n-- PostgreSQL database dump complete\n\\unrestrict ab\n";
    static const char c[] = "\\restrict abc\n-- PostgreSQL database dump complete\n";
    static const char d[] = "-- PostgreSQL database dump complete\n--";

    CHECK_EQ_STR(run(PG_FORMAT_PLAIN, (const unsigned char *)a, sizeof(a) - 1, 1, NULL, 0, 0), "");
    CHECK_EQ_STR(fails(PG_FORMAT_PLAIN, (const unsigned char *)b, sizeof(b) - 1, 1), "");
    CHECK_EQ_STR(fails(PG_FORMAT_PLAIN, (const unsigned char *)c, sizeof(c) - 1, 1), "");
    CHECK_EQ_STR(fails(PG_FORMAT_PLAIN, (const unsigned char *)d, sizeof(d) - 1, 1), "");
    CHECK_EQ_STR(run(PG_FORMAT_PLAIN, (const unsigned char *)d, sizeof(d) - 3, 1, NULL, 0, 0), "");
}

int
main(void)
{
    custom = load(DATA "custom.dump", &custom_len);
    custom_gz = load(DATA "custom-gzip.dump", &custom_gz_len);
    plain = load(DATA "plain.sql", &plain_len);
    (void)load_expected();

    RUN(fixtures_present);
    if (custom == NULL || custom_gz == NULL || plain == NULL || nexpected == 0)
        return test_done();
    RUN(custom_counts_every_piece_size);
    RUN(plain_counts_every_piece_size);
    RUN(custom_and_plain_list_tables_alike);
    RUN(archive_versions_1_12_to_1_16);
    RUN(unsupported_versions_rejected);
    RUN(compressed_custom_rejected);
    RUN(custom_inserts_data_rejected);
    RUN(custom_truncated_anywhere);
    RUN(plain_truncated_anywhere);
    RUN(garbage_fails_cleanly);
    RUN(mutated_dumps_fail_cleanly);
    RUN(handmade_custom_archive);
    RUN(absurd_lengths_rejected_without_allocating);
    RUN(plain_lexing_traps);
    RUN(plain_long_lines);
    RUN(plain_end_of_dump);
    free(custom);
    free(custom_gz);
    free(plain);
    return test_done();
}
