/*
 * The catalog: which complete backups a repository holds. A backup is complete when its
 * "JOB/ID/manifest.json" exists and parses; anything else under a job is debris of an unfinished run.
 */
#ifndef SAFEDUMP_CATALOG_CATALOG_H
#define SAFEDUMP_CATALOG_CATALOG_H

#include <stddef.h>
#include <time.h>

#include "catalog/manifest.h"

struct err;
struct storage;

#define CATALOG_MANIFEST "manifest.json"
#define CATALOG_CONTENTS "contents.age"     /* of an age backup: catalog_contents_name() picks */
#define CATALOG_CONTENTS_PGP "contents.gpg" /* of an OpenPGP backup */

struct catalog_entry {
    struct manifest m; /* m.job and m.id name the backup */
};

struct catalog {
    struct catalog_entry *entries; /* newest first (by id, then job) */
    size_t n;
    size_t n_bad; /* manifests that did not parse (reported, not listed) */
};

/**
 * catalog_load(st, job, cat, e): read every manifest (of ${job}, or of all jobs if NULL) into ${cat}.
 * A manifest that does not parse is counted in n_bad and printed as a warning on stderr.
 */
int catalog_load(struct storage *st, const char *job, struct catalog *cat, struct err *e);

/** catalog_release(cat): free what ${cat} holds. */
void catalog_release(struct catalog *cat);

/**
 * catalog_select(cat, spec, out, max, e): backups matching "JOB", "JOB@latest", "JOB@ID" or "JOB@all"
 * ("JOB" alone means latest). Stores pointers into ${cat}. Returns how many (>= 1) or -1 with
 * ERR_NOTFOUND naming the job or id.
 */
int catalog_select(const struct catalog *cat, const char *spec, const struct catalog_entry **out, size_t max,
                   struct err *e);

/** catalog_id(t, out): the backup id for UTC time ${t}: "20261123T020000Z". */
void catalog_id(time_t t, char out[32]);

/** catalog_iso(t, out): "2026-11-23T02:00:00Z". */
void catalog_iso(time_t t, char out[32]);

/** catalog_parse_iso(s, t): parse catalog_iso's format; -1 if malformed. */
int catalog_parse_iso(const char *s, time_t *t);

/**
 * catalog_contents_name(encryption): the name of the contents object of a backup encrypted with
 * ${encryption} ("age" or "pgp", the manifest's field): it is encrypted the same way as the data.
 */
const char *catalog_contents_name(const char *encryption);

/** catalog_key(out, outsz, job, id, name): "JOB/ID/NAME". */
void catalog_key(char *out, size_t outsz, const char *job, const char *id, const char *name);

#endif
