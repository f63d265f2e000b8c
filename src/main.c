/*
 * safedump: global flags, find the command, run it, print its error once and turn it into an exit
 * status. Nothing else lives here.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "util/err.h"
#include "util/interrupt.h"
#include "util/log.h"

static const struct command commands[] = {
    {"keygen", cmd_keygen, "generate a new identity and print its recipient", 0},
    {"key", cmd_key, "split an identity into recovery shares, or combine shares", 0},
    {"backup", cmd_backup, "dump, compress, encrypt and store jobs", CMD_CONFIG},
    {"list", cmd_list, "list the backups in a repository, newest first", CMD_CONFIG},
    {"verify", cmd_verify, "check backups: integrity without a key, content with one", CMD_CONFIG},
    {"restore", cmd_restore, "fetch, decrypt, decompress and load a backup", CMD_CONFIG},
    {"prune", cmd_prune, "apply the retention policy, explaining every keep and delete", CMD_CONFIG},
    {"check", cmd_check, "check the configuration; --freshness: fail when backups are too old", CMD_CONFIG},
    {"s3", cmd_s3, "s3 policy: least-privilege IAM policies for an s3:// repository", CMD_CONFIG},
};

static void
usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: safedump [--config FILE] [--log-format text|json] [--quiet|--verbose] COMMAND [ARGS]\n\n"
               "Encrypted, compressed, off-site backups of PostgreSQL that prove they restore.\n\n"
               "commands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s  %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'safedump COMMAND --help' describes a command. Exit status: 0 success, 1 failed,\n"
               "2 usage or configuration error, 3 some jobs failed, 4 verification found a bad backup.\n");
}

/* Narrow the process: private files, no core dumps that could hold keys, EPIPE instead of SIGPIPE. */
static void
narrow(void)
{
    struct rlimit no_core = {0, 0};

    umask(077);
    (void)setrlimit(RLIMIT_CORE, &no_core);
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    signal(SIGPIPE, SIG_IGN);
    interrupt_install();
}

int
main(int argc, char **argv)
{
    struct err e;
    size_t i;
    int argi = 1, verbosity = 0;
    enum log_format lf = LOG_FORMAT_TEXT;
    const char *lfs = NULL;

    narrow();
    err_init(&e);
    while (argi < argc && argv[argi][0] == '-') {
        if (strcmp(argv[argi], "--help") == 0 || strcmp(argv[argi], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[argi], "--version") == 0) {
            printf("safedump %s\n", SAFEDUMP_VERSION);
            return 0;
        }
        if (strcmp(argv[argi], "--config") == 0 && argi + 1 < argc) {
            cmd_config_path = argv[argi + 1];
            argi += 2;
        } else if (strncmp(argv[argi], "--config=", 9) == 0) {
            cmd_config_path = argv[argi] + 9;
            argi++;
        } else if (strcmp(argv[argi], "--log-format") == 0 && argi + 1 < argc) {
            lfs = argv[argi + 1];
            argi += 2;
        } else if (strncmp(argv[argi], "--log-format=", 13) == 0) {
            lfs = argv[argi++] + 13;
        } else if (strcmp(argv[argi], "--quiet") == 0 || strcmp(argv[argi], "-q") == 0) {
            verbosity = -1;
            argi++;
        } else if (strcmp(argv[argi], "--verbose") == 0 || strcmp(argv[argi], "-v") == 0) {
            verbosity = 1;
            argi++;
        } else {
            fprintf(stderr, "safedump: unknown option '%s'\nhint: 'safedump --help' lists the commands\n", argv[argi]);
            return 2;
        }
    }
    if (lfs != NULL && log_parse_format(lfs, &lf) == -1) {
        fprintf(stderr,
                "safedump: --log-format '%s': expected text or json\nhint: 'safedump --help' lists the options\n", lfs);
        return 2;
    }
    log_setup(lf, verbosity);
    if (argi >= argc) {
        usage(stderr);
        return 2;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[argi], commands[i].name) != 0)
            continue;
        if (commands[i].run(argc - argi, argv + argi, &e) == 0)
            return 0;
        log_rec(LOG_ERROR, NULL, e.hint, "%s", e.msg);
        return err_exit_status(e.code == ERR_OK ? ERR_INTERNAL : e.code);
    }
    fprintf(stderr, "safedump: unknown command '%s'\nhint: 'safedump --help' lists the commands\n", argv[argi]);
    return 2;
}
