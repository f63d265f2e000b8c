/*
 * What safedump tells its operator while it runs: errors (with their hint), warnings, the one-line
 * result of each job, and with --verbose what it does. Text goes to stderr as "safedump: ..." lines
 * (the job result to stdout), coloured on a terminal unless NO_COLOR is set; --log-format=json writes
 * every record as one JSON object per line on stderr instead, for journald and log shippers:
 *   {"time":"2026-11-23T02:00:00Z","level":"warning","job":"app","msg":"...","hint":"..."}
 * --quiet keeps only errors and warnings. Messages never hold secrets: URLs are redacted by the caller.
 */
#ifndef SAFEDUMP_UTIL_LOG_H
#define SAFEDUMP_UTIL_LOG_H

enum log_format {
    LOG_FORMAT_TEXT = 0,
    LOG_FORMAT_JSON,
};

enum log_level {
    LOG_ERROR = 0,
    LOG_WARNING,
    LOG_INFO,  /* results: shown unless --quiet */
    LOG_DEBUG, /* steps: shown with --verbose */
};

/** log_setup(format, verbosity): -1 quiet, 0 normal, 1 verbose. Call once, before any record. */
void log_setup(enum log_format format, int verbosity);

/** log_format_get(): the format in use. */
enum log_format log_format_get(void);

/** log_parse_format(s, out): "text" or "json". 0 or -1. */
int log_parse_format(const char *s, enum log_format *out);

/**
 * log_rec(level, job, hint, fmt, ...): one record. ${job} (or NULL) is a field of its own in JSON;
 * ${hint} (or NULL or "") follows as a "hint:" line in text. Text: LOG_INFO goes to stdout as it is,
 * the others to stderr as "safedump: MSG" (LOG_WARNING: "safedump: warning: MSG").
 */
void log_rec(enum log_level level, const char *job, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/** log_is_shown(level): whether records of ${level} are written at all. */
int log_is_shown(enum log_level level);

/** log_status_enabled(): whether log_status_line shows anything (a terminal, text, not quiet). */
int log_status_enabled(void);

/**
 * log_status_line(text): the progress line on a terminal: rewritten in place on stderr; NULL clears
 * it. Does nothing unless stderr is a terminal, the format is text and not quiet.
 */
void log_status_line(const char *text);

#endif
