/*
 * Mail through a sendmail-compatible program (msmtp, postfix, exim): the message goes to its stdin and
 * it runs as "PROGRAM -t -i", reading the recipients from the To: header. safedump speaks no SMTP and
 * holds no mail password: the program's own configuration does.
 */
#ifndef SAFEDUMP_ALERT_MAIL_H
#define SAFEDUMP_ALERT_MAIL_H

#include <stddef.h>

struct err;
struct alert_result;

/**
 * mail_message(r, to, host): the whole message: To, Subject ("[safedump] FAILED: backup 'app' on HOST"),
 * MIME headers, and a body with the job, result, error and hint, sizes and duration. Returns a malloc'd
 * string or NULL (out of memory, or ${to} holding a line break).
 */
char *mail_message(const struct alert_result *r, const char *to, const char *host);

/**
 * mail_send(program, to, r, host, timeout_s, e): run ${program} -t -i with the message on stdin; it must
 * exit 0 within ${timeout_s} seconds (else it is killed). Returns 0 or -1 with the program's stderr.
 */
int mail_send(const char *program, const char *to, const struct alert_result *r, const char *host, int timeout_s,
              struct err *e);

#endif
