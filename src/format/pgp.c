#define _GNU_SOURCE /* O_TMPFILE, memfd_create */
#include "format/pgp.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage/stage.h"
#include "util/child.h"
#include "util/err.h"
#include "util/io.h"
#include "util/interrupt.h"
#include "util/secret.h"

#define PGP_BUFSZ (128 * 1024)
#define STATUS_MAX (64 * 1024) /* status lines kept; a few hundred bytes per recipient */
#define GPG_MAX_ARGS (16 + 2 * PGP_MAX_RECIPIENTS)

/* Secrets that a gpg child never needs, though safedump's own environment may hold them. */
static const char *const gpg_env_unset[] = {"PGPASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                            "AZURE_STORAGE_KEY", NULL};

struct pgp_spec {
    int is_file;
    char *value; /* normalized fingerprint, or the key file's path */
};

struct pgp_recipients {
    char *homedir;           /* the user's, or NULL: GNUPGHOME or ~/.gnupg */
    char tmp_home[PATH_MAX]; /* the throwaway home when every recipient is a file, else "" */
    const char *run_home;    /* what gpg runs with: tmp_home, homedir or NULL */
    struct pgp_spec specs[PGP_MAX_RECIPIENTS];
    size_t n;
    char fprs[PGP_MAX_RECIPIENTS][65]; /* primary key fingerprints gpg selected */
    size_t n_fprs;
    int resolved;
};

/* The keyring's name for messages. */
static const char *
keyring_name(const char *homedir)
{
    const char *env = getenv("GNUPGHOME");

    if (homedir != NULL)
        return homedir;
    return env != NULL && env[0] != '\0' ? env : "~/.gnupg";
}

int
pgp_fingerprint_normalize(const char *spec, char out[65], struct err *e)
{
    const char *p = spec;
    size_t n = 0;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    for (; *p != '\0'; p++) {
        if (*p == ' ')
            continue;
        if (!isxdigit((unsigned char)*p))
            return 0;
        if (n < 64)
            out[n] = (char)toupper((unsigned char)*p);
        n++;
    }
    if (n == 0)
        return 0;
    if (n == 40 || n == 64) {
        out[n] = '\0';
        return 1;
    }
    if (n == 8 || n == 16)
        err_set(e, ERR_USAGE, "OpenPGP recipient '%s': a key ID, not a fingerprint", spec);
    else
        err_set(e, ERR_USAGE, "OpenPGP recipient '%s': not a fingerprint (40 or 64 hex digits)", spec);
    return err_hint(e, "give the full fingerprint ('gpg --list-keys --fingerprint' shows it) or an exported "
                       "public key file");
}

struct pgp_recipients *
pgp_recipients_new(const char *homedir, struct err *e)
{
    struct pgp_recipients *r = calloc(1, sizeof(*r));

    if (r == NULL || (homedir != NULL && (r->homedir = strdup(homedir)) == NULL)) {
        free(r);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    return r;
}

int
pgp_recipients_add(struct pgp_recipients *r, const char *spec, struct err *e)
{
    char fpr[65];
    int k;

    if (r->n == PGP_MAX_RECIPIENTS)
        return err_set(e, ERR_USAGE, "more than %d OpenPGP recipients", PGP_MAX_RECIPIENTS);
    k = pgp_fingerprint_normalize(spec, fpr, e);
    if (k == -1 && access(spec, F_OK) == 0)
        k = 0; /* a key file whose name looks like hex */
    else if (k == -1)
        return -1;
    if (k == 0) {
        FILE *f = fopen(spec, "r");
        if (f == NULL) {
            err_sys(e, ERR_USAGE, "OpenPGP recipient file '%s'", spec);
            return err_hint(e, "give a key fingerprint (40 hex digits) from the keyring, or a public key file "
                               "exported with 'gpg --armor --export FPR'");
        }
        fclose(f);
    }
    if ((r->specs[r->n].value = strdup(k == 1 ? fpr : spec)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    r->specs[r->n++].is_file = k == 0;
    return 0;
}

size_t
pgp_recipients_count(const struct pgp_recipients *r)
{
    return r->n_fprs;
}

const char *
pgp_recipients_fingerprint(const struct pgp_recipients *r, size_t i)
{
    return i < r->n_fprs ? r->fprs[i] : NULL;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

void
pgp_recipients_free(struct pgp_recipients *r)
{
    size_t i;

    if (r == NULL)
        return;
    if (r->tmp_home[0] != '\0')
        (void)nftw(r->tmp_home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    for (i = 0; i < r->n; i++)
        free(r->specs[i].value);
    free(r->homedir);
    free(r);
}

/*
 * gpg runs
 */

/* argv for gpg: the common options, the home directory if any, then ${tail} (NULL-terminated). */
static size_t
gpg_argv(const char **argv, const char *home)
{
    size_t n = 0;

    argv[n++] = "gpg";
    argv[n++] = "--batch";
    argv[n++] = "--no-tty";
    argv[n++] = "--status-fd";
    argv[n++] = "3";
    if (home != NULL) {
        argv[n++] = "--homedir";
        argv[n++] = home;
    }
    return n;
}

static size_t
gpg_encrypt_argv(const char **argv, const struct pgp_recipients *r)
{
    size_t n = gpg_argv(argv, r->run_home), i;

    argv[n++] = "--trust-model";
    argv[n++] = "always";
    argv[n++] = "--compress-algo"; /* the input is zstd already */
    argv[n++] = "none";
    argv[n++] = "--no-armor";
    argv[n++] = "--no-encrypt-to"; /* exactly the recipients named: gpg.conf's encrypt-to does not add any */
    argv[n++] = "--encrypt";
    for (i = 0; i < r->n; i++) {
        argv[n++] = r->specs[i].is_file ? "--recipient-file" : "--recipient";
        argv[n++] = r->specs[i].value;
    }
    argv[n] = NULL;
    return n;
}

/* Start gpg with its status lines going to a new memfd (*status_fd). */
static struct child *
gpg_start(const char *const *argv, int pipes, int *status_fd, struct err *e)
{
    struct child_spec spec = {0};
    struct child *c;

    if ((*status_fd = memfd_create("gpg-status", MFD_CLOEXEC)) == -1) {
        err_sys(e, ERR_IO, "memfd_create");
        return NULL;
    }
    spec.argv = argv;
    spec.env_unset = gpg_env_unset;
    spec.stdin_pipe = pipes;
    spec.stdout_pipe = pipes;
    spec.stdout_fd = -1;
    spec.fd3 = *status_fd;
    if ((c = child_start(&spec, e)) == NULL) {
        close(*status_fd);
        *status_fd = -1;
        err_hint(e, "safedump uses GnuPG for OpenPGP: install it (Debian: apt-get install gnupg)");
    }
    return c;
}

/* The status lines gpg wrote, NUL-terminated (caller frees), or NULL on memory failure. */
static char *
status_text(int fd)
{
    char *s = malloc(STATUS_MAX + 1);
    ssize_t n;

    if (s == NULL)
        return NULL;
    n = pread(fd, s, STATUS_MAX, 0);
    s[n > 0 ? n : 0] = '\0';
    return s;
}

/*
 * status_next(p, kw, args): the next "[GNUPG:] KW ARGS" line at *${p}: copies the keyword and the
 * arguments (truncated to the buffers) and advances *${p}. Returns 0 at the end.
 */
static int
status_next(const char **p, char kw[32], char args[512])
{
    while (**p != '\0') {
        const char *line = *p, *end = strchr(line, '\n'), *sp;
        size_t len;

        if (end == NULL)
            end = line + strlen(line);
        *p = *end == '\n' ? end + 1 : end;
        if (strncmp(line, "[GNUPG:] ", 9) != 0)
            continue;
        line += 9;
        sp = memchr(line, ' ', (size_t)(end - line));
        len = (size_t)((sp ? sp : end) - line);
        snprintf(kw, 32, "%.*s", (int)(len < 31 ? len : 31), line);
        if (sp != NULL) {
            len = (size_t)(end - sp - 1);
            snprintf(args, 512, "%.*s", (int)(len < 511 ? len : 511), sp + 1);
        } else {
            args[0] = '\0';
        }
        return 1;
    }
    return 0;
}

/* KEY_CONSIDERED flags of ${fpr} (bit 0: not selected, bit 1: every subkey expired or revoked), or 0. */
static unsigned
considered_flags(const char *status, const char *fpr)
{
    const char *p = status;
    char kw[32], args[512];
    unsigned flags = 0;
    size_t n = strlen(fpr);

    while (status_next(&p, kw, args))
        if (strcmp(kw, "KEY_CONSIDERED") == 0 && strncmp(args, fpr, n) == 0 && args[n] == ' ')
            flags |= (unsigned)strtoul(args + n + 1, NULL, 10);
    return flags;
}

/* An INV_RECP line into an error naming the recipient and the cause. */
static int
invalid_recipient(const struct pgp_recipients *r, const char *status, const char *args, struct err *e)
{
    char *end;
    unsigned long reason = strtoul(args, &end, 10);
    const char *who = *end == ' ' ? end + 1 : "", *p = status, *cause;
    char kw[32], a[512], last[65] = "";
    int is_file = 0, expired;
    size_t i;

    for (i = 0; i < r->n; i++)
        if (strcmp(r->specs[i].value, who) == 0)
            is_file = r->specs[i].is_file;
    /* the key gpg looked at last before giving up (for a key file, the only way to learn it) */
    while (status_next(&p, kw, a))
        if (strcmp(kw, "KEY_CONSIDERED") == 0)
            snprintf(last, sizeof(last), "%.*s", (int)strcspn(a, " "), a);
    expired = reason == 4 || reason == 5 || (reason == 0 && last[0] != '\0' && (considered_flags(status, last) & 2u));
    if (expired)
        cause = reason == 4 ? "key revoked" : reason == 5 ? "key expired" : "key expired or revoked";
    else if (is_file)
        cause = reason == 1 ? "not found" : "no usable OpenPGP public key in it";
    else if (reason == 1)
        cause = "no such key in the keyring";
    else
        cause = reason == 2    ? "ambiguous"
                : reason == 3  ? "the key cannot encrypt (no encryption subkey)"
                : reason == 13 ? "key disabled"
                : reason == 10 ? "key not trusted"
                               : "unusable key";
    if (is_file)
        err_set(e, ERR_KEY, "OpenPGP recipient file '%s': %s", who, cause);
    else if (reason == 1)
        err_set(e, ERR_KEY, "OpenPGP recipient 0x%s: %s '%s'", who, cause, keyring_name(r->homedir));
    else
        err_set(e, ERR_KEY, "OpenPGP recipient 0x%s: %s", who, cause);
    if (expired)
        return err_hint(e, "extend the key ('gpg --quick-set-expire FPR 2y' where its secret key is) and export it "
                           "again, or encrypt to another key");
    if (is_file)
        return err_hint(e, "export the key with 'gpg --armor --export FPR > FILE'");
    if (reason == 1)
        return err_hint(e, "import the public key ('gpg --import KEY.asc'), name the keyring with pgp_homedir, or "
                           "give the exported key file instead of the fingerprint");
    return -1;
}

/* check_encrypt(r, status, child_rc, ce, e): after gpg --encrypt has exited. Returns 0 or -1. */
static int
check_encrypt(const struct pgp_recipients *r, const char *status, int child_rc, const struct err *ce, struct err *e)
{
    const char *p = status;
    char kw[32], args[512];
    int ended = 0;

    while (status_next(&p, kw, args)) {
        if (strcmp(kw, "INV_RECP") == 0)
            return invalid_recipient(r, status, args, e);
        if (strcmp(kw, "END_ENCRYPTION") == 0)
            ended = 1;
    }
    if (child_rc != 0) {
        *e = *ce;
        return err_wrap(e, "OpenPGP encryption");
    }
    if (!ended)
        return err_set(e, ERR_CRYPTO, "OpenPGP encryption: gpg exited 0 without END_ENCRYPTION");
    return 0;
}

/* The primary key fingerprints gpg selected (KEY_CONSIDERED without the "not selected" flag). */
static int
collect_fingerprints(struct pgp_recipients *r, const char *status, struct err *e)
{
    const char *p = status;
    char kw[32], args[512];

    r->n_fprs = 0;
    while (status_next(&p, kw, args)) {
        size_t len = strcspn(args, " "), i;
        if (strcmp(kw, "KEY_CONSIDERED") != 0 || (strtoul(args + len, NULL, 10) & 1u) || (len != 40 && len != 64))
            continue;
        for (i = 0; i < r->n_fprs && strncmp(r->fprs[i], args, len) != 0; i++)
            ;
        if (i == r->n_fprs && r->n_fprs < PGP_MAX_RECIPIENTS)
            snprintf(r->fprs[r->n_fprs++], 65, "%.*s", (int)len, args);
    }
    if (r->n_fprs == 0)
        return err_set(e, ERR_CRYPTO, "OpenPGP encryption: gpg reported no recipient key");
    return 0;
}

int
pgp_recipients_resolve(struct pgp_recipients *r, struct err *e)
{
    const char *argv[GPG_MAX_ARGS];
    struct child *c;
    struct err ce;
    char *status;
    size_t i;
    int any_fpr = 0, sfd, crc, rc;

    if (r->n == 0)
        return err_set(e, ERR_USAGE, "no OpenPGP recipient");
    for (i = 0; i < r->n; i++)
        any_fpr |= !r->specs[i].is_file;
    if (!any_fpr && r->tmp_home[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(r->tmp_home, sizeof(r->tmp_home), "%s/safedump-gpg.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (mkdtemp(r->tmp_home) == NULL) {
            err_sys(e, ERR_IO, "unable to create a GnuPG home in '%s'", tmp && tmp[0] ? tmp : "/tmp");
            r->tmp_home[0] = '\0';
            return err_hint(e, "set TMPDIR to a writable directory");
        }
    }
    r->run_home = any_fpr ? r->homedir : r->tmp_home;
    gpg_encrypt_argv(argv, r);
    err_init(&ce);
    if ((c = gpg_start(argv, 0, &sfd, e)) == NULL)
        return -1;
    crc = child_wait(c, &ce);
    child_free(c);
    if ((status = status_text(sfd)) == NULL) {
        close(sfd);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    close(sfd);
    rc = check_encrypt(r, status, crc, &ce, e) == 0 ? collect_fingerprints(r, status, e) : -1;
    free(status);
    if (rc == 0)
        r->resolved = 1;
    return rc;
}

/*
 * The stages: one poll loop feeds gpg's stdin and drains its stdout.
 */

struct pgp_stage {
    struct stage base;
    struct child *c;
    int status_fd;
    int out_eof;
    int waited;
    unsigned char *buf; /* gpg's output */
    unsigned char *in;  /* our input, gathered so that gpg gets large writes */
    size_t in_len;
    const struct pgp_recipients *r; /* encryption; borrowed */
    /* decryption: gpg's output, encrypted with a key that exists only in memory */
    int decrypt;
    char *homedir;
    int tmp_fd;
    EVP_CIPHER_CTX *ctx;
    struct secret *key; /* 32 bytes of ChaCha20 key, 16 of counter and nonce */
};

/* gpg's output: to next (encryption) or, encrypted, to the temporary file (decryption). */
static int
deliver(struct pgp_stage *p, size_t n, struct err *e)
{
    int outl;

    if (!p->decrypt)
        return stage_emit(&p->base, p->buf, n, e);
    if (EVP_EncryptUpdate(p->ctx, p->buf, &outl, p->buf, (int)n) != 1 || (size_t)outl != n)
        return err_set(e, ERR_CRYPTO, "temporary file: ChaCha20 failed");
    if (io_write_all(p->tmp_fd, p->buf, n) == -1) {
        err_sys(e, ERR_IO, "OpenPGP decryption: writing the temporary file");
        return err_hint(e,
                        "decrypting OpenPGP needs temporary space the size of the compressed backup in "
                        "TMPDIR ('%s')",
                        getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    }
    return 0;
}

/* gpg has finished (or stopped early): wait for it and check its status lines. */
static int
gpg_done(struct pgp_stage *p, struct err *e)
{
    struct err ce;
    char *status;
    int crc, rc = -1;

    err_init(&ce);
    p->waited = 1;
    crc = child_wait(p->c, &ce);
    if ((status = status_text(p->status_fd)) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!p->decrypt) {
        rc = check_encrypt(p->r, status, crc, &ce, e);
    } else {
        const char *s = status;
        char kw[32], args[512], keyids[64] = "";
        int okay = 0, goodmdc = 0, badmdc = 0, failed = 0, have_key = 0, no_seckey = 0, nodata = 0, enc_to = 0;
        while (status_next(&s, kw, args)) {
            okay |= strcmp(kw, "DECRYPTION_OKAY") == 0;
            goodmdc |= strcmp(kw, "GOODMDC") == 0;
            badmdc |= strcmp(kw, "BADMDC") == 0;
            failed |= strcmp(kw, "DECRYPTION_FAILED") == 0;
            have_key |= strcmp(kw, "DECRYPTION_KEY") == 0;
            no_seckey |= strcmp(kw, "NO_SECKEY") == 0;
            nodata |= strcmp(kw, "NODATA") == 0;
            if (strcmp(kw, "ENC_TO") == 0 && enc_to++ < 3)
                snprintf(keyids + strlen(keyids), sizeof(keyids) - strlen(keyids), "%s%.16s", enc_to > 1 ? ", " : "",
                         args);
        }
        if (badmdc) {
            err_set(e, ERR_FORMAT, "OpenPGP integrity check failed: the data was modified (gpg: BADMDC)");
        } else if (crc == 0 && okay && goodmdc && !failed) {
            rc = 0;
        } else if (no_seckey && !have_key) {
            err_set(e, ERR_KEY, "OpenPGP: no secret key for it in the keyring '%s' (encrypted to key ID %s%s)",
                    keyring_name(p->homedir), keyids, enc_to > 3 ? " and others" : "");
            err_hint(e, "use the keyring that holds the key (--pgp-homedir DIR or GNUPGHOME); a key on a smartcard "
                        "needs the card and its gpg-agent");
        } else if (nodata && enc_to == 0) {
            err_set(e, ERR_FORMAT, "not OpenPGP encrypted data");
        } else if (crc == 0 && okay && !goodmdc) {
            err_set(e, ERR_FORMAT, "OpenPGP data without integrity protection (no MDC): refused");
        } else if (crc != 0) {
            *e = ce;
            err_wrap(e, "OpenPGP decryption");
        } else {
            err_set(e, ERR_FORMAT, "OpenPGP decryption: gpg did not report DECRYPTION_OKAY and GOODMDC");
        }
    }
    free(status);
    return rc;
}

/*
 * pump(p, data, len, drain, e): write ${len} bytes into gpg's stdin while passing on what it writes
 * to stdout; with ${drain} (stdin closed), read stdout to its end. Never blocks on one side while
 * the other is full.
 */
static int
pump(struct pgp_stage *p, const unsigned char *data, size_t len, int drain, struct err *e)
{
    for (;;) {
        struct pollfd pf[2];
        nfds_t nfds = 1;

        if (len == 0 && (!drain || p->out_eof))
            return 0;
        if (p->out_eof) /* gpg closed its output with input left: it gave up */
            return gpg_done(p, e) == 0 ? err_set(e, ERR_CRYPTO, "gpg stopped reading its input") : -1;
        pf[0].fd = child_stdout(p->c);
        pf[0].events = POLLIN;
        pf[0].revents = 0;
        if (len > 0) {
            pf[1].fd = child_stdin(p->c);
            pf[1].events = POLLOUT;
            pf[1].revents = 0;
            nfds = 2;
        }
        if (poll(pf, nfds, -1) == -1 && errno != EINTR)
            return err_sys(e, ERR_IO, "poll");
        if (interrupt_pending())
            return err_set(e, ERR_IO, "interrupted by signal %d", interrupt_pending());
        if (pf[0].revents != 0) {
            ssize_t n = read(pf[0].fd, p->buf, PGP_BUFSZ);
            if (n == 0)
                p->out_eof = 1;
            else if (n > 0 && deliver(p, (size_t)n, e) == -1)
                return -1;
            else if (n == -1 && errno != EINTR && errno != EAGAIN)
                return err_sys(e, ERR_IO, "reading gpg's output");
        }
        if (nfds == 2 && pf[1].revents != 0) {
            ssize_t n = write(pf[1].fd, data, len);
            if (n > 0) {
                data += n;
                len -= (size_t)n;
            } else if (n == -1 && errno == EPIPE) {
                p->out_eof = 1; /* gpg is gone; its status says why */
            } else if (n == -1 && errno != EINTR && errno != EAGAIN) {
                return err_sys(e, ERR_IO, "writing to gpg");
            }
        }
    }
}

static int
pgp_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct pgp_stage *p = (struct pgp_stage *)s;
    size_t n;

    if (p->in_len == 0 && len >= PGP_BUFSZ)
        return pump(p, buf, len, 0, e);
    while (len > 0) {
        n = PGP_BUFSZ - p->in_len < len ? PGP_BUFSZ - p->in_len : len;
        memcpy(p->in + p->in_len, buf, n);
        p->in_len += n;
        buf = (const unsigned char *)buf + n;
        len -= n;
        if (p->in_len == PGP_BUFSZ) {
            if (pump(p, p->in, p->in_len, 0, e) == -1)
                return -1;
            p->in_len = 0;
        }
    }
    return 0;
}

static int
replay(struct pgp_stage *p, struct err *e)
{
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int rc = -1, outl;

    if (ctx == NULL || EVP_DecryptInit_ex(ctx, EVP_chacha20(), NULL, p->key->data, p->key->data + 32) != 1) {
        err_set(e, ERR_CRYPTO, "temporary file: ChaCha20 setup failed");
        goto out;
    }
    if (lseek(p->tmp_fd, 0, SEEK_SET) == -1) {
        err_sys(e, ERR_IO, "temporary file: seek");
        goto out;
    }
    for (;;) {
        ssize_t n = read(p->tmp_fd, p->buf, PGP_BUFSZ);
        if (n == 0)
            break;
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            err_sys(e, ERR_IO, "temporary file: read");
            goto out;
        }
        if (interrupt_pending()) {
            err_set(e, ERR_IO, "interrupted by signal %d", interrupt_pending());
            goto out;
        }
        if (EVP_DecryptUpdate(ctx, p->buf, &outl, p->buf, (int)n) != 1 || outl != (int)n) {
            err_set(e, ERR_CRYPTO, "temporary file: ChaCha20 failed");
            goto out;
        }
        if (stage_emit(&p->base, p->buf, (size_t)n, e) == -1)
            goto out;
    }
    rc = 0;
out:
    secret_wipe(p->buf, PGP_BUFSZ);
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static int
pgp_finish(struct stage *s, struct err *e)
{
    struct pgp_stage *p = (struct pgp_stage *)s;

    if (p->in_len > 0 && pump(p, p->in, p->in_len, 0, e) == -1)
        return -1;
    p->in_len = 0;
    child_close_stdin(p->c);
    if (pump(p, NULL, 0, 1, e) == -1)
        return -1;
    if (!p->waited && gpg_done(p, e) == -1)
        return -1;
    return p->decrypt ? replay(p, e) : 0;
}

static void
pgp_free(struct stage *s)
{
    struct pgp_stage *p = (struct pgp_stage *)s;

    child_free(p->c);
    if (p->status_fd != -1)
        close(p->status_fd);
    if (p->tmp_fd != -1)
        close(p->tmp_fd);
    if (p->buf != NULL)
        secret_wipe(p->buf, PGP_BUFSZ);
    if (p->in != NULL)
        secret_wipe(p->in, PGP_BUFSZ);
    free(p->buf);
    free(p->in);
    EVP_CIPHER_CTX_free(p->ctx);
    secret_free(p->key);
    free(p->homedir);
    stage_free(s->next);
    free(p);
}

static const struct stage_ops encrypt_ops = {"pgp-enc", pgp_write, pgp_finish, pgp_free};
static const struct stage_ops decrypt_ops = {"pgp-dec", pgp_write, pgp_finish, pgp_free};

static struct pgp_stage *
stage_alloc(const struct stage_ops *ops, struct stage *next, struct err *e)
{
    struct pgp_stage *p = calloc(1, sizeof(*p));

    if (p == NULL || (p->buf = malloc(PGP_BUFSZ)) == NULL || (p->in = malloc(PGP_BUFSZ)) == NULL) {
        if (p != NULL)
            free(p->buf);
        free(p);
        stage_free(next);
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    p->base.ops = ops;
    p->base.next = next;
    p->status_fd = p->tmp_fd = -1;
    return p;
}

/* Our end of gpg's stdin must not block: the loop writes only what fits. */
static int
start(struct pgp_stage *p, const char *const *argv, struct err *e)
{
    int fd;

    if ((p->c = gpg_start(argv, 1, &p->status_fd, e)) == NULL)
        return -1;
    fd = child_stdin(p->c);
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == -1)
        return err_sys(e, ERR_IO, "fcntl");
    return 0;
}

struct stage *
pgp_encrypt_new(const struct pgp_recipients *r, struct stage *next, struct err *e)
{
    const char *argv[GPG_MAX_ARGS];
    struct pgp_stage *p;

    if (!r->resolved) {
        stage_free(next);
        err_set(e, ERR_INTERNAL, "OpenPGP recipients not resolved");
        return NULL;
    }
    if ((p = stage_alloc(&encrypt_ops, next, e)) == NULL)
        return NULL;
    p->r = r;
    gpg_encrypt_argv(argv, r);
    if (start(p, argv, e) == -1) {
        pgp_free(&p->base);
        return NULL;
    }
    return &p->base;
}

struct stage *
pgp_decrypt_new(const char *homedir, struct stage *next, struct err *e)
{
    const char *argv[GPG_MAX_ARGS];
    const char *tmp = getenv("TMPDIR");
    struct pgp_stage *p;
    size_t n;

    if ((p = stage_alloc(&decrypt_ops, next, e)) == NULL)
        return NULL;
    p->decrypt = 1;
    if (homedir != NULL && (p->homedir = strdup(homedir)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    if ((p->tmp_fd = open(tmp, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600)) == -1) {
        err_sys(e, ERR_IO, "OpenPGP decryption: unable to create a temporary file in '%s'", tmp);
        err_hint(e, "set TMPDIR to a writable directory on a file system with O_TMPFILE (ext4, xfs, tmpfs, "
                    "btrfs) and space for the compressed backup");
        goto fail;
    }
    if ((p->key = secret_new(48, e)) == NULL)
        goto fail;
    if (RAND_bytes(p->key->data, 48) != 1 || (p->ctx = EVP_CIPHER_CTX_new()) == NULL ||
        EVP_EncryptInit_ex(p->ctx, EVP_chacha20(), NULL, p->key->data, p->key->data + 32) != 1) {
        err_set(e, ERR_CRYPTO, "temporary file: ChaCha20 setup failed");
        goto fail;
    }
    n = gpg_argv(argv, p->homedir);
    argv[n++] = "--no-auto-key-retrieve"; /* no network */
    argv[n++] = "--skip-verify";          /* a signature would only add a way to fail */
    argv[n++] = "--decrypt";
    argv[n] = NULL;
    if (start(p, argv, e) == -1)
        goto fail;
    return &p->base;
fail:
    pgp_free(&p->base);
    return NULL;
}
