/*
 * The manifest (plaintext, safe to publish, written last: its presence commits a backup) and the
 * contents record (encrypted to the backup's recipients: plaintext hash, per-table row counts).
 * Both are JSON objects tagged with a format name and version; readers reject other versions.
 */
#ifndef SAFEDUMP_CATALOG_MANIFEST_H
#define SAFEDUMP_CATALOG_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

struct err;

#define MANIFEST_FORMAT "safedump-manifest"
#define CONTENTS_FORMAT "safedump-contents"
#define MANIFEST_VERSION 1
#define MANIFEST_MAX (1024 * 1024) /* bytes; larger is refused as malformed */

struct manifest {
    int version;
    char tool_version[32];
    char job[128];
    char id[32];          /* "20261123T020000Z" */
    char source_kind[16]; /* "postgres" */
    char server_version[128];
    char dump_format[16]; /* "custom" | "plain" */
    char started[32];     /* "2026-11-23T02:00:00Z" */
    char finished[32];
    uint64_t raw_bytes;        /* dump tool's output */
    uint64_t compressed_bytes; /* after zstd */
    uint64_t stored_bytes;     /* after encryption: the data object's size */
    char stored_sha256[65];    /* of the data object */
    char data_name[64];        /* "data.dump.zst.age", in the backup's directory */
    char compression[32];      /* "zstd:3" */
    char encryption[16];       /* "age" */
    char **recipients;         /* public keys that can decrypt */
    size_t n_recipients;
};

struct contents_table {
    char *schema;
    char *name;
    uint64_t rows;
};

struct contents {
    int version;
    char plain_sha256[65];
    uint64_t raw_bytes;
    struct contents_table *tables;
    size_t n_tables;
};

/** manifest_to_json(m, e): a new JSON text (caller frees). NULL on failure. */
char *manifest_to_json(const struct manifest *m, struct err *e);

/** manifest_parse(m, text, len, e): strict parse into ${m} (zeroed first); release with manifest_release. */
int manifest_parse(struct manifest *m, const char *text, size_t len, struct err *e);

/** manifest_add_recipient(m, r, e): append a copy of ${r}. */
int manifest_add_recipient(struct manifest *m, const char *r, struct err *e);

/** manifest_release(m): free what ${m} holds (not ${m}). */
void manifest_release(struct manifest *m);

/** contents_to_json(c, e), contents_parse(c, text, len, e), contents_release(c): as for the manifest. */
char *contents_to_json(const struct contents *c, struct err *e);
int contents_parse(struct contents *c, const char *text, size_t len, struct err *e);
int contents_add_table(struct contents *c, const char *schema, const char *name, uint64_t rows, struct err *e);
void contents_release(struct contents *c);

/** manifest_job_valid(name): job names are 1..100 of [A-Za-z0-9._-], not starting with '.' or '-'. */
int manifest_job_valid(const char *name);

#endif
