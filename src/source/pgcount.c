/*
 * pg_dump output counter (pgcount.h): a pass-through stage that parses the dump as it streams by.
 *
 * Custom format, as pg_dump writes it to a pipe (PostgreSQL src/bin/pg_dump/pg_backup_archiver.c
 * WriteHead/WriteToc, pg_backup_custom.c): a header, the TOC, then one data block per TOC entry that has
 * data, in TOC order, and nothing after the last block. An integer is a sign byte and intSize magnitude
 * bytes, least significant first; a string is an integer length (negative: NULL) and its bytes. A data
 * block is a type byte (BLK_DATA or BLK_BLOBS), the entry's dump id and chunks of "length, bytes" up to a
 * zero length; large objects are "oid, chunks" up to a zero oid. Uncompressed, a TABLE DATA block holds
 * the COPY text rows pg_dump received followed by "\.\n\n\n".
 *
 * Plain format: SQL with COPY ... FROM stdin; blocks. A light lexer follows quotes, dollar quotes and
 * comments, so that only a COPY at the start of a statement starts a data block (a function body or a
 * comment may contain the same text), and only the first HEAD_MAX bytes of a line are kept.
 *
 * Both parsers take one byte at a time into their state, so a write may end anywhere. Only the TOC names
 * and a few header fields are kept; table data is scanned for newlines and dropped.
 */
#include "source/pgcount.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage/stage.h"
#include "util/err.h"

#define STR_MAX (64 * 1024) /* longest TOC string kept: tag, desc, namespace, server version */
#define LEN_MAX INT32_MAX   /* pg_dump writes lengths, counts and ids as a C int */
#define HEAD_MAX 1024       /* plain: bytes kept from the start of a line that begins a statement */
#define TAIL_MAX 16         /* plain: bytes kept from its end, to see "FROM stdin;" */
#define DOLLAR_MAX 256      /* plain: longest dollar-quote tag */

#define ARCHIVE_CUSTOM 1 /* archCustom, pg_backup.h */
#define BLK_DATA 1
#define BLK_BLOBS 3
#define MINOR_MIN 12 /* archive versions 1.12 (PostgreSQL 9.0) ... */
#define MINOR_MAX 16 /* ... to 1.16 (PostgreSQL 17, 18) */

#define TRUNCATED "pg_dump output truncated"
#define CUSTOM "pg_dump custom-format archive: "

/*
 * COPY text data: each row ends with exactly one '\n' (newlines inside values are escaped), and a line
 * holding only "\." ends the data.
 */
enum copy_state { CS_START, CS_BACKSLASH, CS_TERM, CS_MIDLINE };

struct copyscan {
    enum copy_state state;
    bool ended; /* the "\." line went by */
};

/*
 * Custom format: the item being read (bytes into fix, a string kept in str, bytes skipped, COPY data)
 * and the field it belongs to.
 */
enum citem { CI_FIXED, CI_KEEP, CI_SKIP, CI_COPY };

enum cfield {
    F_MAGIC,
    F_VMAJ,
    F_VMIN,
    F_VREV,
    F_INTSIZE,
    F_OFFSIZE,
    F_FORMAT,
    F_COMPRESSION,
    F_TIME,
    F_DBNAME,
    F_REMOTEVER,
    F_DUMPVER,
    F_TOCCOUNT,
    F_TE_ID,
    F_TE_HADDUMPER,
    F_TE_TABLEOID,
    F_TE_OID,
    F_TE_TAG,
    F_TE_DESC,
    F_TE_SECTION,
    F_TE_DEFN,
    F_TE_DROP,
    F_TE_COPY,
    F_TE_NAMESPACE,
    F_TE_TABLESPACE,
    F_TE_TABLEAM,
    F_TE_RELKIND,
    F_TE_OWNER,
    F_TE_WITHOIDS,
    F_TE_DEP,
    F_TE_OFFFLAG,
    F_TE_OFFSET,
    F_BLK_TYPE,
    F_BLK_ID,
    F_CHUNK_LEN,
    F_CHUNK,
    F_LO_OID,
};

/* A TOC entry with data: its block must come once. */
struct dentry {
    int32_t id;
    bool is_table; /* TABLE DATA: rows go to tables[table] */
    bool copy;     /* it has a COPY statement, so its data is COPY text */
    bool seen;
    size_t table;
};

struct custom {
    enum cfield field;
    enum citem item;
    bool is_int; /* fix holds an integer */
    bool is_len; /* that integer is a string length */
    bool keep;   /* keep that string in str */
    unsigned char fix[16];
    size_t fixlen, fixwant;
    uint64_t left; /* bytes still to come for CI_KEEP, CI_SKIP, CI_COPY */
    int64_t slen;  /* length of the string just read, -1 for NULL */
    char *str;
    size_t strcap;

    unsigned vmin;
    size_t intsize, offsize;
    int ntime;
    int64_t tocleft;

