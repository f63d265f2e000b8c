/*
 * Prune: apply a retention policy to one job's backups in a repository, and remove debris (objects
 * of runs that never committed a manifest) older than a grace period. Every decision is printed with
 * its reason. A backup is deleted manifest first, so an interrupted prune never leaves a backup that
 * looks complete but is not; rerunning it finishes the work.
 */
#ifndef SAFEDUMP_CATALOG_PRUNE_H
#define SAFEDUMP_CATALOG_PRUNE_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct err;
struct storage;
struct retention_policy;

struct prune_opts {
    const struct retention_policy *policy;
    long debris_grace; /* seconds */
    int dry_run;
    time_t now;
};

struct prune_report {
    size_t kept, deleted, debris;
    uint64_t freed; /* bytes removed (or that would be, in a dry run) */
};

/**
 * prune_job(st, job, o, out, r, e): decide, print one line per backup and debris to ${out}, and
 * (unless dry_run) delete. Refuses (ERR_VERIFY) when a manifest of the job cannot be read, and
 * (ERR_CONFIG) when the policy has no keep rule. A failed listing stops it before any deletion.
 */
int prune_job(struct storage *st, const char *job, const struct prune_opts *o, FILE *out, struct prune_report *r,
              struct err *e);

#endif
