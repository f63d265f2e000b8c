/*
 * safedump keygen [-o FILE]: a new age identity. With -o the identity goes to FILE (created 0600,
 * never overwritten) and the recipient to stdout; without, both go to stdout as age-keygen does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cmd/cmd.h"
#include "format/age.h"
#include "util/err.h"
#include "util/secret.h"

static const char usage_text[] = "usage: safedump keygen [-o FILE]\n\n"
                                 "Generate an age identity (private key). Keep it off the backup host: the\n"
                                 "backup host needs only the recipient (public key) printed on stdout.\n\n"
                                 "  -o, --output FILE   write the identity to FILE (mode 0600; never overwritten)\n";

static int
write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int
cmd_keygen(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct age_recipient *rcpt = NULL;
    struct secret *id = NULL;
    const char *out = NULL;
    char head[256], when[32];
    int c, fd = -1, rc = -1;

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
            return cmd_usage(e, "keygen", "keygen: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cmd_usage(e, "keygen", "keygen: unexpected argument '%s'", argv[optind]);
    if ((id = age_keygen(&rcpt, e)) == NULL)
        goto out;
    catalog_iso(time(NULL), when);
    snprintf(head, sizeof(head), "# created: %s\n# public key: %s\n", when, age_recipient_string(rcpt));
    if (out != NULL) {
        if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
            if (errno == EEXIST) {
                err_set(e, ERR_EXISTS, "keygen: '%s' already exists", out);
                err_hint(e, "choose another file name; an existing identity is never overwritten");
            } else {
                err_sys(e, ERR_IO, "keygen: unable to create '%s'", out);
            }
            goto out;
        }
        if (write_all(fd, head, strlen(head)) == -1 || write_all(fd, id->data, id->len) == -1 ||
            write_all(fd, "\n", 1) == -1 || fsync(fd) == -1) {
            err_sys(e, ERR_IO, "keygen: unable to write '%s'", out);
            close(fd);
            unlink(out);
            goto out;
        }
        if (close(fd) == -1) {
            err_sys(e, ERR_IO, "keygen: unable to write '%s'", out);
            unlink(out);
            goto out;
        }
        printf("%s\n", age_recipient_string(rcpt));
        if (isatty(STDERR_FILENO))
            fprintf(stderr, "identity written to '%s'; keep it off the backup host\n", out);
    } else {
        fflush(stdout);
        if (write_all(STDOUT_FILENO, head, strlen(head)) == -1 || write_all(STDOUT_FILENO, id->data, id->len) == -1 ||
            write_all(STDOUT_FILENO, "\n", 1) == -1) {
            err_sys(e, ERR_IO, "keygen: unable to write the identity");
            goto out;
        }
    }
    rc = 0;
out:
    secret_free(id);
    age_recipient_free(rcpt);
    return rc;
}