    int32_t te_id;
    bool te_data, te_tabledata, te_copy;
    char *te_tag, *te_ns;

    struct dentry *d;
    size_t nd, dcap, dseen, dexpected;

    int blktype;
    struct dentry *cur;
    struct copyscan cs;
};

/* Plain format lexer states. */
enum lex {
    LX_SQL,
    LX_DASH,  /* '-' seen: a comment if another follows */
    LX_SLASH, /* '/' seen: a comment if '*' follows */
    LX_LINE_COMMENT,
    LX_BLOCK_COMMENT,
    LX_META, /* a psql backslash command, to the end of the line */
    LX_SQUOTE,
    LX_SQUOTE_END, /* a quote inside '...': the end, unless another quote follows */
    LX_DQUOTE,
    LX_DOLLAR_TAG, /* after '$': maybe the tag of a dollar quote */
    LX_DOLLAR,
};

struct plain {
    bool in_copy;
    size_t table;
    struct copyscan cs;

    enum lex lex;
    bool line_start;    /* the next byte starts a line */
    bool first;         /* the byte being lexed starts a line */
    bool stmt_empty;    /* nothing but white space and comments since the last ';' */
    bool std_strings;   /* standard_conforming_strings: backslash is no escape in '...' */
    bool esc, esc_next; /* inside an escape string; a backslash escapes the next byte */
    unsigned char prev, prev2;
    size_t depth; /* block comment nesting */
    unsigned char blk_prev;
    char tag[DOLLAR_MAX];
    size_t taglen, match;

    bool capture; /* this line began a statement: keep its head and tail */
    char head[HEAD_MAX];
    size_t headlen;
    char tail[TAIL_MAX];
    size_t linelen;

    bool complete;      /* "-- PostgreSQL database dump complete" went by */
    char *restrict_key; /* "\restrict KEY" (pg_dump since August 2025) needs its "\unrestrict KEY" */
    bool unrestricted;
};

struct pgcount {
    struct stage base;
    enum pg_dump_format fmt;
    bool failed;
    struct pg_table_count *tables;
    size_t ntables, tcap;
    char *version;
    struct custom c;
    struct plain p;
};

static int
nomem(struct err *e)
{
    return err_set(e, ERR_NOMEM, "out of memory");
}

