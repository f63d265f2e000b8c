#include "cmd/config.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/manifest.h"
#include "format/pgp.h"
#include "util/err.h"

static void
job_defaults(struct job_conf *j)
{
    memset(j, 0, sizeof(*j));
    j->zstd_level = 3;
    j->threads = 0;
    j->pg_format = PG_FORMAT_CUSTOM;
    j->retention.min_age = 3600;
    j->debris_grace = 86400;
    j->alert.notify_timeout = 10;
    j->alert.max_age = 26 * 3600;
    j->alert.min_size_ratio = 0.5;
}

/* The alert keys that hold one string each: set, copied and freed through this table. */
static const struct {
    const char *key;
    size_t off;
} alert_strings[] = {
    {"metrics_dir", offsetof(struct alert_conf, metrics_dir)},
    {"pushgateway", offsetof(struct alert_conf, pushgateway)},
    {"notify_mail", offsetof(struct alert_conf, notify_mail)},
    {"sendmail", offsetof(struct alert_conf, sendmail)},
    {"webhook_url", offsetof(struct alert_conf, webhook_url)},
    {"ping_url", offsetof(struct alert_conf, ping_url)},
    {"on_success", offsetof(struct alert_conf, on_success)},
    {"on_failure", offsetof(struct alert_conf, on_failure)},
};
#define N_ALERT_STRINGS (sizeof(alert_strings) / sizeof(alert_strings[0]))

static char **
alert_string(struct alert_conf *a, size_t i)
{
    return (char **)(void *)((char *)a + alert_strings[i].off);
}

static const char *
alert_cstring(const struct alert_conf *a, size_t i)
{
    return *(char *const *)(const void *)((const char *)a + alert_strings[i].off);
}

