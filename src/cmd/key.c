/*
 * safedump key split|combine: recovery shares of an identity (format/share.h). split reads an identity
 * file (any text: an AGE-SECRET-KEY line or a passphrase-protected age file) and writes N share files,
 * PREFIX-I-of-N.txt, any K of which rebuild it; combine reads K or more share files and writes the
 * identity back, byte for byte, to stdout or to a new file. Files are created 0600 under a temporary
 * name and linked to their final name, which is never replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "format/share.h"
#include "util/err.h"
#include "util/io.h"
#include "util/secret.h"
#include "util/shamir.h"

static const char usage_text[] =
    "usage: safedump key split --threshold K --shares N [-o PREFIX] IDENTITY_FILE\n"
    "       safedump key combine SHARE... [-o FILE]\n\n"
    "Split an identity into N recovery shares, any K of which rebuild it, and rebuild it from shares.\n"
    "Fewer than K shares reveal nothing about the identity. Each share is a short text file that can\n"
    "be printed and typed back.\n\n"
    "split:\n"
    "  -k, --threshold K   shares needed to rebuild the identity (2 to 255)\n"
    "  -n, --shares N      shares to write (K to 255)\n"
    "  -o, --output PREFIX write PREFIX-1-of-N.txt ... PREFIX-N-of-N.txt (default: IDENTITY_FILE);\n"
    "                      mode 0600, never overwritten\n"
    "combine:\n"
    "  -o, --output FILE   write the identity to FILE (mode 0600; never overwritten), not to stdout\n";

#define MAX_PATH 4096

/* fsync_dir(path): make a new name in ${path}'s directory durable. Best effort. */
static void
fsync_dir(const char *path)
{
    char dir[MAX_PATH];
    const char *slash = strrchr(path, '/');
    int fd;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
        (void)fsync(fd);
        close(fd);
    }
}

/*
 * write_new(cmd, path, data, len, e): create ${path} with ${len} bytes, mode 0600: written and synced
 * under a temporary name, then linked to ${path}, which link() never replaces. Nothing half-written ever
 * has the final name.
 */
static int
write_new(const char *cmd, const char *path, const void *data, size_t len, struct err *e)
{
    char tmp[MAX_PATH + 64];
    int fd;

    if (strlen(path) >= MAX_PATH)
        return err_set(e, ERR_USAGE, "%s: file name too long", cmd);
    snprintf(tmp, sizeof(tmp), "%s.%ld.partial", path, (long)getpid());
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
        return err_sys(e, ERR_IO, "%s: unable to create '%s'", cmd, path);
    if (io_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
        err_sys(e, ERR_IO, "%s: unable to write '%s'", cmd, tmp);
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) == -1) {
        err_sys(e, ERR_IO, "%s: unable to write '%s'", cmd, tmp);
        unlink(tmp);
        return -1;
    }
    if (link(tmp, path) == -1) {
        if (errno == EEXIST) {
            err_set(e, ERR_EXISTS, "%s: '%s' already exists", cmd, path);
            err_hint(e, "choose another name with -o; a key file or share is never overwritten");
        } else {
            err_sys(e, ERR_IO, "%s: unable to create '%s'", cmd, path);
        }
        unlink(tmp);
        return -1;
    }
    unlink(tmp);
    fsync_dir(path);
    return 0;
}

/* count(arg, what, lo, hi, out, e): a whole decimal number from ${lo} to ${hi}. */
static int
count(const char *arg, const char *what, unsigned lo, unsigned hi, unsigned *out, struct err *e)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(arg, &end, 10);
    if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v < lo || v > hi)
        return cmd_usage(e, "key", "key split: %s must be a number from %u to %u, not '%s'", what, lo, hi, arg);
    *out = (unsigned)v;
    return 0;
}