static char *
dup_bytes(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* tables_add(pc, schema, name, e): append a table, taking ${schema} and ${name} (malloc'd). */
static int
tables_add(struct pgcount *pc, char *schema, char *name, struct err *e)
{
    if (pc->ntables == pc->tcap) {
        size_t cap = pc->tcap ? pc->tcap * 2 : 16;
        struct pg_table_count *t = realloc(pc->tables, cap * sizeof(*t));
        if (t == NULL) {
            free(schema);
            free(name);
            return nomem(e);
        }
        pc->tables = t;
        pc->tcap = cap;
    }
    pc->tables[pc->ntables].schema = schema;
    pc->tables[pc->ntables].name = name;
    pc->tables[pc->ntables].rows = 0;
    pc->ntables++;
    return 0;
}

static void
copyscan_reset(struct copyscan *cs)
{
    cs->state = CS_START;
    cs->ended = false;
}

/*
 * copyscan(cs, rows, p, n): count the rows of COPY text in ${p} into *${rows} until the "\." line.
 * Returns the bytes used: all of them, or up to and including the '\n' of "\.".
 */
static size_t
copyscan(struct copyscan *cs, uint64_t *rows, const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        if (cs->state == CS_MIDLINE) {
            const unsigned char *nl = memchr(p + i, '\n', n - i);
            if (nl == NULL)
                return n;
            i = (size_t)(nl - p) + 1;
            (*rows)++;
            cs->state = CS_START;
            continue;
        }
        unsigned char ch = p[i++];
        if (ch == '\n') {
            if (cs->state == CS_TERM) {
                cs->state = CS_START;
                cs->ended = true;
                return i;
            }
            (*rows)++;
            cs->state = CS_START;
        } else if (cs->state == CS_START && ch == '\\') {
            cs->state = CS_BACKSLASH;
        } else if (cs->state == CS_BACKSLASH && ch == '.') {
            cs->state = CS_TERM;
        } else {
            cs->state = CS_MIDLINE;
        }
    }
    return n;
}

/*
 * Custom format.
 */

static void
want_fixed(struct custom *c, enum cfield f, size_t n)
{
    assert(n > 0 && n <= sizeof(c->fix));
    c->field = f;
    c->item = CI_FIXED;
    c->fixlen = 0;
    c->fixwant = n;
    c->is_int = c->is_len = false;
}

static void
want_int(struct custom *c, enum cfield f)
{
    want_fixed(c, f, c->intsize + 1);
    c->is_int = true;
}

static void
want_str(struct custom *c, enum cfield f, bool keep)
{
    want_int(c, f);
    c->is_len = true;
    c->keep = keep;
}

static void
want_bytes(struct custom *c, enum cfield f, enum citem item, uint64_t n)
{
    c->field = f;
    c->item = item;
    c->left = n;
    c->is_int = c->is_len = false;
}

static bool
item_done(const struct custom *c)
{
    return c->item == CI_FIXED ? c->fixlen == c->fixwant : c->left == 0;
}

/* The integer in fix: a sign byte, then intsize bytes, least significant first. */
static int64_t
fix_int(const struct custom *c)
{
    uint64_t v = 0;

    for (size_t i = c->intsize; i > 0; i--)
        v = v << 8 | c->fix[i];
    if (v > INT64_MAX)
        v = INT64_MAX;
    return c->fix[0] ? -(int64_t)v : (int64_t)v;
}

/* The string just read, or NULL for a NULL string. */
static char *
str_dup(const struct custom *c, struct err *e, bool *failed)
{
    char *s;

    *failed = false;
    if (c->slen < 0)
        return NULL;
    s = dup_bytes(c->str, (size_t)c->slen);
    if (s == NULL) {
        *failed = true;
        nomem(e);
    }
    return s;
}

static int
dentry_cmp(const void *a, const void *b)
{
    const struct dentry *x = a, *y = b;

    return (x->id > y->id) - (x->id < y->id);
}

static int
entry_done(struct pgcount *pc, struct err *e)
{
    struct custom *c = &pc->c;
    size_t table = 0;

    if (c->te_tabledata) {
        char *schema = c->te_ns ? c->te_ns : dup_bytes("", 0);
        char *name = c->te_tag ? c->te_tag : dup_bytes("", 0);
        c->te_ns = c->te_tag = NULL;
        if (schema == NULL || name == NULL) {
            free(schema);
            free(name);
            return nomem(e);
        }
        table = pc->ntables;
        if (tables_add(pc, schema, name, e) == -1)
            return -1;
    }
    if (c->te_data) {
        if (c->nd == c->dcap) {
            size_t cap = c->dcap ? c->dcap * 2 : 16;
            struct dentry *d = realloc(c->d, cap * sizeof(*d));
            if (d == NULL)
                return nomem(e);
            c->d = d;
            c->dcap = cap;
        }
        c->d[c->nd++] = (struct dentry){c->te_id, c->te_tabledata, c->te_copy, false, table};
    }
    free(c->te_tag);
    free(c->te_ns);
    c->te_tag = c->te_ns = NULL;
    return 0;
}

static int
toc_done(struct pgcount *pc, struct err *e)
{
    struct custom *c = &pc->c;

    if (c->nd > 1)
        qsort(c->d, c->nd, sizeof(*c->d), dentry_cmp);
    for (size_t i = 1; i < c->nd; i++)
        if (c->d[i].id == c->d[i - 1].id)
            return err_set(e, ERR_FORMAT, CUSTOM "toc entry id %d appears twice", (int)c->d[i].id);
    c->dexpected = c->nd;
    want_fixed(c, F_BLK_TYPE, 1);
    return 0;
}

static const char *
table_label(const struct pgcount *pc, const struct dentry *d, char *buf, size_t size)
{
    const struct pg_table_count *t = &pc->tables[d->table];

    snprintf(buf, size, "%s.%s", t->schema, t->name);
    return buf;
}

static int
block_begin(struct pgcount *pc, int64_t id, struct err *e)
{
    struct custom *c = &pc->c;
    struct dentry key, *d = NULL;
    char label[256];

    if (id > 0 && id <= LEN_MAX && c->nd > 0) { /* bsearch of an empty (NULL) array is undefined */
        key.id = (int32_t)id;
        d = bsearch(&key, c->d, c->nd, sizeof(*c->d), dentry_cmp);
    }
    if (d == NULL)
        return err_set(e, ERR_FORMAT, CUSTOM "data block for unknown toc entry %lld", (long long)id);
    if (d->seen)
        return err_set(e, ERR_FORMAT, CUSTOM "second data block for toc entry %d", (int)d->id);
    if (d->is_table && c->blktype != BLK_DATA)
        return err_set(e, ERR_FORMAT, CUSTOM "table data of '%s' in a large-object block",
                       table_label(pc, d, label, sizeof(label)));
    d->seen = true;
    c->cur = d;
    copyscan_reset(&c->cs);
    want_int(c, c->blktype == BLK_DATA ? F_CHUNK_LEN : F_LO_OID);
    return 0;
}

static void
block_end(struct custom *c)
{
    c->dseen++;
    c->cur = NULL;
    want_fixed(c, F_BLK_TYPE, 1);
}

static int
chunk_begin(struct pgcount *pc, int64_t v, struct err *e)
{
    struct custom *c = &pc->c;
    char label[256];

    if (v < 0 || v > LEN_MAX)
        return err_set(e, ERR_FORMAT, CUSTOM "impossible data chunk length %lld", (long long)v);
    if (v == 0) {
        if (c->blktype == BLK_BLOBS)
            want_int(c, F_LO_OID);
        else
            block_end(c);
        return 0;
    }
    if (c->blktype == BLK_DATA && c->cur->is_table) {
        if (!c->cur->copy)
            return err_set(e, ERR_FORMAT, CUSTOM "table data of '%s' is not COPY data (pg_dump --inserts?)",
                           table_label(pc, c->cur, label, sizeof(label)));
        want_bytes(c, F_CHUNK, CI_COPY, (uint64_t)v);
    } else {
        want_bytes(c, F_CHUNK, CI_SKIP, (uint64_t)v);
    }
    return 0;
}

/* A field is complete: take its value and say what comes next. */
static int
custom_field(struct pgcount *pc, struct err *e)
{
    struct custom *c = &pc->c;
    int64_t v = c->item == CI_FIXED && c->is_int ? fix_int(c) : 0;
    bool failed;

    switch (c->field) {
    case F_MAGIC:
        if (memcmp(c->fix, "PGDMP", 5) != 0)
            return err_set(e, ERR_FORMAT, "not a pg_dump custom-format archive (no PGDMP signature)");
        want_fixed(c, F_VMAJ, 1);
        return 0;
    case F_VMAJ:
        if (c->fix[0] != 1)
            return err_set(e, ERR_FORMAT, CUSTOM "unsupported archive version %u.x", (unsigned)c->fix[0]);
        want_fixed(c, F_VMIN, 1);
        return 0;
    case F_VMIN:
        c->vmin = c->fix[0];
        if (c->vmin < MINOR_MIN || c->vmin > MINOR_MAX)
            return err_set(e, ERR_FORMAT, CUSTOM "unsupported archive version 1.%u (1.%d to 1.%d are known)", c->vmin,
                           MINOR_MIN, MINOR_MAX);
        want_fixed(c, F_VREV, 1);
        return 0;
    case F_VREV:
        want_fixed(c, F_INTSIZE, 1);
        return 0;
    case F_INTSIZE:
        if (c->fix[0] < 1 || c->fix[0] > 8)
            return err_set(e, ERR_FORMAT, CUSTOM "unsupported integer size %u", (unsigned)c->fix[0]);
        c->intsize = c->fix[0];
        want_fixed(c, F_OFFSIZE, 1);
        return 0;
    case F_OFFSIZE:
        if (c->fix[0] < 1 || c->fix[0] > 16)
            return err_set(e, ERR_FORMAT, CUSTOM "unsupported offset size %u", (unsigned)c->fix[0]);
        c->offsize = c->fix[0];
        want_fixed(c, F_FORMAT, 1);
        return 0;
    case F_FORMAT:
        if (c->fix[0] != ARCHIVE_CUSTOM)
            return err_set(e, ERR_FORMAT, CUSTOM "header names archive format %u, not custom", (unsigned)c->fix[0]);
        if (c->vmin >= 15)
            want_fixed(c, F_COMPRESSION, 1); /* the compression algorithm */
        else
            want_int(c, F_COMPRESSION); /* the zlib level */
        return 0;
    case F_COMPRESSION:
        if (c->vmin >= 15 ? c->fix[0] != 0 : v != 0) {
            err_set(e, ERR_FORMAT, "pg_dump custom-format data is compressed; safedump needs -Z0");
            return err_hint(e, "run pg_dump with -Z0 (PostgreSQL 16 and later: --compress=none)");
        }
        c->ntime = 0;
        want_int(c, F_TIME);
        return 0;
    case F_TIME:
        if (++c->ntime < 7)
            want_int(c, F_TIME);
        else
            want_str(c, F_DBNAME, false);
        return 0;
    case F_DBNAME:
        want_str(c, F_REMOTEVER, true);
        return 0;
    case F_REMOTEVER:
        free(pc->version);
        pc->version = str_dup(c, e, &failed);
        if (failed)
            return -1;
        want_str(c, F_DUMPVER, false);
        return 0;
    case F_DUMPVER:
        want_int(c, F_TOCCOUNT);
        return 0;
    case F_TOCCOUNT:
        if (v < 0 || v > LEN_MAX)
            return err_set(e, ERR_FORMAT, CUSTOM "impossible toc entry count %lld", (long long)v);
        c->tocleft = v;
        if (v == 0)
            return toc_done(pc, e);
        want_int(c, F_TE_ID);
        return 0;
    case F_TE_ID:
        if (v <= 0 || v > LEN_MAX)
            return err_set(e, ERR_FORMAT, CUSTOM "toc entry id %lld out of range", (long long)v);
        c->te_id = (int32_t)v;
        want_int(c, F_TE_HADDUMPER);
        return 0;
    case F_TE_HADDUMPER:
        c->te_data = v != 0;
        want_str(c, F_TE_TABLEOID, false);
        return 0;
    case F_TE_TABLEOID:
        want_str(c, F_TE_OID, false);
        return 0;
    case F_TE_OID:
        want_str(c, F_TE_TAG, true);
        return 0;
    case F_TE_TAG:
        c->te_tag = str_dup(c, e, &failed);
        if (failed)
            return -1;
        want_str(c, F_TE_DESC, true);
        return 0;
    case F_TE_DESC:
        c->te_tabledata = c->slen >= 0 && strcmp(c->str, "TABLE DATA") == 0;
        want_int(c, F_TE_SECTION);
        return 0;
    case F_TE_SECTION:
        want_str(c, F_TE_DEFN, false);
        return 0;
    case F_TE_DEFN:
        want_str(c, F_TE_DROP, false);
        return 0;
    case F_TE_DROP:
        want_str(c, F_TE_COPY, false);
        return 0;
    case F_TE_COPY:
        c->te_copy = c->slen > 0;
        want_str(c, F_TE_NAMESPACE, true);
        return 0;
    case F_TE_NAMESPACE:
        c->te_ns = str_dup(c, e, &failed);
        if (failed)
            return -1;
        want_str(c, F_TE_TABLESPACE, false);
        return 0;
    case F_TE_TABLESPACE:
        if (c->vmin >= 14)
            want_str(c, F_TE_TABLEAM, false);
        else
            want_str(c, F_TE_OWNER, false);
        return 0;
    case F_TE_TABLEAM:
        if (c->vmin >= 16)
            want_int(c, F_TE_RELKIND);
        else
            want_str(c, F_TE_OWNER, false);
        return 0;
    case F_TE_RELKIND:
        want_str(c, F_TE_OWNER, false);
        return 0;
    case F_TE_OWNER:
        want_str(c, F_TE_WITHOIDS, false);
        return 0;
    case F_TE_WITHOIDS:
        want_str(c, F_TE_DEP, false);
        return 0;
    case F_TE_DEP:
        if (c->slen < 0) /* a NULL ends the list */
            want_fixed(c, F_TE_OFFFLAG, 1);
        else
            want_str(c, F_TE_DEP, false);
        return 0;
    case F_TE_OFFFLAG:
        if (c->fix[0] < 1 || c->fix[0] > 3)
            return err_set(e, ERR_FORMAT, CUSTOM "toc entry %d: bad data offset flag %u", (int)c->te_id,
                           (unsigned)c->fix[0]);
        want_bytes(c, F_TE_OFFSET, CI_SKIP, c->offsize);
        return 0;
    case F_TE_OFFSET:
        if (entry_done(pc, e) == -1)
            return -1;
        if (--c->tocleft == 0)
            return toc_done(pc, e);
        want_int(c, F_TE_ID);
        return 0;
    case F_BLK_TYPE:
        if (c->fix[0] != BLK_DATA && c->fix[0] != BLK_BLOBS)
            return err_set(e, ERR_FORMAT, CUSTOM "unknown data block type %u", (unsigned)c->fix[0]);
        c->blktype = c->fix[0];
        want_int(c, F_BLK_ID);
        return 0;
    case F_BLK_ID:
        return block_begin(pc, v, e);
    case F_CHUNK_LEN:
        return chunk_begin(pc, v, e);
    case F_CHUNK:
        want_int(c, F_CHUNK_LEN);
        return 0;
    case F_LO_OID:
        /* Oids above INT_MAX come as negative numbers; only 0 means something. */
        if (v == 0)
            block_end(c);
        else
            want_int(c, F_CHUNK_LEN);
        return 0;
    }
    return err_set(e, ERR_INTERNAL, "pgcount: bad state %d", (int)c->field);
}

/* The current item is complete: a string length starts the string, anything else ends a field. */
static int
custom_item(struct pgcount *pc, struct err *e)
{
    struct custom *c = &pc->c;

    if (c->item == CI_FIXED && c->is_len) {
        int64_t n = fix_int(c);
        c->is_len = false;
        if (n < 0) {
            c->slen = -1;
            return custom_field(pc, e);
        }
        if (n > LEN_MAX)
            return err_set(e, ERR_FORMAT, CUSTOM "impossible string length %lld", (long long)n);
        c->slen = n;
        if (c->keep) {
            if (n > STR_MAX)
                return err_set(e, ERR_FORMAT, CUSTOM "toc string of %lld bytes is too long", (long long)n);
            if ((size_t)n + 1 > c->strcap) {
                char *s = realloc(c->str, (size_t)n + 1);
                if (s == NULL)
                    return nomem(e);
                c->str = s;
                c->strcap = (size_t)n + 1;
            }
            c->str[n] = '\0';
            c->item = CI_KEEP;
        } else {
            c->item = CI_SKIP;
        }
        c->left = (uint64_t)n;
        return 0;
    }
    return custom_field(pc, e);
}

static int
custom_write(struct pgcount *pc, const unsigned char *p, size_t len, struct err *e)
{
    struct custom *c = &pc->c;

    while (len > 0) {
        size_t n;

        switch (c->item) {
        case CI_FIXED:
            n = c->fixwant - c->fixlen;
            n = n < len ? n : len;
            memcpy(c->fix + c->fixlen, p, n);
            c->fixlen += n;
            break;
        case CI_KEEP:
            n = c->left < len ? (size_t)c->left : len;
            memcpy(c->str + ((uint64_t)c->slen - c->left), p, n);
            c->left -= n;
            break;
        case CI_COPY:
            n = c->left < len ? (size_t)c->left : len;
            if (!c->cs.ended) /* after "\." the rest of the block is not rows */
                (void)copyscan(&c->cs, &pc->tables[c->cur->table].rows, p, n);
            c->left -= n;
            break;
        default:
            n = c->left < len ? (size_t)c->left : len;
            c->left -= n;
            break;
        }
        p += n;
        len -= n;
        while (item_done(c))
            if (custom_item(pc, e) == -1)
                return -1;
    }
    return 0;
}

static int
custom_finish(struct pgcount *pc, struct err *e)
{
    const struct custom *c = &pc->c;

    if (c->field != F_BLK_TYPE || c->fixlen != 0 || c->dseen < c->dexpected)
        return err_set(e, ERR_FORMAT, TRUNCATED);
    return 0;
}

/*
 * Plain format.
 */

static bool
ident_char(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '$' ||
           ch >= 0x80;
}

static bool
is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

static int
lex(struct plain *pl, unsigned char ch, struct err *e)
{
again:
    switch (pl->lex) {
    case LX_SQL:
        if (ch == '-') {
            pl->lex = LX_DASH;
        } else if (ch == '/') {
            pl->lex = LX_SLASH;
        } else if (ch == '\\' && pl->first) {
            pl->lex = LX_META;
        } else if (ch == ';') {
            pl->stmt_empty = true;
        } else if (!is_space(ch)) {
            pl->stmt_empty = false;
            if (ch == '\'') {
                pl->esc = !pl->std_strings || ((pl->prev == 'E' || pl->prev == 'e') && !ident_char(pl->prev2));
                pl->esc_next = false;
                pl->lex = LX_SQUOTE;
            } else if (ch == '"') {
                pl->lex = LX_DQUOTE;
            } else if (ch == '$' && !ident_char(pl->prev)) {
                pl->taglen = 0;
                pl->lex = LX_DOLLAR_TAG;
            }
        }
        break;
    case LX_DASH:
        if (ch == '-') {
            pl->lex = LX_LINE_COMMENT;
            break;
        }
        pl->stmt_empty = false;
        pl->lex = LX_SQL;
        goto again;
    case LX_SLASH:
        if (ch == '*') {
            pl->depth = 1;
            pl->blk_prev = 0;
            pl->lex = LX_BLOCK_COMMENT;
            break;
        }
        pl->stmt_empty = false;
        pl->lex = LX_SQL;
        goto again;
    case LX_LINE_COMMENT:
    case LX_META:
        if (ch == '\n')
            pl->lex = LX_SQL;
        break;
    case LX_BLOCK_COMMENT:
        if (pl->blk_prev == '*' && ch == '/') {
            pl->blk_prev = 0;
            if (--pl->depth == 0)
                pl->lex = LX_SQL;
        } else if (pl->blk_prev == '/' && ch == '*') {
            pl->blk_prev = 0;
            pl->depth++;
        } else {
            pl->blk_prev = ch;
        }
        break;
    case LX_SQUOTE:
        if (pl->esc_next)
            pl->esc_next = false;
        else if (ch == '\\' && pl->esc)
            pl->esc_next = true;
        else if (ch == '\'')
            pl->lex = LX_SQUOTE_END;
        break;
    case LX_SQUOTE_END:
        if (ch == '\'') { /* '' inside a string */
            pl->lex = LX_SQUOTE;
            break;
        }
        pl->lex = LX_SQL;
        goto again;
    case LX_DQUOTE:
        if (ch == '"')
            pl->lex = LX_SQL;
        break;
    case LX_DOLLAR_TAG:
        if (ch == '$') {
            pl->match = 0;
            pl->lex = LX_DOLLAR;
            break;
        }
        if (ident_char(ch) && ch != '$' && !(pl->taglen == 0 && ch >= '0' && ch <= '9')) {
            if (pl->taglen == sizeof(pl->tag))
                return err_set(e, ERR_FORMAT, "pg_dump output: dollar-quote tag longer than %d bytes", DOLLAR_MAX);
            pl->tag[pl->taglen++] = (char)ch;
            break;
        }
        pl->lex = LX_SQL; /* a parameter like $1, or a stray '$' */
        goto again;
    case LX_DOLLAR: {
        /* The closing delimiter is "$tag$"; '$' occurs in it only at both ends. */
        size_t n = pl->taglen + 2;
        unsigned char want = pl->match == 0 || pl->match == n - 1 ? '$' : (unsigned char)pl->tag[pl->match - 1];
        if (ch == want) {
            if (++pl->match == n)
                pl->lex = LX_SQL;
        } else {
            pl->match = ch == '$' ? 1 : 0;
        }
        break;
    }
    }
    return 0;
}

static bool
head_is(const char *h, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(h, s, n) == 0;
}

static bool
head_starts(const char *h, size_t n, const char *s)
{
    return n >= strlen(s) && memcmp(h, s, strlen(s)) == 0;
}

/* The last bytes of the line (without '\n' and a final '\r') end with ${s}. */
static bool
line_ends(const struct plain *pl, const char *s)
{
    char t[TAIL_MAX];
    size_t n = pl->linelen < TAIL_MAX ? pl->linelen : TAIL_MAX;
    size_t sl = strlen(s);

    for (size_t i = 0; i < n; i++)
        t[i] = pl->tail[(pl->linelen - n + i) % TAIL_MAX];
    if (n > 0 && t[n - 1] == '\r')
        n--;
    return n >= sl && memcmp(t + n - sl, s, sl) == 0;
}

/*
 * ident(p, end, out): one identifier at *${p}, "quoted" (with "" for ") or plain, up to '.', ' ' or '('.
 * Returns a malloc'd copy, or NULL (with *${bad} set when it is malformed rather than out of memory).
 */
static char *
ident(const char **p, const char *end, bool *bad)
{
    const char *s = *p;
    char *out = malloc((size_t)(end - s) + 1);
    size_t n = 0;

    *bad = false;
    if (out == NULL)
        return NULL;
    if (s < end && *s == '"') {
        for (s++;; s++) {
            if (s == end)
                goto bad;
            if (*s == '"') {
                if (s + 1 < end && s[1] == '"') {
                    out[n++] = *s++;
                    continue;
                }
                s++;
                break;
            }
            out[n++] = *s;
        }
    } else {
        while (s < end && *s != '.' && *s != ' ' && *s != '(')
            out[n++] = *s++;
    }
    if (n == 0)
        goto bad;
    out[n] = '\0';
    *p = s;
    return out;
bad:
    free(out);
    *bad = true;
    return NULL;
}

/* A line that began a statement ended: COPY, the version comment, the end marker, \restrict. */
static int
plain_line(struct pgcount *pc, struct err *e)
{
    struct plain *pl = &pc->p;
    const char *h = pl->head;
    size_t n = pl->headlen;
    static const char dumped[] = "-- Dumped from database version ";

    if (n > 0 && n == pl->linelen && h[n - 1] == '\r')
        n--;
    if (head_starts(h, n, "COPY ") && pl->lex == LX_SQL && pl->stmt_empty && line_ends(pl, " FROM stdin;")) {
        const char *p = h + 5, *end = h + n;
        char *schema, *name;
        bool bad;

        if ((schema = ident(&p, end, &bad)) == NULL)
            goto bad_copy;
        if (p < end && *p == '.') {
            p++;
            if ((name = ident(&p, end, &bad)) == NULL) {
                free(schema);
                goto bad_copy;
            }
        } else {
            name = schema; /* not schema-qualified: pg_dump before 2018 */
            schema = dup_bytes("", 0);
        }
        if (schema == NULL || p == end || *p != ' ') {
            free(schema);
            free(name);
            bad = schema != NULL;
            goto bad_copy;
        }
        if (tables_add(pc, schema, name, e) == -1)
            return -1;
        pl->table = pc->ntables - 1;
        pl->in_copy = true;
        copyscan_reset(&pl->cs);
        return 0;
    bad_copy:
        if (!bad)
            return nomem(e);
        return err_set(e, ERR_FORMAT, "pg_dump output: cannot read the table name of a COPY statement");
    }
    if (head_starts(h, n, dumped) && pc->version == NULL) {
        if ((pc->version = dup_bytes(h + sizeof(dumped) - 1, n - (sizeof(dumped) - 1))) == NULL)
            return nomem(e);
    } else if (head_is(h, n, "-- PostgreSQL database dump complete")) {
        pl->complete = true;
    } else if (head_starts(h, n, "\\restrict ") && pl->restrict_key == NULL) {
        if ((pl->restrict_key = dup_bytes(h + 10, n - 10)) == NULL)
            return nomem(e);
    } else if (head_starts(h, n, "\\unrestrict ") && pl->restrict_key != NULL) {
        pl->unrestricted = n - 12 == strlen(pl->restrict_key) && memcmp(h + 12, pl->restrict_key, n - 12) == 0;
    } else if (head_is(h, n, "SET standard_conforming_strings = on;")) {
        pl->std_strings = true;
    } else if (head_is(h, n, "SET standard_conforming_strings = off;")) {
        pl->std_strings = false;
    }
    return 0;
}

static int
plain_write(struct pgcount *pc, const unsigned char *p, size_t len, struct err *e)
{
    struct plain *pl = &pc->p;

    while (len > 0) {
        if (pl->in_copy) {
            size_t n = copyscan(&pl->cs, &pc->tables[pl->table].rows, p, len);
            p += n;
            len -= n;
            if (pl->cs.ended) {
                pl->in_copy = false;
                pl->line_start = true;
                pl->prev = pl->prev2 = '\n';
            }
            continue;
        }

        unsigned char ch = *p++;
        len--;
        pl->first = pl->line_start;
        if (pl->line_start) {
            pl->line_start = false;
            pl->capture = pl->lex == LX_SQL && pl->stmt_empty;
            pl->headlen = pl->linelen = 0;
        }
        if (lex(pl, ch, e) == -1)
            return -1;
        pl->prev2 = pl->prev;
        pl->prev = ch;
        /*
         * A quoted name may hold a newline: a COPY statement then goes on, as one line, until a newline
         * outside quotes.
         */
        if (ch == '\n' && !(pl->capture && pl->lex != LX_SQL && head_starts(pl->head, pl->headlen, "COPY "))) {
            pl->line_start = true;
            if (pl->capture && plain_line(pc, e) == -1)
                return -1;
        } else if (pl->capture) {
            if (pl->headlen < HEAD_MAX)
                pl->head[pl->headlen++] = (char)ch;
            pl->tail[pl->linelen++ % TAIL_MAX] = (char)ch;
        }
    }
    return 0;
}

static int
plain_finish(struct pgcount *pc, struct err *e)
{
    const struct plain *pl = &pc->p;

    if (pl->in_copy || !pl->complete || !pl->line_start || (pl->restrict_key != NULL && !pl->unrestricted))
        return err_set(e, ERR_FORMAT, TRUNCATED);
    return 0;
}

/*
 * The stage.
 */

static int
pgcount_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct pgcount *pc = (struct pgcount *)s;
    int rc;

    if (pc->failed)
        return err_set(e, ERR_INTERNAL, "pgcount: write after a failure");
    if (pc->fmt == PG_FORMAT_CUSTOM)
        rc = custom_write(pc, buf, len, e);
    else
        rc = plain_write(pc, buf, len, e);
    if (rc == -1) {
        pc->failed = true;
        return -1;
    }
    return stage_emit(s, buf, len, e);
}

