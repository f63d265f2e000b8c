/*
 * Configuration: one INI file, a [defaults] section and one section per job. Every key can also be
 * given as a command-line flag (flag_apply), which overrides the file. Secrets are never values:
 * a source URL with a password in the file is refused.
 */
#ifndef SAFEDUMP_CMD_CONFIG_H
#define SAFEDUMP_CMD_CONFIG_H

#include <stddef.h>

#include "catalog/retention.h"
#include "source/pgcount.h"
#include "storage/storage.h"

struct err;

#define CONFIG_DEFAULT_PATH "/etc/safedump/safedump.conf"

/* Where a job's results go (src/alert/); strings are NULL when not set. */
struct alert_conf {
    char *metrics_dir; /* node_exporter textfile collector directory */
    char *pushgateway; /* http://host:9091 */
    char *notify_mail; /* To: address(es) */
    char *sendmail;    /* sendmail-compatible program; default "sendmail" */
    char *webhook_url; /* JSON POST */
    char *ping_url;    /* URL/start, URL, URL/fail */
    char *on_success;  /* exec hooks */
    char *on_failure;
    int notify_always;     /* notify_on = always (else: failures and warnings only) */
    int notify_timeout;    /* seconds per notification attempt and per hook */
    long max_age;          /* seconds: check --freshness */
    double min_size_ratio; /* a backup smaller than this share of the previous one is a warning */
};
#define CONFIG_S3_NSTR 9

struct job_conf {
    char name[128];
    char *source;      /* postgres://... */
    char *repository;  /* directory or file://... */
    char **recipients; /* "age1..." */
    size_t n_recipients;
    char *recipients_file; /* one recipient per line, '#' comments */
    char **pgp_recipients; /* OpenPGP: fingerprints or public key files */
    size_t n_pgp_recipients;
    char *pgp_homedir; /* GnuPG home for fingerprints; NULL: GNUPGHOME or ~/.gnupg */
    int zstd_level;    /* 1..19 */
    int threads;       /* zstd workers; 0 = one per CPU */
    enum pg_dump_format pg_format;
    char *pg_dump; /* program */
    char **pg_dump_args;
    size_t n_pg_dump_args;
    char *restore_test_target;         /* server for restore tests; NULL: a scratch server */
    char *restore_test_sql;            /* a query that must return true after a restore test */
    char *state_dir;                   /* where verify results are recorded; NULL: not recorded */
    struct retention_policy retention; /* keep_* rules, max_total_size, min_age, retention_timezone */
    char *retention_timezone;          /* owned; retention.tz points here */
    long debris_grace;                 /* seconds before data without a manifest is removed */
    int prune_after_backup;
    struct alert_conf alert;
    char *s3[CONFIG_S3_NSTR]; /* the s3_* string keys, in the order of config.c's s3_keys */
    int s3_path_style;        /* 0 auto, 1 yes, 2 no */
    long s3_object_lock_retain;
    int s3_upload_concurrency;
    uint64_t s3_part_size;
    int s3_retries;
};

struct config {
    char path[4096];
    int loaded;               /* a file was read */
    struct job_conf defaults; /* [defaults] and built-in defaults */
    struct job_conf *jobs;
    size_t n_jobs;
};

/**
 * config_load(c, path, required, e): read ${path} into ${c}. When the file does not exist and
 * ${required} is 0, ${c} holds only built-in defaults. Errors name "FILE:LINE" and the key (ERR_CONFIG).
 */
int config_load(struct config *c, const char *path, int required, struct err *e);

/** config_release(c) */
void config_release(struct config *c);

/** config_job(c, name): the job's settings, or NULL if the file has no such section. */
const struct job_conf *config_job(const struct config *c, const char *name);

/**
 * config_set(j, key, value, e): set one key on ${j} (the file's keys; also used for flags, with the
 * flag's name without "--" and '-' read as '_'). Repeatable keys (recipient, pgp_recipient, pg_dump_arg)
 * append.
 */
int config_set(struct job_conf *j, const char *key, const char *value, struct err *e);

/** config_url_has_password(url): "scheme://user:pw@..." or a "password=" parameter. */
int config_url_has_password(const char *url);

/** config_parse_duration(v, out): "26h", "90m", "35d", "600s" or "600" (seconds). 0 or -1. */
int config_parse_duration(const char *v, long *out);
/** config_storage_opts(j, o): the repository options of ${j} for storage_open_opts (pointers into ${j}). */
void config_storage_opts(const struct job_conf *j, struct storage_opts *o);

/** config_job_copy(dst, src, e): deep copy, for applying flags over a job from the file. */
int config_job_copy(struct job_conf *dst, const struct job_conf *src, struct err *e);
void config_job_release(struct job_conf *j);

#endif
