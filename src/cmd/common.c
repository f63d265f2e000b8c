#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/config.h"
#include "format/age.h"
#include "format/pgp.h"
#include "util/err.h"
#include "util/interrupt.h"
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

#define PASSPHRASE_MAX 1024

/* chomp(s): drop one trailing LF or CRLF. */
static void
chomp(struct secret *s)
{
    if (s->len > 0 && s->data[s->len - 1] == '\n')
        s->len--;
    if (s->len > 0 && s->data[s->len - 1] == '\r')
        s->len--;
}

/* tty_read(fd, prompt, e): one line from the terminal ${fd} with echo off. */
static struct secret *
tty_read(int fd, const char *prompt, struct err *e)
{
    struct termios old, quiet;
    struct secret *s = secret_new(PASSPHRASE_MAX, e);
    int restore = 0;
    char c;

    if (s == NULL)
        return NULL;
    s->len = 0;
    if (tcgetattr(fd, &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
        quiet.c_lflag |= ECHONL;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    if (write(fd, prompt, strlen(prompt)) < 0) {
        err_sys(e, ERR_IO, "unable to write to the terminal");
        goto fail;
    }
    for (;;) {
        ssize_t n = read(fd, &c, 1);
        if (n == -1 && errno == EINTR && interrupt_pending() != 0) {
            err_set(e, ERR_KEY, "interrupted while reading the passphrase");
            goto fail;
        }
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            err_sys(e, ERR_IO, "unable to read the passphrase from the terminal");
            goto fail;
        }
        if (n == 0 || c == '\n')
            break;
        if (s->len == s->cap) {
            err_set(e, ERR_KEY, "the passphrase is longer than %d bytes", PASSPHRASE_MAX);
            goto fail;
        }
        s->data[s->len++] = (unsigned char)c;
    }
    secret_wipe(&c, 1);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    chomp(s);
    return s;
fail:
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    secret_free(s);
    return NULL;
}

struct secret *
cmd_passphrase(const char *file, const char *what, int confirm, struct err *e)
{
    struct secret *s = NULL, *again = NULL;
    char prompt[512];
    int fd;

    if (file == NULL && getenv("SAFEDUMP_PASSPHRASE_FILE") != NULL && getenv("SAFEDUMP_PASSPHRASE_FILE")[0] != '\0')
        file = getenv("SAFEDUMP_PASSPHRASE_FILE");
    if (file != NULL) {
        if ((s = secret_read_file(file, PASSPHRASE_MAX, e)) == NULL) {
            err_wrap(e, "passphrase file");
            return NULL;
        }
        chomp(s);
        if (s->len == 0) {
            secret_free(s);
            err_set(e, ERR_KEY, "passphrase file '%s' is empty", file);
            return NULL;
        }
        return s;
    }
    if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) == -1) {
        err_set(e, ERR_USAGE, "a passphrase is needed for %s and there is no terminal to ask for it", what);
        err_hint(e, "give --passphrase-file FILE or set SAFEDUMP_PASSPHRASE_FILE (a file of mode 0600)");
        return NULL;
    }
    snprintf(prompt, sizeof(prompt), "passphrase for %s: ", what);
    if ((s = tty_read(fd, prompt, e)) == NULL)
        goto out;
    if (s->len == 0) {
        err_set(e, ERR_KEY, "empty passphrase");
        goto fail;
    }
    if (confirm) {
        if ((again = tty_read(fd, "same passphrase again: ", e)) == NULL)
            goto fail;
        if (again->len != s->len || memcmp(again->data, s->data, s->len) != 0) {
            err_set(e, ERR_KEY, "the passphrases do not match");
            goto fail;
        }
    }
    goto out;
fail:
    secret_free(s);
    s = NULL;
out:
    secret_free(again);
    close(fd);
    return s;
}

int
cmd_identities(const char *path, const char *pass_file, struct age_identity **ids, size_t max, struct err *e)
{
    struct secret *text, *pass;
    char what[300];
    int n;

    if (path == NULL)
        path = getenv("SAFEDUMP_IDENTITY");
    if (path == NULL || path[0] == '\0') {
        err_set(e, ERR_USAGE, "no identity given");
        return err_hint(e, "use --identity FILE or set SAFEDUMP_IDENTITY to the identity file's path");
    }
    if ((text = secret_read_file(path, 64 * 1024, e)) == NULL)
        return err_wrap(e, "identity");
    if (age_identity_needs_passphrase((const char *)text->data, text->len)) {
        snprintf(what, sizeof(what), "identity '%s'", path);
        if ((pass = cmd_passphrase(pass_file, what, 0, e)) == NULL) {
            secret_free(text);
            return -1;
        }
        n = age_identity_load_encrypted((const char *)text->data, text->len, pass, ids, max, e);
        secret_free(pass);
    } else {
        n = age_identity_load((const char *)text->data, text->len, ids, max, e);
    }
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
        err_hint(e, "give --recipient age1... (from 'safedump keygen') or an SSH public key, or set 'recipient' in "
                    "the configuration");
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