static int
pgcount_finish(struct stage *s, struct err *e)
{
    struct pgcount *pc = (struct pgcount *)s;

    if (pc->failed)
        return err_set(e, ERR_INTERNAL, "pgcount: finish after a failure");
    if (pc->fmt == PG_FORMAT_CUSTOM)
        return custom_finish(pc, e);
    return plain_finish(pc, e);
}

static void
pgcount_free(struct stage *s)
{
    struct pgcount *pc = (struct pgcount *)s;

    for (size_t i = 0; i < pc->ntables; i++) {
        free(pc->tables[i].schema);
        free(pc->tables[i].name);
    }
    free(pc->tables);
    free(pc->version);
    free(pc->c.str);
    free(pc->c.te_tag);
    free(pc->c.te_ns);
    free(pc->c.d);
    free(pc->p.restrict_key);
    stage_free(s->next);
    free(pc);
}

static const struct stage_ops pgcount_ops = {"pgcount", pgcount_write, pgcount_finish, pgcount_free};

struct stage *
pgcount_new(enum pg_dump_format fmt, struct stage *next, struct err *e)
{
    struct pgcount *pc;

    assert(fmt == PG_FORMAT_CUSTOM || fmt == PG_FORMAT_PLAIN);
    if ((pc = calloc(1, sizeof(*pc))) == NULL) {
        stage_free(next);
        nomem(e);
        return NULL;
    }
    pc->base.ops = &pgcount_ops;
    pc->base.next = next;
    pc->fmt = fmt;
    want_fixed(&pc->c, F_MAGIC, 5);
    pc->p.lex = LX_SQL;
    pc->p.line_start = true;
    pc->p.stmt_empty = true;
    pc->p.std_strings = true;
    pc->p.prev = pc->p.prev2 = '\n';
    return &pc->base;
}

const struct pg_table_count *
pgcount_tables(const struct stage *s, size_t *n)
{
    const struct pgcount *pc = (const struct pgcount *)s;

    assert(s->ops == &pgcount_ops);
    *n = pc->ntables;
    return pc->tables;
}

const char *
pgcount_server_version(const struct stage *s)
{
    const struct pgcount *pc = (const struct pgcount *)s;

    assert(s->ops == &pgcount_ops);
    return pc->version ? pc->version : "";
}
