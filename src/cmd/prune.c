/*
 * safedump prune [JOB...] [--dry-run]: apply each job's retention policy (catalog/prune.c) and remove
 * debris, explaining every keep and delete.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "catalog/prune.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "storage/storage.h"
#include "util/err.h"

static const char usage_text[] =
    "usage: safedump prune [JOB...] [options]\n\n"
    "Apply the retention policy (keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly,\n"
    "keep_yearly, keep_within, max_total_size, min_age) to the jobs named, or to every job in the\n"
    "repository, and remove debris of unfinished runs older than debris_grace. Prints every backup with\n"
    "keep or delete and the rules behind it. The newest backup of a job is never deleted.\n\n"
    "  --config FILE        configuration file\n"
    "  --repository DIR     the repository (default: from the configuration)\n"
    "  --dry-run            decide and print, delete nothing\n";

struct jobs {
    char **v;
    size_t n;
};

/* Every job that has objects in the repository: the first path segment of each key. */
static int
collect_job(void *arg, const char *key, uint64_t size, struct err *e)
{
    struct jobs *j = arg;
    size_t len = strcspn(key, "/"), i;
    char **v;

    (void)size;
    for (i = 0; i < j->n; i++)
        if (strlen(j->v[i]) == len && strncmp(j->v[i], key, len) == 0)
            return 0;
    if ((v = realloc(j->v, (j->n + 1) * sizeof(*v))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    j->v = v;
    if ((v[j->n] = strndup(key, len)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    j->n++;
    return 0;
}

int
cmd_prune_one(struct storage *st, const struct job_conf *j, const char *job, int dry_run, struct err *e)
{
    struct prune_opts o;
    struct prune_report r;
    char freed[32];

    o.policy = &j->retention;
    o.debris_grace = j->debris_grace;
    o.dry_run = dry_run;
    o.now = time(NULL);
    if (prune_job(st, job, &o, stdout, &r, e) == -1)
        return -1;
    printf("prune '%s': kept %zu, %s %zu, debris %zu, %s %s\n", job, r.kept, dry_run ? "would delete" : "deleted",
           r.deleted, r.debris, cmd_size(r.freed, freed), dry_run ? "would be freed" : "freed");
    fflush(stdout);
    return 0;
}

int
cmd_prune(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"repository", required_argument, NULL, 'r'},
        {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct config cfg;
    struct storage *st = NULL;
    struct storage_opts so;
    struct jobs jobs = {NULL, 0};
    const char *config_path = NULL, *repo_flag = NULL, *repo;
    size_t i, failed = 0;
    int c, dry_run = 0, rc = -1;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'r':
            repo_flag = optarg;
            break;
        case 'n':
            dry_run = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "prune", "prune: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;
    if ((repo = cmd_repository(&cfg, repo_flag, e)) == NULL)
        goto out;
    config_storage_opts(&cfg.defaults, &so);
    if ((st = storage_open_opts(repo, 0, &so, e)) == NULL)
        goto out;
    for (; optind < argc; optind++) {
        char *job = argv[optind];
        if (!manifest_job_valid(job)) {
            err_set(e, ERR_USAGE, "invalid job name '%s'", job);
            goto out;
        }
        if (collect_job(&jobs, job, 0, e) == -1)
            goto out;
    }
    if (jobs.n == 0 && storage_list(st, "", collect_job, &jobs, e) == -1) {
        err_wrap(e, "prune: listing failed, nothing deleted");
        goto out;
    }
    for (i = 0; i < jobs.n; i++) {
        const struct job_conf *j = config_job(&cfg, jobs.v[i]);
        struct err je;
        if (!manifest_job_valid(jobs.v[i]))
            continue; /* not a job directory */
        err_init(&je);
        if (cmd_prune_one(st, j ? j : &cfg.defaults, jobs.v[i], dry_run, &je) == 0)
            continue;
        failed++;
        if (jobs.n == 1) {
            *e = je;
            goto out;
        }
        fprintf(stderr, "safedump: %s\n", je.msg);
        if (je.hint[0] != '\0')
            fprintf(stderr, "hint: %s\n", je.hint);
    }
    if (failed > 0 && failed == jobs.n)
        err_set(e, ERR_STORAGE, "prune: all %zu jobs failed", jobs.n);
    else if (failed > 0)
        err_set(e, ERR_PARTIAL, "prune: %zu of %zu jobs failed", failed, jobs.n);
    else
        rc = 0;
out:
    for (i = 0; i < jobs.n; i++)
        free(jobs.v[i]);
    free(jobs.v);
    storage_free(st);
    config_release(&cfg);
    return rc;
}
