#include "util/log.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_format fmt_in_use = LOG_FORMAT_TEXT;
static int verbosity;
static int colour = -1; /* -1: not decided yet */
static int status_shown;

void
log_setup(enum log_format format, int v)
{
    fmt_in_use = format;
    verbosity = v;
}

enum log_format
log_format_get(void)
{
    return fmt_in_use;
}

int
log_parse_format(const char *s, enum log_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = LOG_FORMAT_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = LOG_FORMAT_JSON;
    else
        return -1;
    return 0;
}

int
log_is_shown(enum log_level level)
{
    if (level == LOG_DEBUG)
        return verbosity > 0;
    if (level == LOG_INFO)
        return verbosity >= 0;
    return 1;
}

/* Colour only for a person at a terminal who has not asked for none (https://no-color.org). */
static int
use_colour(void)
{
    if (colour == -1) {
        const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
        colour = isatty(STDERR_FILENO) && (nc == NULL || nc[0] == '\0') && term != NULL && strcmp(term, "dumb") != 0;
    }
    return colour;
}

int
log_status_enabled(void)
{
    return isatty(STDERR_FILENO) && fmt_in_use == LOG_FORMAT_TEXT && verbosity >= 0;
}

void
log_status_line(const char *text)
{
    if (!log_status_enabled())
        return;
    if (text == NULL) {
        if (status_shown)
            fputs("\r\033[K", stderr);
        status_shown = 0;
    } else {
        fprintf(stderr, "\r%s\033[K", text);
        status_shown = 1;
    }
    fflush(stderr);
}

static void
json_record(enum log_level level, const char *job, const char *hint, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    cJSON *o = cJSON_CreateObject();
    char when[32], *line;
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (o == NULL || cJSON_AddStringToObject(o, "time", when) == NULL ||
        cJSON_AddStringToObject(o, "level", names[level]) == NULL ||
        (job != NULL && cJSON_AddStringToObject(o, "job", job) == NULL) ||
        cJSON_AddStringToObject(o, "msg", msg) == NULL ||
        (hint != NULL && hint[0] != '\0' && cJSON_AddStringToObject(o, "hint", hint) == NULL) ||
        (line = cJSON_PrintUnformatted(o)) == NULL) {
        cJSON_Delete(o);
        fprintf(stderr, "{\"level\":\"error\",\"msg\":\"out of memory\"}\n");
        return;
    }
    fprintf(stderr, "%s\n", line);
    fflush(stderr);
    free(line);
    cJSON_Delete(o);
}

void
log_rec(enum log_level level, const char *job, const char *hint, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    int c;

    if (!log_is_shown(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_status_line(NULL);
    if (fmt_in_use == LOG_FORMAT_JSON) {
        json_record(level, job, hint, msg);
        return;
    }
    if (level == LOG_INFO) {
        printf("%s\n", msg);
        fflush(stdout);
        return;
    }
    c = use_colour();
    if (level == LOG_ERROR)
        fprintf(stderr, "%ssafedump:%s %s\n", c ? "\033[1;31m" : "", c ? "\033[0m" : "", msg);
    else if (level == LOG_WARNING)
        fprintf(stderr, "safedump: %swarning:%s %s\n", c ? "\033[1;33m" : "", c ? "\033[0m" : "", msg);
    else
        fprintf(stderr, "safedump: %s\n", msg);
    if (hint != NULL && hint[0] != '\0')
        fprintf(stderr, "%shint:%s %s\n", c ? "\033[1;36m" : "", c ? "\033[0m" : "", hint);
    fflush(stderr);
}