static int
key_split(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"threshold", required_argument, NULL, 'k'},
        {"shares", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct share shares[SHAMIR_MAX_SHARES];
    struct secret *id = NULL;
    const char *prefix = NULL, *in;
    char path[MAX_PATH];
    unsigned k = 0, n = 0, i, written = 0;
    int c, rc = -1, split = 0;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:n:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k':
            if (count(optarg, "--threshold", 2, SHAMIR_MAX_SHARES, &k, e) == -1)
                return -1;
            break;
        case 'n':
            if (count(optarg, "--shares", 1, SHAMIR_MAX_SHARES, &n, e) == -1)
                return -1;
            break;
        case 'o':
            prefix = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "key", "key split: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (k == 0 || n == 0)
        return cmd_usage(e, "key", "key split: %s is required", k == 0 ? "--threshold K" : "--shares N");
    if (n < k)
        return cmd_usage(e, "key", "key split: %u shares are fewer than the threshold %u", n, k);
    if (optind != argc - 1)
        return cmd_usage(e, "key",
                         optind == argc ? "key split: no identity file given" : "key split: one identity file, not %d",
                         argc - optind);
    in = argv[optind];
    if (prefix == NULL)
        prefix = in;
    if (strlen(prefix) > MAX_PATH - 32)
        return cmd_usage(e, "key", "key split: the prefix is too long");
    /* refuse before writing anything when a share file exists: a split is written whole or not at all */
    for (i = 1; i <= n; i++) {
        snprintf(path, sizeof(path), "%s-%u-of-%u.txt", prefix, i, n);
        if (access(path, F_OK) == 0) {
            err_set(e, ERR_EXISTS, "key split: '%s' already exists", path);
            return err_hint(e, "choose another prefix with -o; shares are never overwritten");
        }
    }
    if ((id = secret_read_file(in, SHARE_MAX_SECRET, e)) == NULL) {
        err_wrap(e, "key split");
        goto out;
    }
    if (id->len == 0) {
        err_set(e, ERR_FORMAT, "key split: identity '%s' is empty", in);
        goto out;
    }
    if (share_split(id->data, id->len, k, n, shares, e) == -1) {
        err_wrap(e, "key split");
        goto out;
    }
    split = 1;
    for (i = 0; i < n; i++) {
        struct secret *text = share_format(&shares[i], e);
        snprintf(path, sizeof(path), "%s-%u-of-%u.txt", prefix, i + 1, n);
        if (text == NULL || write_new("key split", path, text->data, text->len, e) == -1) {
            secret_free(text);
            goto out;
        }
        secret_free(text);
        written++;
    }
    for (i = 1; i <= n; i++)
        printf("%s-%u-of-%u.txt\n", prefix, i, n);
    if (isatty(STDERR_FILENO))
        fprintf(stderr,
                "any %u of these %u shares rebuild '%s' ('safedump key combine'); give each to its own holder\n", k, n,
                in);
    rc = 0;
out:
    if (rc == -1) {
        /* a partial set of shares is no use and must not look like a split */
        for (i = 1; i <= written; i++) {
            snprintf(path, sizeof(path), "%s-%u-of-%u.txt", prefix, i, n);
            unlink(path);
        }
    }
    for (i = 0; split && i < n; i++)
        share_release(&shares[i]);
    secret_free(id);
    return rc;
}

static int
key_combine(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct share shares[SHAMIR_MAX_SHARES];
    const char *names[SHAMIR_MAX_SHARES];
    struct secret *id = NULL;
    const char *out = NULL;
    size_t n = 0, i;
    int c, rc = -1;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "key", "key combine: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return cmd_usage(e, "key", "key combine: no share files given");
    if (argc - optind > SHAMIR_MAX_SHARES)
        return cmd_usage(e, "key", "key combine: at most %d share files", SHAMIR_MAX_SHARES);
    for (; optind < argc; optind++) {
        struct secret *text = secret_read_file(argv[optind], 1024 * 1024, e);
        if (text == NULL) {
            err_wrap(e, "key combine");
            goto out;
        }
        names[n] = argv[optind];
        if (share_parse(argv[optind], text->data, text->len, &shares[n], e) == -1) {
            secret_free(text);
            err_wrap(e, "key combine");
            goto out;
        }
        secret_free(text);
        n++;
    }
    if ((id = share_combine(shares, names, n, e)) == NULL) {
        err_wrap(e, "key combine");
        goto out;
    }
    if (out != NULL) {
        if (write_new("key combine", out, id->data, id->len, e) == -1)
            goto out;
        if (isatty(STDERR_FILENO))
            fprintf(stderr, "identity written to '%s'\n", out);
    } else {
        fflush(stdout);
        if (io_write_all(STDOUT_FILENO, id->data, id->len) == -1) {
            err_sys(e, ERR_IO, "key combine: unable to write the identity");
            goto out;
        }
    }
    rc = 0;
out:
    for (i = 0; i < n; i++)
        share_release(&shares[i]);
    secret_free(id);
    return rc;
}

int
cmd_key(int argc, char **argv, struct err *e)
{
    if (argc >= 2 && strcmp(argv[1], "split") == 0)
        return key_split(argc - 1, argv + 1, e);
    if (argc >= 2 && strcmp(argv[1], "combine") == 0)
        return key_combine(argc - 1, argv + 1, e);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (argc < 2)
        return cmd_usage(e, "key", "key: no sub-command given (split or combine)");
    return cmd_usage(e, "key", "key: unknown sub-command '%s' (split or combine)", argv[1]);
}
