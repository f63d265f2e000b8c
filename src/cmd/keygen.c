/*
 * safedump keygen [-o FILE] [--passphrase]: a new age identity. With -o the identity goes to FILE
 * (created 0600, never overwritten) and the recipient to stdout; without, both go to stdout as
 * age-keygen does. With --passphrase the file is an age file encrypted to the passphrase (one scrypt
 * stanza, as 'age-keygen | age -p' makes), which 'age -d' and our identity loading both open.
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
#include "stage/stage.h"
#include "util/err.h"
#include "util/io.h"
#include "util/secret.h"

static const char usage_text[] =
    "usage: safedump keygen [-o FILE] [--passphrase [--passphrase-file FILE]]\n\n"
    "Generate an age identity (private key). Keep it off the backup host: the\n"
    "backup host needs only the recipient (public key) printed on stdout.\n\n"
    "  -o, --output FILE        write the identity to FILE (mode 0600; never overwritten)\n"
    "  --passphrase             encrypt the identity file with a passphrase (asked twice on the\n"
    "                           terminal); 'age -d FILE' opens it too. Needs -o\n"
    "  --passphrase-file FILE   take the passphrase from FILE (or SAFEDUMP_PASSPHRASE_FILE); implies\n"
    "                           --passphrase\n";

/* encrypt_to(fd, text, pass, e): write ${text} to ${fd} as an age file encrypted to ${pass}. */
static int
encrypt_to(int fd, const struct secret *text, const struct secret *pass, struct err *e)
{
    struct age_recipient *r = age_recipient_scrypt_new(pass->data, pass->len, AGE_SCRYPT_LOG_N, e);
    struct stage *s = NULL, *sink;
    int rc = -1;

    if (r == NULL || (sink = stage_fd_new(fd, e)) == NULL || (s = age_encrypt_new(&r, 1, sink, e)) == NULL)
        goto out;
    rc = stage_write(s, text->data, text->len, e) == -1 || stage_finish(s, e) == -1 ? -1 : 0;
out:
    stage_free(s);
    age_recipient_free(r);
    return rc;
}

int
cmd_keygen(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"passphrase", no_argument, NULL, 'p'},
        {"passphrase-file", required_argument, NULL, 'P'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct age_recipient *rcpt = NULL;
    struct secret *id = NULL, *text = NULL, *pass = NULL;
    const char *out = NULL, *pass_file = NULL;
    char head[256], when[32], what[300];
    int c, fd = -1, rc = -1, protect = 0;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'p':
            protect = 1;
            break;
        case 'P':
            protect = 1;
            pass_file = optarg;
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
    if (protect && out == NULL)
        return cmd_usage(e, "keygen", "keygen: --passphrase needs -o FILE (the encrypted identity is binary)");
    if (protect) {
        snprintf(what, sizeof(what), "the new identity '%s'", out);
        if ((pass = cmd_passphrase(pass_file, what, 1, e)) == NULL)
            return err_wrap(e, "keygen");
    }
    if ((id = age_keygen(&rcpt, e)) == NULL)
        goto out;
    catalog_iso(time(NULL), when);
    snprintf(head, sizeof(head), "# created: %s\n# public key: %s\n", when, age_recipient_string(rcpt));
    if (protect) { /* the whole identity file, as plaintext, only in a secret buffer */
        size_t hl = strlen(head);
        if ((text = secret_new(hl + id->len + 1, e)) == NULL)
            goto out;
        memcpy(text->data, head, hl);
        memcpy(text->data + hl, id->data, id->len);
        text->data[hl + id->len] = '\n';
    }
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
        if (protect) {
            int r = encrypt_to(fd, text, pass, e);
            if (r == 0 && fsync(fd) == -1)
                r = err_sys(e, ERR_IO, "unable to write");
            if (r == -1) {
                err_wrap(e, "keygen: '%s'", out);
                close(fd);
                unlink(out);
                goto out;
            }
        } else if (io_write_all(fd, head, strlen(head)) == -1 || io_write_all(fd, id->data, id->len) == -1 ||
                   io_write_all(fd, "\n", 1) == -1 || fsync(fd) == -1) {
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
            fprintf(stderr, "identity written to '%s'%s; keep it off the backup host\n", out,
                    protect ? ", encrypted with the passphrase" : "");
    } else {
        fflush(stdout);
        if (io_write_all(STDOUT_FILENO, head, strlen(head)) == -1 ||
            io_write_all(STDOUT_FILENO, id->data, id->len) == -1 || io_write_all(STDOUT_FILENO, "\n", 1) == -1) {
            err_sys(e, ERR_IO, "keygen: unable to write the identity");
            goto out;
        }
    }
    rc = 0;
out:
    secret_free(pass);
    secret_free(text);
    secret_free(id);
    age_recipient_free(rcpt);
    return rc;
}