static int
set_str(char **dst, const char *v, struct err *e)
{
    char *s = strdup(v);

    if (s == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    free(*dst);
    *dst = s;
    return 0;
}

static int
push_str(char ***v, size_t *n, const char *s, struct err *e)
{
    char **p = realloc(*v, (*n + 1) * sizeof(*p));

    if (p == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    *v = p;
    if ((p[*n] = strdup(s)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    (*n)++;
    return 0;
}

static int
parse_int(const char *v, int lo, int hi, int *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
        return -1;
    *out = (int)n;
    return 0;
}

int
config_parse_duration(const char *v, long *out)
{
    char *end;
    long n;

    /* bare seconds, else the retention keys' syntax ("26h", "2d", "1w", "1d12h"): one parser for both */
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno == 0 && end != v && *end == '\0') {
        if (n <= 0 || n > 100L * 366 * 86400)
            return -1;
        *out = n;
        return 0;
    }
    if (retention_parse_duration(v, &n) == -1 || n <= 0)
        return -1;
    *out = n;
    return 0;
}

/* The alert keys (src/alert/): 0, -1 with the error, or 1 when ${key} is not one of them. */
static int
alert_set(struct alert_conf *a, const char *key, const char *v, struct err *e)
{
    size_t i;

    for (i = 0; i < N_ALERT_STRINGS; i++) {
        if (strcmp(key, alert_strings[i].key) != 0)
            continue;
        if ((strcmp(key, "pushgateway") == 0 || strcmp(key, "webhook_url") == 0 || strcmp(key, "ping_url") == 0) &&
            strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
            return err_set(e, ERR_CONFIG, "%s: not an http:// or https:// URL", key);
        if (strcmp(key, "notify_mail") == 0 && (strchr(v, '@') == NULL || strpbrk(v, "\r\n") != NULL))
            return err_set(e, ERR_CONFIG, "notify_mail '%s': expected an address such as admins@example.org", v);
        return set_str(alert_string(a, i), v, e);
    }
    if (strcmp(key, "notify_on") == 0) {
        if (strcmp(v, "failure") == 0)
            a->notify_always = 0;
        else if (strcmp(v, "always") == 0)
            a->notify_always = 1;
        else
            return err_set(e, ERR_CONFIG, "notify_on '%s': expected failure or always", v);
        return 0;
    }
    if (strcmp(key, "notify_timeout") == 0) {
        long t;
        if (config_parse_duration(v, &t) == -1 || t > 300)
            return err_set(e, ERR_CONFIG, "notify_timeout '%s': expected 1s to 300s", v);
        a->notify_timeout = (int)t;
        return 0;
    }
    if (strcmp(key, "max_age") == 0) {
        if (config_parse_duration(v, &a->max_age) == -1)
            return err_set(e, ERR_CONFIG, "max_age '%s': expected a duration such as 26h, 90m or 2d", v);
        return 0;
    }
    if (strcmp(key, "min_size_ratio") == 0) {
        char *end;
        double d;
        errno = 0;
        d = strtod(v, &end);
        if (errno != 0 || end == v || *end != '\0' || !(d >= 0.0 && d <= 1.0))
            return err_set(e, ERR_CONFIG, "min_size_ratio '%s': expected a number from 0 (off) to 1", v);
        a->min_size_ratio = d;
        return 0;
    }
    return 1;
}

int
config_url_has_password(const char *url)
{
    const char *s = strstr(url, "://"), *at;

    if (strstr(url, "password=") != NULL)
        return 1;
    if (s == NULL)
        return 0;
    at = strchr(s + 3, '@');
    return at != NULL && memchr(s + 3, ':', (size_t)(at - (s + 3))) != NULL;
}

/* The string keys of the S3 driver, in the order of job_conf.s3[]. */
static const char *const s3_keys[CONFIG_S3_NSTR] = {
    "s3_endpoint",
    "s3_region",
    "s3_profile",
    "s3_ca_file",
    "s3_sse",
    "s3_kms_key_id",
    "s3_sse_customer_key_file",
    "s3_storage_class",
    "s3_object_lock",
};

static int
config_set_s3(struct job_conf *j, const char *key, const char *v, struct err *e)
{
    for (size_t i = 0; i < CONFIG_S3_NSTR; i++) {
        if (strcmp(key, s3_keys[i]) != 0)
            continue;
        if (strcmp(key, "s3_endpoint") == 0 && strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0)
            return err_set(e, ERR_CONFIG, "s3_endpoint '%s': expected https://HOST[:PORT] or http://HOST[:PORT]", v);
        if (strcmp(key, "s3_sse") == 0 && strcmp(v, "AES256") != 0 && strcmp(v, "aws:kms") != 0)
            return err_set(e, ERR_CONFIG, "s3_sse '%s': expected AES256 or aws:kms (SSE-C: s3_sse_customer_key_file)",
                           v);
        if (strcmp(key, "s3_object_lock") == 0 && strcmp(v, "governance") != 0 && strcmp(v, "compliance") != 0)
            return err_set(e, ERR_CONFIG, "s3_object_lock '%s': expected governance or compliance", v);
        return set_str(&j->s3[i], v, e);
    }
    if (strcmp(key, "s3_path_style") == 0) {
        if (strcmp(v, "auto") == 0)
            j->s3_path_style = 0;
        else if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
            j->s3_path_style = 1;
        else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
            j->s3_path_style = 2;
        else
            return err_set(e, ERR_CONFIG, "s3_path_style '%s': expected yes, no or auto", v);
        return 0;
    }
    if (strcmp(key, "s3_object_lock_retain") == 0) {
        if (retention_parse_duration(v, &j->s3_object_lock_retain) == -1 || j->s3_object_lock_retain <= 0)
            return err_set(e, ERR_CONFIG, "s3_object_lock_retain '%s': expected a duration such as 30d", v);
        return 0;
    }
    if (strcmp(key, "s3_upload_concurrency") == 0) {
        if (parse_int(v, 1, 64, &j->s3_upload_concurrency) == -1)
            return err_set(e, ERR_CONFIG, "s3_upload_concurrency '%s': expected 1 to 64", v);
        return 0;
    }
    if (strcmp(key, "s3_retries") == 0) {
        if (parse_int(v, 1, 30, &j->s3_retries) == -1)
            return err_set(e, ERR_CONFIG, "s3_retries '%s': expected 1 to 30", v);
        return 0;
    }
    if (strcmp(key, "s3_part_size") == 0) {
        if (retention_parse_size(v, &j->s3_part_size) == -1 || j->s3_part_size < 5u * 1024 * 1024 ||
            j->s3_part_size > 5ull * 1024 * 1024 * 1024)
            return err_set(e, ERR_CONFIG, "s3_part_size '%s': expected a size from 5M to 5G", v);
        return 0;
    }
    return err_set(e, ERR_CONFIG, "unknown key '%s'", key);
}

void
config_storage_opts(const struct job_conf *j, struct storage_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->s3_endpoint = j->s3[0];
    o->s3_region = j->s3[1];
    o->s3_profile = j->s3[2];
    o->s3_ca_file = j->s3[3];
    o->s3_sse = j->s3[4];
    o->s3_kms_key_id = j->s3[5];
    o->s3_sse_customer_key_file = j->s3[6];
    o->s3_storage_class = j->s3[7];
    o->s3_object_lock = j->s3[8];
    o->s3_path_style = j->s3_path_style;
    o->s3_object_lock_retain = j->s3_object_lock_retain;
    o->s3_upload_concurrency = j->s3_upload_concurrency;
    o->s3_part_size = (size_t)j->s3_part_size;
    o->s3_retries = j->s3_retries;
}

int
config_set(struct job_conf *j, const char *key, const char *v, struct err *e)
{
    int rc;

    if ((rc = alert_set(&j->alert, key, v, e)) != 1)
        return rc;
    if (strncmp(key, "s3_", 3) == 0)
        return config_set_s3(j, key, v, e);
    if (strcmp(key, "source") == 0) {
        if (strncmp(v, "postgres://", 11) != 0 && strncmp(v, "postgresql://", 13) != 0)
            return err_set(e, ERR_CONFIG, "source '%s': not a postgres:// URL", v);
        return set_str(&j->source, v, e);
    }
    if (strcmp(key, "repository") == 0)
        return set_str(&j->repository, v, e);
    if (strcmp(key, "recipient") == 0) {
        /* the form only: the keys are parsed per job (cmd_recipients), where errors name the job */
        if (strncmp(v, "age1", 4) != 0 && strncmp(v, "ssh-ed25519 ", 12) != 0 && strncmp(v, "ssh-rsa ", 8) != 0) {
            err_set(e, ERR_CONFIG, "recipient '%s': not an age recipient or an SSH public key", v);
            return err_hint(e, "a recipient is an age public key 'age1...' (from 'safedump keygen') or an SSH "
                               "public key line 'ssh-ed25519 AAAA...' or 'ssh-rsa AAAA...'");
        }
        return push_str(&j->recipients, &j->n_recipients, v, e);
    }
    if (strcmp(key, "recipients_file") == 0)
        return set_str(&j->recipients_file, v, e);
    if (strcmp(key, "pgp_recipient") == 0) {
        /* a fingerprint, or a key file (whose existence is checked when a backup uses it) */
        char fpr[65];
        struct err e2;
        err_init(&e2);
        if (v[0] == '\0')
            return err_set(e, ERR_CONFIG, "pgp_recipient: empty");
        if (pgp_fingerprint_normalize(v, fpr, &e2) == -1 && access(v, F_OK) != 0) {
            *e = e2;
            e->code = ERR_CONFIG;
            return -1;
        }
        return push_str(&j->pgp_recipients, &j->n_pgp_recipients, v, e);
    }
    if (strcmp(key, "pgp_homedir") == 0)
        return set_str(&j->pgp_homedir, v, e);
    if (strcmp(key, "compression") == 0) {
        if (strncmp(v, "zstd:", 5) == 0 ? parse_int(v + 5, 1, 19, &j->zstd_level) == -1 : strcmp(v, "zstd") != 0)
            return err_set(e, ERR_CONFIG, "compression '%s': expected zstd or zstd:LEVEL with LEVEL 1..19", v);
        if (strcmp(v, "zstd") == 0)
            j->zstd_level = 3;
        return 0;
    }
    if (strcmp(key, "threads") == 0) {
        if (parse_int(v, 0, 256, &j->threads) == -1)
            return err_set(e, ERR_CONFIG, "threads '%s': expected 0 (one per CPU) to 256", v);
        return 0;
    }
    if (strcmp(key, "pg_format") == 0) {
        if (strcmp(v, "custom") == 0)
            j->pg_format = PG_FORMAT_CUSTOM;
        else if (strcmp(v, "plain") == 0)
            j->pg_format = PG_FORMAT_PLAIN;
        else
            return err_set(e, ERR_CONFIG, "pg_format '%s': expected custom or plain", v);
        return 0;
    }
    if (strcmp(key, "pg_dump") == 0)
        return set_str(&j->pg_dump, v, e);
    if (strcmp(key, "pg_dump_arg") == 0)
        return push_str(&j->pg_dump_args, &j->n_pg_dump_args, v, e);
    if (strcmp(key, "restore_test_target") == 0) {
        if (strncmp(v, "postgres://", 11) != 0 && strncmp(v, "postgresql://", 13) != 0)
            return err_set(e, ERR_CONFIG, "restore_test_target '%s': not a postgres:// URL", v);
        return set_str(&j->restore_test_target, v, e);
    }
    if (strcmp(key, "restore_test_sql") == 0)
        return set_str(&j->restore_test_sql, v, e);
    if (strcmp(key, "state_dir") == 0)
        return set_str(&j->state_dir, v, e);
    if (strncmp(key, "keep_", 5) == 0) {
        static const char *const names[] = {"last", "hourly", "daily", "weekly", "monthly", "yearly"};
        int *slots[] = {&j->retention.last,   &j->retention.hourly,  &j->retention.daily,
                        &j->retention.weekly, &j->retention.monthly, &j->retention.yearly};
        size_t i;
        if (strcmp(key, "keep_within") == 0) {
            if (retention_parse_duration(v, &j->retention.within) == -1)
                return err_set(e, ERR_CONFIG, "keep_within '%s': expected a duration such as 2d, 36h or 1w", v);
            return 0;
        }
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            if (strcmp(key + 5, names[i]) != 0)
                continue;
            if (strcmp(v, "all") == 0)
                *slots[i] = RETENTION_ALL;
            else if (parse_int(v, 0, 1000000, slots[i]) == -1)
                return err_set(e, ERR_CONFIG, "%s '%s': expected a number or 'all'", key, v);
            return 0;
        }
    }
    if (strcmp(key, "max_total_size") == 0) {
        if (retention_parse_size(v, &j->retention.max_total_size) == -1)
            return err_set(e, ERR_CONFIG, "max_total_size '%s': expected a size such as 500M, 50G or 2T", v);
        return 0;
    }
    if (strcmp(key, "min_age") == 0) {
        if (retention_parse_duration(v, &j->retention.min_age) == -1)
            return err_set(e, ERR_CONFIG, "min_age '%s': expected a duration such as 1h or 2d", v);
        return 0;
    }
    if (strcmp(key, "debris_grace") == 0) {
        if (retention_parse_duration(v, &j->debris_grace) == -1)
            return err_set(e, ERR_CONFIG, "debris_grace '%s': expected a duration such as 24h", v);
        return 0;
    }
    if (strcmp(key, "retention_timezone") == 0) {
        if (set_str(&j->retention_timezone, v, e) == -1)
            return -1;
        j->retention.tz = j->retention_timezone;
        return 0;
    }
    if (strcmp(key, "prune_after_backup") == 0) {
        if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
            j->prune_after_backup = 1;
        else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
            j->prune_after_backup = 0;
        else
            return err_set(e, ERR_CONFIG, "prune_after_backup '%s': expected yes or no", v);
        return 0;
    }
    return err_set(e, ERR_CONFIG, "unknown key '%s'", key);
}

struct load_ctx {
    struct config *c;
    struct err *e;
    FILE *f;
    int line; /* of the line inih is handling: Debian's libinih does not pass line numbers */
    int failed;
};

/* inih's reader: one line per call, counted. */
static char *
read_line(char *buf, int size, void *arg)
{
    struct load_ctx *x = arg;
    char *s = fgets(buf, size, x->f);

    if (s != NULL)
        x->line++;
    return s;
}

static int
on_entry(void *arg, const char *section, const char *key, const char *value)
{
    struct load_ctx *x = arg;
    struct config *c = x->c;
    struct job_conf *j;
    int line = x->line;

    if (x->failed)
        return 0;
    /* Debian's libinih does not report section headers: a job starts with its first key. */
    if (section[0] != '\0' && strcmp(section, "defaults") != 0 &&
        (c->n_jobs == 0 || strcmp(c->jobs[c->n_jobs - 1].name, section) != 0)) {
        if (!manifest_job_valid(section)) {
            err_set(x->e, ERR_CONFIG, "%s:%d: invalid job name '%s'", c->path, line, section);
            err_hint(x->e, "job names use letters, digits, '.', '_' and '-'");
            x->failed = 1;
            return 0;
        }
        if (config_job(c, section) != NULL) {
            err_set(x->e, ERR_CONFIG, "%s:%d: job '%s' defined twice", c->path, line, section);
            x->failed = 1;
            return 0;
        }
        j = realloc(c->jobs, (c->n_jobs + 1) * sizeof(*j));
        if (j == NULL || config_job_copy(&j[c->n_jobs], &c->defaults, x->e) == -1) {
            if (j != NULL)
                c->jobs = j;
            err_set(x->e, ERR_NOMEM, "out of memory");
            x->failed = 1;
            return 0;
        }
        c->jobs = j;
        snprintf(j[c->n_jobs].name, sizeof(j->name), "%s", section);
        c->n_jobs++;
    }
    if (section[0] == '\0') {
        err_set(x->e, ERR_CONFIG, "%s:%d: key '%s' outside a section", c->path, line, key);
        err_hint(x->e, "put shared settings under [defaults] and each job under [JOBNAME]");
        x->failed = 1;
        return 0;
    }
    j = strcmp(section, "defaults") == 0 ? &c->defaults : &c->jobs[c->n_jobs - 1];
    if (strcmp(section, "defaults") == 0 && c->n_jobs > 0) {
        err_set(x->e, ERR_CONFIG, "%s:%d: [defaults] must come before the jobs", c->path, line);
        x->failed = 1;
        return 0;
    }
    if ((strcmp(key, "source") == 0 || strcmp(key, "restore_test_target") == 0) && config_url_has_password(value)) {
        err_set(x->e, ERR_CONFIG, "%s:%d: key '%s': a password in the configuration file", c->path, line, key);
        err_hint(x->e, "put the password in ~/.pgpass or a service file; the file must hold no secrets");
        x->failed = 1;
        return 0;
    }
    if (config_set(j, key, value, x->e) == -1) {
        char msg[sizeof(x->e->msg)], hint[sizeof(x->e->hint)];
        snprintf(msg, sizeof(msg), "%s", x->e->msg);
        snprintf(hint, sizeof(hint), "%s", x->e->hint);
        if (strncmp(msg, "unknown key", 11) == 0)
            err_set(x->e, ERR_CONFIG, "%s:%d: %s in [%s]", c->path, line, msg, section);
        else
            err_set(x->e, ERR_CONFIG, "%s:%d: key '%s': %s", c->path, line, key, msg);
        if (hint[0] != '\0')
            err_hint(x->e, "%s", hint);
        x->failed = 1;
        return 0;
    }
    return 1;
}

int
config_load(struct config *c, const char *path, int required, struct err *e)
{
    struct load_ctx x = {c, e, NULL, 0, 0};
    FILE *f;
    int rc;

    memset(c, 0, sizeof(*c));
    job_defaults(&c->defaults);
    snprintf(c->path, sizeof(c->path), "%s", path);
    if ((f = fopen(path, "r")) == NULL) {
        if (errno == ENOENT && !required)
            return 0;
        return err_sys(e, ERR_CONFIG, "unable to read configuration '%s'", path);
    }
    c->loaded = 1;
    x.f = f;
    rc = ini_parse_stream(read_line, &x, on_entry, &x);
    fclose(f);
    if (!x.failed && rc > 0)
        err_set(e, ERR_CONFIG, "%s:%d: syntax error", path, rc);
    else if (!x.failed && rc < 0)
        err_set(e, ERR_CONFIG, "unable to parse configuration '%s'", path);
    if (x.failed || rc != 0) {
        config_release(c); /* a failed load holds nothing */
        return -1;
    }
    return 0;
}

const struct job_conf *
config_job(const struct config *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->n_jobs; i++)
        if (strcmp(c->jobs[i].name, name) == 0)
            return &c->jobs[i];
    return NULL;
}

int
config_job_copy(struct job_conf *dst, const struct job_conf *src, struct err *e)
{
    size_t i;

    *dst = *src;
    dst->source = dst->repository = dst->recipients_file = dst->pg_dump = dst->pgp_homedir = NULL;
    dst->restore_test_target = dst->restore_test_sql = dst->state_dir = dst->retention_timezone = NULL;
    dst->retention.tz = NULL;
    dst->recipients = dst->pg_dump_args = dst->pgp_recipients = NULL;
    dst->n_recipients = dst->n_pg_dump_args = dst->n_pgp_recipients = 0;
    for (i = 0; i < N_ALERT_STRINGS; i++)
        *alert_string(&dst->alert, i) = NULL;
    for (i = 0; i < CONFIG_S3_NSTR; i++)
        dst->s3[i] = NULL;
    for (i = 0; i < N_ALERT_STRINGS; i++)
        if (alert_cstring(&src->alert, i) != NULL &&
            set_str(alert_string(&dst->alert, i), alert_cstring(&src->alert, i), e) == -1)
            goto fail;
    for (i = 0; i < CONFIG_S3_NSTR; i++)
        if (src->s3[i] != NULL && set_str(&dst->s3[i], src->s3[i], e) == -1)
            goto fail;
    if ((src->source && set_str(&dst->source, src->source, e) == -1) ||
        (src->repository && set_str(&dst->repository, src->repository, e) == -1) ||
        (src->recipients_file && set_str(&dst->recipients_file, src->recipients_file, e) == -1) ||
        (src->pg_dump && set_str(&dst->pg_dump, src->pg_dump, e) == -1) ||
        (src->restore_test_target && set_str(&dst->restore_test_target, src->restore_test_target, e) == -1) ||
        (src->restore_test_sql && set_str(&dst->restore_test_sql, src->restore_test_sql, e) == -1) ||
        (src->state_dir && set_str(&dst->state_dir, src->state_dir, e) == -1) ||
        (src->retention_timezone && set_str(&dst->retention_timezone, src->retention_timezone, e) == -1) ||
        (src->pgp_homedir && set_str(&dst->pgp_homedir, src->pgp_homedir, e) == -1))
        goto fail;
    dst->retention.tz = dst->retention_timezone;
    for (i = 0; i < src->n_pgp_recipients; i++)
        if (push_str(&dst->pgp_recipients, &dst->n_pgp_recipients, src->pgp_recipients[i], e) == -1)
            goto fail;
    for (i = 0; i < src->n_recipients; i++)
        if (push_str(&dst->recipients, &dst->n_recipients, src->recipients[i], e) == -1)
            goto fail;
    for (i = 0; i < src->n_pg_dump_args; i++)
        if (push_str(&dst->pg_dump_args, &dst->n_pg_dump_args, src->pg_dump_args[i], e) == -1)
            goto fail;
    return 0;
fail:
    config_job_release(dst);
    return -1;
}

void
config_job_release(struct job_conf *j)
{
    size_t i;

    free(j->source);
    free(j->repository);
    free(j->recipients_file);
    free(j->pg_dump);
    free(j->restore_test_target);
    free(j->restore_test_sql);
    free(j->state_dir);
    free(j->retention_timezone);
    free(j->pgp_homedir);
    for (i = 0; i < j->n_pgp_recipients; i++)
        free(j->pgp_recipients[i]);
    free(j->pgp_recipients);
    for (i = 0; i < j->n_recipients; i++)
        free(j->recipients[i]);
    free(j->recipients);
    for (i = 0; i < j->n_pg_dump_args; i++)
        free(j->pg_dump_args[i]);
    free(j->pg_dump_args);
    for (i = 0; i < CONFIG_S3_NSTR; i++) {
        free(j->s3[i]);
        j->s3[i] = NULL;
    }
    j->source = j->repository = j->recipients_file = j->pg_dump = j->pgp_homedir = NULL;
    j->restore_test_target = j->restore_test_sql = j->state_dir = j->retention_timezone = NULL;
    j->retention.tz = NULL;
    j->recipients = j->pg_dump_args = j->pgp_recipients = NULL;
    j->n_recipients = j->n_pg_dump_args = j->n_pgp_recipients = 0;
    for (i = 0; i < N_ALERT_STRINGS; i++) {
        free(*alert_string(&j->alert, i));
        *alert_string(&j->alert, i) = NULL;
    }
}

void
config_release(struct config *c)
{
    size_t i;

    config_job_release(&c->defaults);
    for (i = 0; i < c->n_jobs; i++)
        config_job_release(&c->jobs[i]);
    free(c->jobs);
    c->jobs = NULL;
    c->n_jobs = 0;
}
