/*
 * Child processes for dump and restore tools. A child's stderr goes to an anonymous in-memory file
 * (never a pipe that could fill up and block it); after it exits, its last lines are put into the
 * error message. The environment is the parent's with named variables removed or set, so a secret
 * such as PGPASSWORD reaches only the child that needs it and never argv.
 */
#ifndef SAFEDUMP_UTIL_CHILD_H
#define SAFEDUMP_UTIL_CHILD_H

struct err;
struct child;

struct child_spec {
    const char *const *argv;      /* argv[0] is looked up in PATH; NULL-terminated */
    const char *const *env_set;   /* "NAME=value" entries to set, NULL-terminated, or NULL */
    const char *const *env_unset; /* names to remove, NULL-terminated, or NULL */
    int stdin_pipe;               /* 1: a pipe for child_stdin(); 0: /dev/null */
    int stdout_pipe;              /* 1: a pipe for child_stdout(); 0: stdout_fd */
    int stdout_fd;                /* used when stdout_pipe is 0; -1 means /dev/null */
    int as_user;                  /* 1: run as uid/gid below (we are root; e.g. initdb refuses root) */
    unsigned uid, gid;
    int fd3; /* > 2: the child's fd 3 (for gpg --status-fd 3); 0: none */
};

/** child_start(spec, e): fork and exec. NULL on failure (fork, pipe or exec failure: "unable to run 'x'"). */
struct child *child_start(const struct child_spec *spec, struct err *e);

/** child_stdin(c), child_stdout(c): the parent's ends of the pipes, or -1. */
int child_stdin(const struct child *c);
int child_stdout(const struct child *c);

/** child_close_stdin(c): close the parent's end of the stdin pipe (the child sees end of file). */
void child_close_stdin(struct child *c);

/**
 * child_wait(c, e): close our pipe ends, wait for the child and read its stderr. Returns 0 when it
 * exited with status 0; otherwise -1 with ERR_SOURCE "'NAME' exited with status N: LAST LINES" or
 * "'NAME' killed by signal N". Call once.
 */
int child_wait(struct child *c, struct err *e);

/**
 * child_wait_for(c, timeout_ms, e): like child_wait, but gives up after ${timeout_ms} (negative: never)
 * and returns -2 with ${e} untouched if the child is still running then.
 */
int child_wait_for(struct child *c, int timeout_ms, struct err *e);

/** child_stderr(c): the tail of the child's stderr (after child_wait), "" if none. */
const char *child_stderr(const struct child *c);

/** child_free(c): kill a child still running (TERM, then KILL), reap it, free. NULL does nothing. */
void child_free(struct child *c);

#endif
