/*
 * Local directory driver. Objects are files under the root; directories are made 0700 and files
 * 0600. A put writes ".NAME.XXXXXX.partial" beside the final name, and finish() fsyncs it, renames
 * it without replacing (renameat2 RENAME_NOREPLACE, or link+unlink where that is unsupported), and
 * fsyncs the directory, so an object is either complete under its final name or absent.
 */
#define _GNU_SOURCE /* renameat2, mkostemp */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage/stage.h"
#include "storage/storage_int.h"
#include "util/err.h"

struct local {
    struct storage base;
    char *root;
};

struct local_sink {
    struct stage base;
    int fd;
    size_t rootlen; /* directories up to here are never removed */
    char tmp[PATH_MAX];
    char final[PATH_MAX];
    int committed;
};

static int
path_of(const struct local *l, const char *key, char *out, struct err *e)
{
    if ((size_t)snprintf(out, PATH_MAX, "%s/%s", l->root, key) >= PATH_MAX)
        return err_set(e, ERR_STORAGE, "'%s/%s': path too long", l->root, key);
    return 0;
}

/* mkdir -p for the directories of ${path} (not its last component), mode 0700. */
static int
make_parents(char *path, struct err *e)
{
    char *p;

    for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        if (mkdir(path, 0700) == -1 && errno != EEXIST) {
            err_sys(e, ERR_STORAGE, "unable to create directory '%s'", path);
            *p = '/';
            return -1;
        }
        *p = '/';
    }
    return 0;
}

/* Remove the directories of ${path} that are left empty, deepest first, but not the root. */
static void
prune_empty_dirs(char *path, size_t rootlen)
{
    char *slash;

    while ((slash = strrchr(path, '/')) != NULL && (size_t)(slash - path) > rootlen) {
        *slash = '\0';
        if (rmdir(path) == -1)
            break;
    }
}

