#define _GNU_SOURCE /* memfd_create */
#include "util/child.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <grp.h>
#include <unistd.h>

#include "util/err.h"

#define STDERR_TAIL 4096
#define CHILD_PIPE_SIZE (1024 * 1024)

extern char **environ;

struct child {
    pid_t pid;
    int in_fd, out_fd, err_fd;
    char name[64];
    char tail[STDERR_TAIL + 1];
};

static int
env_listed(const char *entry, const char *const *names, int with_value)
{
    for (; names != NULL && *names != NULL; names++) {
        const char *eq = strchr(*names, '=');
        size_t n = with_value && eq ? (size_t)(eq - *names) : strlen(*names);
        if (strncmp(entry, *names, n) == 0 && entry[n] == '=')
            return 1;
    }
    return 0;
}

/* The child's environment: ours, less env_unset and the names env_set replaces, plus env_set. */
static char **
build_env(const struct child_spec *spec)
{
    size_t n = 0, k = 0, i;
    char **env;

    for (i = 0; environ[i] != NULL; i++)
        n++;
    for (i = 0; spec->env_set != NULL && spec->env_set[i] != NULL; i++)
        n++;
    if ((env = calloc(n + 1, sizeof(*env))) == NULL)
        return NULL;
    for (i = 0; environ[i] != NULL; i++)
        if (!env_listed(environ[i], spec->env_unset, 0) && !env_listed(environ[i], spec->env_set, 1))
            env[k++] = environ[i];
    for (i = 0; spec->env_set != NULL && spec->env_set[i] != NULL; i++)
        env[k++] = (char *)(uintptr_t)spec->env_set[i];
    env[k] = NULL;
    return env;
}

