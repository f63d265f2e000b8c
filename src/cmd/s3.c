/*
 * safedump s3 policy [JOB]: least-privilege IAM policies for an s3:// repository. One for the backup
 * host (write-only: it can add backups but never read, list or delete them), one for the host that
 * lists, verifies, restores and prunes.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/manifest.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "util/err.h"

static const char usage_text[] =
    "usage: safedump s3 policy [JOB] [options]\n\n"
    "Print least-privilege IAM policies (JSON) for the s3:// repository: one for the backup host\n"
    "(write-only: s3:PutObject and s3:AbortMultipartUpload on the prefix, nothing else), one for the host\n"
    "that lists, verifies, restores and prunes (s3:ListBucket on the prefix, s3:GetObject, s3:DeleteObject).\n"
    "With JOB, the policies cover that job's backups only.\n\n"
    "  --config FILE        configuration file\n"
    "  --repository URL     the repository, s3://BUCKET/PREFIX (default: from the configuration)\n"
    "  --for WHO            print only one policy: backup or admin\n";

/* The statements of one policy; NULL on allocation failure. */
static cJSON *
policy(const char *bucket, const char *path, int admin, const struct job_conf *j)
{
    cJSON *doc = cJSON_CreateObject(), *stmts, *s, *a, *cond;
    char objects[2200], bucket_arn[128], like[2200];
    int ok = doc != NULL;

    snprintf(bucket_arn, sizeof(bucket_arn), "arn:aws:s3:::%s", bucket);
    snprintf(objects, sizeof(objects), "arn:aws:s3:::%s/%s*", bucket, path);
    snprintf(like, sizeof(like), "%s*", path);
    ok = ok && cJSON_AddStringToObject(doc, "Version", "2012-10-17");
    ok = ok && (stmts = cJSON_AddArrayToObject(doc, "Statement")) != NULL;
    ok = ok && (s = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(stmts, s);
    if (!admin) {
        ok = ok && cJSON_AddStringToObject(s, "Sid", "SafedumpBackupWriteOnly");
        ok = ok && cJSON_AddStringToObject(s, "Effect", "Allow");
        ok = ok && (a = cJSON_AddArrayToObject(s, "Action")) != NULL;
        ok = ok && cJSON_AddItemToArray(a, cJSON_CreateString("s3:PutObject"));
        ok = ok && cJSON_AddItemToArray(a, cJSON_CreateString("s3:AbortMultipartUpload"));
        if (j->s3[8] != NULL) /* s3_object_lock: the retention headers need their own permission */
            ok = ok && cJSON_AddItemToArray(a, cJSON_CreateString("s3:PutObjectRetention"));
        ok = ok && cJSON_AddStringToObject(s, "Resource", objects);
        if (ok && j->s3[4] != NULL && strcmp(j->s3[4], "aws:kms") == 0 && j->s3[5] != NULL &&
            strncmp(j->s3[5], "arn:", 4) == 0) {
            ok = (s = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(stmts, s);
            ok = ok && cJSON_AddStringToObject(s, "Sid", "SafedumpBackupKmsEncrypt");
            ok = ok && cJSON_AddStringToObject(s, "Effect", "Allow");
            ok = ok && (a = cJSON_AddArrayToObject(s, "Action")) != NULL;
            ok = ok && cJSON_AddItemToArray(a, cJSON_CreateString("kms:GenerateDataKey"));
            ok = ok && cJSON_AddStringToObject(s, "Resource", j->s3[5]);
        }
    } else {
        ok = ok && cJSON_AddStringToObject(s, "Sid", "SafedumpList");
        ok = ok && cJSON_AddStringToObject(s, "Effect", "Allow");
        ok = ok && cJSON_AddStringToObject(s, "Action", "s3:ListBucket");
        ok = ok && cJSON_AddStringToObject(s, "Resource", bucket_arn);
        ok = ok && (cond = cJSON_AddObjectToObject(s, "Condition")) != NULL;
        ok = ok && (cond = cJSON_AddObjectToObject(cond, "StringLike")) != NULL;
        ok = ok && cJSON_AddStringToObject(cond, "s3:prefix", like);
        ok = ok && (s = cJSON_CreateObject()) != NULL && cJSON_AddItemToArray(stmts, s);
        ok = ok && cJSON_AddStringToObject(s, "Sid", "SafedumpReadPrune");
        ok = ok && cJSON_AddStringToObject(s, "Effect", "Allow");
        ok = ok && (a = cJSON_AddArrayToObject(s, "Action")) != NULL;
        ok = ok && cJSON_AddItemToArray(a, cJSON_CreateString("s3:GetObject"));
        ok = ok && cJSON_AddItemToArray(a, cJSON_CreateString("s3:DeleteObject"));
        ok = ok && cJSON_AddStringToObject(s, "Resource", objects);
    }
    if (!ok) {
        cJSON_Delete(doc);
        return NULL;
    }
    return doc;
}

static int
print_policy(const char *title, cJSON *doc, int with_title, struct err *e)
{
    char *text = doc != NULL ? cJSON_Print(doc) : NULL;

    cJSON_Delete(doc);
    if (text == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (with_title)
        printf("# %s\n", title);
    printf("%s\n", text);
    free(text);
    return 0;
}

static int
s3_policy(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"repository", required_argument, NULL, 'r'},
        {"for", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *repo_flag = NULL, *repo, *job = NULL, *who = NULL, *slash;
    const struct job_conf *j;
    struct config cfg;
    char bucket[64], path[2048];
    size_t n;
    int c, rc = -1;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'r':
            repo_flag = optarg;
            break;
        case 'f':
            who = optarg;
            if (strcmp(who, "backup") != 0 && strcmp(who, "admin") != 0)
                return cmd_usage(e, "s3", "s3 policy: --for '%s': expected backup or admin", who);
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "s3", "s3 policy: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        job = argv[optind++];
    if (optind < argc)
        return cmd_usage(e, "s3", "s3 policy: unexpected argument '%s'", argv[optind]);
    if (job != NULL && !manifest_job_valid(job))
        return err_set(e, ERR_USAGE, "invalid job name '%s'", job);
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;
    j = job != NULL && config_job(&cfg, job) != NULL ? config_job(&cfg, job) : &cfg.defaults;
    repo = repo_flag != NULL ? repo_flag : j->repository;
    if (repo == NULL && (repo = cmd_repository(&cfg, NULL, e)) == NULL)
        goto out;
    if (strncmp(repo, "s3://", 5) != 0) {
        err_set(e, ERR_USAGE, "repository '%s' is not an s3:// repository", repo);
        err_hint(e, "give --repository s3://BUCKET/PREFIX");
        goto out;
    }
    slash = strchr(repo + 5, '/');
    n = slash != NULL ? (size_t)(slash - (repo + 5)) : strlen(repo + 5);
    if (n == 0 || n >= sizeof(bucket)) {
        err_set(e, ERR_USAGE, "repository '%s': no valid bucket name", repo);
        goto out;
    }
    memcpy(bucket, repo + 5, n);
    bucket[n] = '\0';
    {
        const char *p = slash != NULL ? slash : "";
        size_t plen;
        while (*p == '/')
            p++;
        plen = strlen(p);
        while (plen > 0 && p[plen - 1] == '/')
            plen--;
        snprintf(path, sizeof(path), "%.*s%s%s%s", (int)plen, p, plen > 0 ? "/" : "", job ? job : "", job ? "/" : "");
    }
    if (who == NULL || strcmp(who, "backup") == 0)
        if (print_policy("backup host: write-only (PutObject on the prefix; no list, get or delete)",
                         policy(bucket, path, 0, j), who == NULL, e) == -1)
            goto out;
    if (who == NULL || strcmp(who, "admin") == 0)
        if (print_policy("list, verify, restore and prune host", policy(bucket, path, 1, j), who == NULL, e) == -1)
            goto out;
    rc = 0;
out:
    config_release(&cfg);
    return rc;
}

int
cmd_s3(int argc, char **argv, struct err *e)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        if (argc < 2)
            return cmd_usage(e, "s3", "s3: a subcommand is required (policy)");
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "policy") == 0)
        return s3_policy(argc - 1, argv + 1, e);
    return cmd_usage(e, "s3", "s3: unknown subcommand '%s' (try: policy)", argv[1]);
}
