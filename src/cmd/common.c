#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "format/pgp.h"
#include "util/err.h"
#include "util/secret.h"

const char *cmd_config_path;

int
cmd_usage(struct err *e, const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    e->code = ERR_USAGE;
    e->sys_errno = 0;
    e->hint[0] = '\0';
    return err_hint(e, "'safedump %s --help' lists the options", cmd);
}

int
cmd_config_load(struct config *c, const char *path, struct err *e)
{
    const char *env = getenv("SAFEDUMP_CONFIG");

    if (path == NULL)
        path = cmd_config_path;
    if (path == NULL && env != NULL && env[0] != '\0')
        path = env;
    if (path != NULL)
        return config_load(c, path, 1, e);
    return config_load(c, CONFIG_DEFAULT_PATH, 0, e);
}

const char *
cmd_repository(const struct config *c, const char *flag, struct err *e)
{
    if (flag != NULL)
        return flag;
    if (c->defaults.repository != NULL)
        return c->defaults.repository;
    err_set(e, ERR_USAGE, "no repository given");
    err_hint(e, "use --repository DIR or set 'repository' under [defaults] in %s", c->path);
    return NULL;
}

int
cmd_identities(const char *path, struct age_identity **ids, size_t max, struct err *e)
{
    struct secret *text;
    int n;

    if (path == NULL)
        path = getenv("SAFEDUMP_IDENTITY");
    if (path == NULL || path[0] == '\0') {
        err_set(e, ERR_USAGE, "no identity given");
        return err_hint(e, "use --identity FILE or set SAFEDUMP_IDENTITY to the identity file's path");
    }
    if ((text = secret_read_file(path, 64 * 1024, e)) == NULL)
        return err_wrap(e, "identity");
    n = age_identity_load((const char *)text->data, text->len, ids, max, e);
    secret_free(text);
    if (n == -1)
        return err_wrap(e, "identity '%s'", path);
    return n;
}

static int
add_recipient(const char *s, struct age_recipient **out, size_t max, int *n, struct err *e)
{
    if ((size_t)*n >= max)
        return err_set(e, ERR_CONFIG, "more than %zu recipients", max);
    if ((out[*n] = age_recipient_parse(s, e)) == NULL)
        return err_wrap(e, "recipient '%s'", s);
    (*n)++;
    return 0;
}

int
cmd_recipients(const struct job_conf *j, struct age_recipient **out, size_t max, struct err *e)
{
    char line[1024];
    size_t i;
    int n = 0, lineno = 0;
    FILE *f;

    for (i = 0; i < j->n_recipients; i++)
        if (add_recipient(j->recipients[i], out, max, &n, e) == -1)
            goto fail;
    if (j->recipients_file != NULL) {
        if ((f = fopen(j->recipients_file, "r")) == NULL) {
            err_sys(e, ERR_CONFIG, "unable to read recipients file '%s'", j->recipients_file);
            goto fail;
        }
        while (fgets(line, sizeof(line), f) != NULL) {
            char *s = line, *end;
            lineno++;
            while (*s == ' ' || *s == '\t')
                s++;
            end = s + strcspn(s, "\r\n");
            while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
            *end = '\0';
            if (*s == '\0' || *s == '#')
                continue;
            if (add_recipient(s, out, max, &n, e) == -1) {
                fclose(f);
                err_wrap(e, "%s:%d", j->recipients_file, lineno);
                goto fail;
            }
        }
        fclose(f);
    }
    if (n == 0) {
        err_set(e, ERR_USAGE, "job '%s' has no recipient", j->name);
        err_hint(e, "give --recipient age1... (from 'safedump keygen') or set 'recipient' in the configuration");
        goto fail;
    }
    return n;
fail:
    while (n > 0)
        age_recipient_free(out[--n]);
    return -1;
}

struct pgp_recipients *
cmd_pgp_recipients(const struct job_conf *j, struct err *e)
{
    struct pgp_recipients *r = pgp_recipients_new(j->pgp_homedir, e);
    size_t i;

    if (r == NULL)
        return NULL;
    for (i = 0; i < j->n_pgp_recipients; i++)
        if (pgp_recipients_add(r, j->pgp_recipients[i], e) == -1)
            goto fail;
    if (pgp_recipients_resolve(r, e) == -1)
        goto fail;
    return r;
fail:
    pgp_recipients_free(r);
    return NULL;
}

const char *
cmd_size(uint64_t n, char buf[32])
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = (double)n;
    int u = 0;

    while (v >= 1024.0 && u < 5) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, 32, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, 32, "%.1f %s", v, units[u]);
    return buf;
}

const char *
cmd_age(long s, char buf[32])
{
    if (s < 0)
        s = 0;
    if (s < 120)
        snprintf(buf, 32, "%lds", s);
    else if (s < 2 * 3600)
        snprintf(buf, 32, "%ldm", s / 60);
    else if (s < 2 * 86400)
        snprintf(buf, 32, "%ldh", s / 3600);
    else
        snprintf(buf, 32, "%ldd", s / 86400);
    return buf;
}

double
cmd_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