static int
fsync_dir_of(const char *path, struct err *e)
{
    char dir[PATH_MAX];
    char *slash;
    int fd, rc = 0;

    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/')) == NULL)
        return 0;
    *slash = '\0';
    if ((fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
        return err_sys(e, ERR_STORAGE, "unable to open directory '%s'", dir);
    if (fsync(fd) == -1 && errno != EINVAL)
        rc = err_sys(e, ERR_STORAGE, "unable to sync directory '%s'", dir);
    close(fd);
    return rc;
}

static int
sink_write(struct stage *s, const void *buf, size_t len, struct err *e)
{
    struct local_sink *k = (struct local_sink *)s;
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = write(k->fd, p, len);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            err_sys(e, ERR_STORAGE, "unable to write '%s'", k->final);
            if (errno == ENOSPC || errno == EDQUOT)
                err_hint(e, "free space in the repository's file system, or prune old backups");
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int
sink_finish(struct stage *s, struct err *e)
{
    struct local_sink *k = (struct local_sink *)s;

    if (fsync(k->fd) == -1)
        return err_sys(e, ERR_STORAGE, "unable to sync '%s'", k->final);
    if (close(k->fd) == -1) {
        k->fd = -1;
        return err_sys(e, ERR_STORAGE, "unable to close '%s'", k->final);
    }
    k->fd = -1;
    if (renameat2(AT_FDCWD, k->tmp, AT_FDCWD, k->final, RENAME_NOREPLACE) == -1) {
        if (errno == EEXIST)
            return err_set(e, ERR_EXISTS, "'%s' already exists", k->final);
        if (errno != EINVAL && errno != ENOSYS)
            return err_sys(e, ERR_STORAGE, "unable to rename '%s' to '%s'", k->tmp, k->final);
        /* file systems without RENAME_NOREPLACE: link() also refuses to replace */
        if (link(k->tmp, k->final) == -1) {
            if (errno == EEXIST)
                return err_set(e, ERR_EXISTS, "'%s' already exists", k->final);
            return err_sys(e, ERR_STORAGE, "unable to link '%s'", k->final);
        }
        unlink(k->tmp);
    }
    k->committed = 1;
    return fsync_dir_of(k->final, e);
}

static void
sink_free(struct stage *s)
{
    struct local_sink *k = (struct local_sink *)s;

    if (k->fd != -1)
        close(k->fd);
    if (!k->committed && k->tmp[0] != '\0') {
        unlink(k->tmp);
        prune_empty_dirs(k->tmp, k->rootlen);
    }
    free(k);
}

static const struct stage_ops sink_ops = {"local", sink_write, sink_finish, sink_free};

static int
local_put(struct storage *st, const char *key, struct stage **sink, struct err *e)
{
    struct local *l = (struct local *)st;
    struct local_sink *k = calloc(1, sizeof(*k));
    const char *base;

    if (k == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->base.ops = &sink_ops;
    k->fd = -1;
    k->rootlen = strlen(l->root);
    if (path_of(l, key, k->final, e) == -1 || make_parents(k->final, e) == -1)
        goto fail;
    base = strrchr(k->final, '/') + 1;
    snprintf(k->tmp, sizeof(k->tmp), "%.*s.%s.XXXXXX.partial", (int)(base - k->final), k->final, base);
    if ((k->fd = mkostemps(k->tmp, 8, O_CLOEXEC)) == -1) {
        err_sys(e, ERR_STORAGE, "unable to create '%s'", k->tmp);
        k->tmp[0] = '\0';
        if (errno == EACCES || errno == EROFS || errno == EPERM)
            err_hint(e, "the repository must be writable by this user");
        goto fail;
    }
    *sink = &k->base;
    return 0;
fail:
    sink_free(&k->base);
    return -1;
}

static int
local_get(struct storage *st, const char *key, struct stage *dst, struct err *e)
{
    char path[PATH_MAX];
    int fd, rc;

    if (path_of((struct local *)st, key, path, e) == -1)
        return -1;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
        return err_sys(e, errno == ENOENT ? ERR_NOTFOUND : ERR_STORAGE, "unable to open '%s'", path);
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    rc = stage_copy_fd(fd, dst, e);
    close(fd);
    if (rc == -1 && e->code == ERR_IO && strncmp(e->msg, "read", 4) == 0)
        err_wrap(e, "'%s'", path);
    return rc;
}

/* Walk ${dir} (a path under the root); ${rel} is its key prefix ("" or "job/" ...). */
static int
walk(const struct local *l, const char *dir, const char *rel, const char *prefix, storage_list_fn *fn, void *arg,
     struct err *e)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int rc = 0;

    if (d == NULL) {
        if (errno == ENOENT && rel[0] != '\0')
            return 0; /* removed while we listed */
        return err_sys(e, errno == ENOENT ? ERR_NOTFOUND : ERR_STORAGE, "unable to list '%s'", dir);
    }
    while (rc == 0) {
        char path[PATH_MAX], key[PATH_MAX];
        struct stat sb;
        size_t plen = strlen(prefix), klen;

        errno = 0;
        if ((de = readdir(d)) == NULL) {
            if (errno != 0)
                rc = err_sys(e, ERR_STORAGE, "unable to list '%s'", dir);
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= sizeof(path) ||
            (size_t)snprintf(key, sizeof(key), "%s%s", rel, de->d_name) >= sizeof(key))
            continue;
        klen = strlen(key);
        /* prune subtrees that cannot match the prefix */
        if (strncmp(key, prefix, klen < plen ? klen : plen) != 0)
            continue;
        if (lstat(path, &sb) == -1) {
            if (errno == ENOENT)
                continue;
            rc = err_sys(e, ERR_STORAGE, "unable to stat '%s'", path);
        } else if (S_ISDIR(sb.st_mode)) {
            char sub[PATH_MAX];
            if ((size_t)snprintf(sub, sizeof(sub), "%s/", key) >= sizeof(sub))
                continue;
            rc = walk(l, path, sub, prefix, fn, arg, e);
        } else if (S_ISREG(sb.st_mode) && klen >= plen) {
            rc = fn(arg, key, (uint64_t)sb.st_size, e);
        }
    }
    closedir(d);
    return rc;
}

static int
local_list(struct storage *st, const char *prefix, storage_list_fn *fn, void *arg, struct err *e)
{
    struct local *l = (struct local *)st;

    return walk(l, l->root, "", prefix, fn, arg, e);
}

static int
local_remove(struct storage *st, const char *key, struct err *e)
{
    char path[PATH_MAX];

    if (path_of((struct local *)st, key, path, e) == -1)
        return -1;
    if (unlink(path) == -1 && errno != ENOENT)
        return err_sys(e, ERR_STORAGE, "unable to remove '%s'", path);
    prune_empty_dirs(path, strlen(((struct local *)st)->root));
    return 0;
}

static void
local_free(struct storage *st)
{
    struct local *l = (struct local *)st;

    free(l->root);
    free(st->url);
    free(l);
}

static const struct storage_ops local_ops = {
    "file", local_put, local_get, local_list, local_remove, local_free, STORAGE_F_RENAME,
};

struct storage *
storage_local_new(const char *path, int create, struct err *e)
{
    struct local *l;
    struct stat sb;
    size_t n = strlen(path);

    while (n > 1 && path[n - 1] == '/')
        n--;
    if (n == 0) {
        err_set(e, ERR_CONFIG, "repository path is empty");
        return NULL;
    }
    if ((l = calloc(1, sizeof(*l))) == NULL || (l->root = strndup(path, n)) == NULL ||
        (l->base.url = strdup(path)) == NULL) {
        if (l != NULL) {
            free(l->root);
            free(l);
        }
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    l->base.ops = &local_ops;
    if (stat(l->root, &sb) == -1) {
        char probe[PATH_MAX];
        if (errno != ENOENT || !create) {
            err_sys(e, errno == ENOENT ? ERR_NOTFOUND : ERR_STORAGE, "repository '%s'", l->root);
            goto fail;
        }
        snprintf(probe, sizeof(probe), "%s/", l->root);
        if (make_parents(probe, e) == -1) {
            err_wrap(e, "repository '%s'", l->root);
            err_hint(e, "create the directory and make it writable by this user");
            goto fail;
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        err_set(e, ERR_STORAGE, "repository '%s': not a directory", l->root);
        goto fail;
    }
    return &l->base;
fail:
    local_free(&l->base);
    return NULL;
}