struct child *
child_start(const struct child_spec *spec, struct err *e)
{
    struct child *c = calloc(1, sizeof(*c));
    int inp[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1};
    char **env = NULL;
    const char *base;

    if (c == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    c->pid = -1;
    c->in_fd = c->out_fd = c->err_fd = -1;
    base = strrchr(spec->argv[0], '/');
    snprintf(c->name, sizeof(c->name), "%s", base ? base + 1 : spec->argv[0]);
    if ((env = build_env(spec)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if ((c->err_fd = memfd_create("stderr", MFD_CLOEXEC)) == -1) {
        err_sys(e, ERR_IO, "memfd_create");
        goto fail;
    }
    if ((spec->stdin_pipe && pipe2(inp, O_CLOEXEC) == -1) || (spec->stdout_pipe && pipe2(outp, O_CLOEXEC) == -1) ||
        pipe2(errp, O_CLOEXEC) == -1) {
        err_sys(e, ERR_IO, "pipe");
        goto fail;
    }
    c->pid = fork();
    if (c->pid == -1) {
        err_sys(e, ERR_IO, "unable to run '%s': fork", c->name);
        goto fail;
    }
    if (c->pid == 0) {
        /* In the child: wire fds 0, 1 and 2, then exec; report exec failure's errno through errp. */
        int devnull = open("/dev/null", O_RDWR);
        int in = spec->stdin_pipe ? inp[0] : devnull;
        int out = spec->stdout_pipe ? outp[1] : (spec->stdout_fd >= 0 ? spec->stdout_fd : devnull);
        int saved;
        sigset_t none;

        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(c->err_fd, 2) == -1)
            _exit(127);
        if (spec->as_user &&
            (setgroups(0, NULL) == -1 || setgid((gid_t)spec->gid) == -1 || setuid((uid_t)spec->uid) == -1)) {
            saved = errno;
            (void)!write(errp[1], &saved, sizeof(saved));
            _exit(127);
        }
        /* dup2 onto itself keeps close-on-exec: clear it explicitly */
        if (spec->fd3 > 2 && (spec->fd3 == 3 ? fcntl(3, F_SETFD, 0) : dup2(spec->fd3, 3)) == -1)
            _exit(127);
        environ = env;
        execvp(spec->argv[0], (char *const *)(uintptr_t)spec->argv);
        saved = errno;
        (void)!write(errp[1], &saved, sizeof(saved));
        _exit(127);
    }
    free(env);
    env = NULL;
    close(errp[1]);
    errp[1] = -1;
    {
        int child_errno;
        ssize_t n;
        do
            n = read(errp[0], &child_errno, sizeof(child_errno));
        while (n == -1 && errno == EINTR);
        close(errp[0]);
        errp[0] = -1;
        if (n == (ssize_t)sizeof(child_errno)) {
            errno = child_errno;
            err_sys(e, ERR_SOURCE, "unable to run '%s'", spec->argv[0]);
            if (child_errno == ENOENT)
                err_hint(e, "install it or give its full path");
            goto fail;
        }
    }
    /* Large pipes let the two sides work in batches (best effort: the limit is pipe-max-size). */
    if (spec->stdin_pipe) {
        close(inp[0]);
        c->in_fd = inp[1];
        (void)fcntl(c->in_fd, F_SETPIPE_SZ, CHILD_PIPE_SIZE);
    }
    if (spec->stdout_pipe) {
        close(outp[1]);
        c->out_fd = outp[0];
        (void)fcntl(c->out_fd, F_SETPIPE_SZ, CHILD_PIPE_SIZE);
    }
    return c;
fail:
    free(env);
    for (int i = 0; i < 2; i++) {
        if (inp[i] != -1)
            close(inp[i]);
        if (outp[i] != -1)
            close(outp[i]);
        if (errp[i] != -1)
            close(errp[i]);
    }
    if (c->pid > 0) {
        while (waitpid(c->pid, NULL, 0) == -1 && errno == EINTR)
            ;
        c->pid = -1;
    }
    child_free(c);
    return NULL;
}

int
child_stdin(const struct child *c)
{
    return c->in_fd;
}

int
child_stdout(const struct child *c)
{
    return c->out_fd;
}

void
child_close_stdin(struct child *c)
{
    if (c->in_fd != -1) {
        close(c->in_fd);
        c->in_fd = -1;
    }
}

/* Read the tail of the child's stderr into c->tail, trimmed of trailing white space. */
static void
read_tail(struct child *c)
{
    off_t end = lseek(c->err_fd, 0, SEEK_END);
    off_t start = end > STDERR_TAIL ? end - STDERR_TAIL : 0;
    ssize_t n;
    size_t len;

    c->tail[0] = '\0';
    if (end <= 0)
        return;
    n = pread(c->err_fd, c->tail, STDERR_TAIL, start);
    len = n > 0 ? (size_t)n : 0;
    while (len > 0 && (c->tail[len - 1] == '\n' || c->tail[len - 1] == ' ' || c->tail[len - 1] == '\r'))
        len--;
    c->tail[len] = '\0';
}

/* The end of stderr for a one-line message: the last three lines at most, 400 bytes at most. */
static void
tail_summary(const struct child *c, char *out, size_t outsz)
{
    const char *end = c->tail + strlen(c->tail), *p = end;
    int lines = 0;
    size_t k = 0;

    while (p > c->tail && end - p < 400) {
        if (p[-1] == '\n' && ++lines == 3)
            break;
        p--;
    }
    if (p > c->tail && p[-1] != '\n' && k + 3 < outsz) {
        memcpy(out, "...", 3);
        k = 3;
    }
    for (; p < end && k + 3 < outsz; p++) {
        if (*p == '\n') {
            out[k++] = ';';
            out[k++] = ' ';
        } else if (*p != '\r') {
            out[k++] = *p;
        }
    }
    out[k] = '\0';
}

int
child_wait_for(struct child *c, int timeout_ms, struct err *e)
{
    static const struct timespec tick = {0, 10 * 1000 * 1000};
    char summary[768];
    int status, waited = 0;
    pid_t r;

    child_close_stdin(c);
    if (c->out_fd != -1) {
        close(c->out_fd);
        c->out_fd = -1;
    }
    for (;;) {
        r = waitpid(c->pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
        if (r == -1 && errno == EINTR)
            continue;
        if (r == -1)
            return err_sys(e, ERR_INTERNAL, "waitpid '%s'", c->name);
        if (r == c->pid)
            break;
        if (waited >= timeout_ms)
            return -2; /* still running: child_free() stops it */
        nanosleep(&tick, NULL);
        waited += 10;
    }
    c->pid = -1;
    read_tail(c);
    tail_summary(c, summary, sizeof(summary));
    if (WIFSIGNALED(status))
        return err_set(e, ERR_SOURCE, "'%s' killed by signal %d%s%s", c->name, WTERMSIG(status), summary[0] ? ": " : "",
                       summary);
    if (WEXITSTATUS(status) != 0)
        return err_set(e, ERR_SOURCE, "'%s' exited with status %d%s%s", c->name, WEXITSTATUS(status),
                       summary[0] ? ": " : "", summary);
    return 0;
}

int
child_wait(struct child *c, struct err *e)
{
    return child_wait_for(c, -1, e);
}

const char *
child_stderr(const struct child *c)
{
    return c->tail;
}

void
child_free(struct child *c)
{
    if (c == NULL)
        return;
    child_close_stdin(c);
    if (c->out_fd != -1)
        close(c->out_fd);
    if (c->pid > 0) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        int i;
        kill(c->pid, SIGTERM);
        for (i = 0; i < 100 && waitpid(c->pid, NULL, WNOHANG) == 0; i++)
            nanosleep(&ts, NULL);
        if (i == 100) {
            kill(c->pid, SIGKILL);
            while (waitpid(c->pid, NULL, 0) == -1 && errno == EINTR)
                ;
        }
    }
    if (c->err_fd != -1)
        close(c->err_fd);
    free(c);
}
