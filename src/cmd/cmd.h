/*
 * Commands: each turns argv into plain structs, calls library code and prints. Each returns 0 or -1
 * with ${e} filled; main() prints the error once and maps its code to the exit status. Helpers shared
 * by the commands live in cmd/common.c.
 */
#ifndef SAFEDUMP_CMD_CMD_H
#define SAFEDUMP_CMD_CMD_H

#include <stddef.h>
#include <stdint.h>

struct err;
struct config;
struct job_conf;
struct storage;
struct age_identity;
struct age_recipient;
struct alert_result;
struct pgp_recipients;

#define CMD_CONFIG 0x1u /* reads the configuration file */

struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct err *e);
    const char *summary;
    unsigned flags;
};

int cmd_keygen(int argc, char **argv, struct err *e);
int cmd_key(int argc, char **argv, struct err *e);
int cmd_backup(int argc, char **argv, struct err *e);
int cmd_list(int argc, char **argv, struct err *e);
int cmd_verify(int argc, char **argv, struct err *e);
int cmd_restore(int argc, char **argv, struct err *e);
int cmd_prune(int argc, char **argv, struct err *e);
int cmd_s3(int argc, char **argv, struct err *e);

/** cmd_prune_one(st, j, job, dry_run, e): prune one job with ${j}'s policy, printing every decision. */
int cmd_prune_one(struct storage *st, const struct job_conf *j, const char *job, int dry_run, struct err *e);
int cmd_check(int argc, char **argv, struct err *e);

/* Global options, set by main() before the command runs. */
extern const char *cmd_config_path; /* --config before the command, or NULL */

/** cmd_usage(e, usage, fmt, ...): an ERR_USAGE error with a hint to the command's --help. Returns -1. */
int cmd_usage(struct err *e, const char *cmd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * cmd_config_load(c, path, e): load the configuration: ${path} (--config after the command),
 * else cmd_config_path, else $SAFEDUMP_CONFIG, else the default path, which alone may be missing.
 */
int cmd_config_load(struct config *c, const char *path, struct err *e);

/** cmd_repository(c, flag, e): the repository from the flag, else the file's [defaults]. NULL + error if none. */
const char *cmd_repository(const struct config *c, const char *flag, struct err *e);

/**
 * cmd_identities(path, pass_file, ids, max, e): load identities from ${path}, else $SAFEDUMP_IDENTITY:
 * age identities, an OpenSSH private key, or a passphrase-protected age identity file, whose
 * passphrase comes from cmd_passphrase(${pass_file}). Returns how many or -1. ${path} NULL and no
 * environment variable: ERR_USAGE.
 */
int cmd_identities(const char *path, const char *pass_file, struct age_identity **ids, size_t max, struct err *e);

/**
 * cmd_passphrase(file, what, confirm, e): a passphrase, never from argv: from ${file} (--passphrase-file),
 * else the file named by $SAFEDUMP_PASSPHRASE_FILE (one trailing newline is not part of it; the file
 * must not be readable by others), else asked on /dev/tty without echo ("passphrase for WHAT: "), twice
 * if ${confirm}. Empty passphrases are refused. The caller frees the secret.
 */
struct secret *cmd_passphrase(const char *file, const char *what, int confirm, struct err *e);

/** cmd_recipients(j, out, max, e): parse the job's recipients and recipients_file. Returns the count or -1. */
int cmd_recipients(const struct job_conf *j, struct age_recipient **out, size_t max, struct err *e);

/**
 * cmd_pgp_recipients(j, e): the job's OpenPGP recipients (pgp_recipient, pgp_homedir), checked with gpg
 * and resolved to fingerprints. NULL on failure; the caller frees with pgp_recipients_free.
 */
struct pgp_recipients *cmd_pgp_recipients(const struct job_conf *j, struct err *e);

/** cmd_size(n, buf): "12.3 MiB" */
const char *cmd_size(uint64_t n, char buf[32]);

/** cmd_age(seconds, buf): "3h", "2d", "45s" */
const char *cmd_age(long seconds, char buf[32]);

/** cmd_now(): seconds on the monotonic clock, for durations. */
double cmd_now(void);

/** cmd_alert_start(j): the job's start ping. Returns the number of warnings printed (0 or 1). */
int cmd_alert_start(const struct job_conf *j);

/**
 * cmd_alert_finish(j, r): the job's metrics, ping, mail, webhook and hooks for result ${r}, as ${j}
 * configures them (mail and webhook only for failures and warnings unless notify_on = always). A
 * notification that fails is printed as a warning; returns how many did.
 */
int cmd_alert_finish(const struct job_conf *j, const struct alert_result *r);

/**
 * cmd_alert_verify(j, job, level, ok, seconds): record a verify result of ${job} at ${level}
 * ("integrity", "content" or "restore") in the metrics ${j} configures (metrics_verify_result); a
 * failure is printed as a warning. Returns the number of warnings (0 or 1).
 */
int cmd_alert_verify(const struct job_conf *j, const char *job, const char *level, int ok, double seconds);

#define CMD_MAX_KEYS 64 /* recipients or identities per job */

#endif
