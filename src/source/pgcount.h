/*
 * pg_dump output counter: a pass-through stage that reads the dump format as it streams by and counts
 * the data rows of each table, so exact per-table row counts of the dumped snapshot are known without
 * reading the database twice. Custom format (-Fc, any compression setting that stores data
 * uncompressed, i.e. -Z0 / --compress=none; archive versions 1.12 to 1.16) and plain SQL format are
 * understood. Malformed, compressed or truncated input fails with ERR_FORMAT.
 */
#ifndef SAFEDUMP_SOURCE_PGCOUNT_H
#define SAFEDUMP_SOURCE_PGCOUNT_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct stage;

enum pg_dump_format {
    PG_FORMAT_CUSTOM,
    PG_FORMAT_PLAIN,
};

struct pg_table_count {
    char *schema; /* "public" */
    char *name;   /* table name, unquoted */
    uint64_t rows;
};

/** pgcount_new(fmt, next, e): a pass-through counting stage. Owns ${next}. */
struct stage *pgcount_new(enum pg_dump_format fmt, struct stage *next, struct err *e);

/**
 * pgcount_tables(s, n): the tables seen, in dump order, after finish(); *${n} gets their number.
 * Tables without data rows appear with rows 0. Valid until the stage is freed. Custom format: one
 * entry per TABLE DATA item of the TOC; plain format: one per COPY block, named by its target (so with
 * --load-via-partition-root a partition's rows appear under its root, once per partition).
 */
const struct pg_table_count *pgcount_tables(const struct stage *s, size_t *n);

/** pgcount_server_version(s): the server version the dump names, as given ("15.18 (Debian 15.18-0+deb12u1)"), or "". */
const char *pgcount_server_version(const struct stage *s);

#endif
