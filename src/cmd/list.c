/*
 * safedump list [JOB]: the complete backups, newest first, as a table or JSON.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "storage/storage.h"
#include "util/err.h"

static const char usage_text[] = "usage: safedump list [JOB] [options]\n\n"
                                 "List the complete backups in the repository, newest first.\n\n"
                                 "  --config FILE        configuration file\n"
                                 "  --repository DIR     the repository (default: from the configuration)\n"
                                 "  --recipients         also show the public keys each backup is encrypted to\n"
                                 "  --json               machine-readable output\n";

static int
print_json(const struct catalog *cat, struct err *e)
{
    cJSON *a = cJSON_CreateArray();
    char *text;
    size_t i, k;
    int ok = a != NULL;

    for (i = 0; ok && i < cat->n; i++) {
        const struct manifest *m = &cat->entries[i].m;
        cJSON *o = cJSON_CreateObject(), *r;
        char key[300];
        ok = o != NULL && cJSON_AddItemToArray(a, o);
        ok = ok && cJSON_AddStringToObject(o, "job", m->job) && cJSON_AddStringToObject(o, "id", m->id);
        ok = ok && cJSON_AddStringToObject(o, "started", m->started);
        ok = ok && cJSON_AddStringToObject(o, "finished", m->finished);
        ok = ok && cJSON_AddStringToObject(o, "source_kind", m->source_kind);
        ok = ok && cJSON_AddStringToObject(o, "server_version", m->server_version);
        ok = ok && cJSON_AddStringToObject(o, "dump_format", m->dump_format);
        ok = ok && cJSON_AddNumberToObject(o, "raw_bytes", (double)m->raw_bytes);
        ok = ok && cJSON_AddNumberToObject(o, "compressed_bytes", (double)m->compressed_bytes);
        ok = ok && cJSON_AddNumberToObject(o, "stored_bytes", (double)m->stored_bytes);
        ok = ok && cJSON_AddStringToObject(o, "stored_sha256", m->stored_sha256);
        catalog_key(key, sizeof(key), m->job, m->id, m->data_name);
        ok = ok && cJSON_AddStringToObject(o, "data_key", key);
        ok = ok && cJSON_AddStringToObject(o, "compression", m->compression);
        ok = ok && cJSON_AddStringToObject(o, "encryption", m->encryption);
        ok = ok && (r = cJSON_AddArrayToObject(o, "recipients")) != NULL;
        for (k = 0; ok && k < m->n_recipients; k++)
            ok = cJSON_AddItemToArray(r, cJSON_CreateString(m->recipients[k]));
    }
    if (!ok || (text = cJSON_Print(a)) == NULL) {
        cJSON_Delete(a);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    printf("%s\n", text);
    free(text);
    cJSON_Delete(a);
    return 0;
}

static void
print_table(const struct catalog *cat, int recipients)
{
    time_t now = time(NULL);
    size_t i, k;

    printf("%-20s %-17s %6s %10s %10s %6s\n", "JOB", "ID", "AGE", "RAW", "STORED", "RATIO");
    for (i = 0; i < cat->n; i++) {
        const struct manifest *m = &cat->entries[i].m;
        char age[32], raw[32], stored[32], ratio[16] = "-";
        time_t t;
        if (catalog_parse_iso(m->finished, &t) == -1)
            t = now;
        if (m->raw_bytes > 0)
            snprintf(ratio, sizeof(ratio), "%.1f%%", 100.0 * (double)m->stored_bytes / (double)m->raw_bytes);
        printf("%-20s %-17s %6s %10s %10s %6s\n", m->job, m->id, cmd_age((long)(now - t), age),
               cmd_size(m->raw_bytes, raw), cmd_size(m->stored_bytes, stored), ratio);
        for (k = 0; recipients && k < m->n_recipients; k++)
            printf("    recipient %s\n", m->recipients[k]);
    }
}

int
cmd_list(int argc, char **argv, struct err *e)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"repository", required_argument, NULL, 'r'},
        {"json", no_argument, NULL, 'J'},         {"recipients", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct config cfg;
    struct catalog cat;
    struct storage *st = NULL;
    struct storage_opts so;
    const char *config_path = NULL, *repo_flag = NULL, *repo, *job = NULL;
    int c, json = 0, recipients = 0, rc = -1;

    memset(&cat, 0, sizeof(cat));
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
        case 'J':
            json = 1;
            break;
        case 'R':
            recipients = 1;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            return cmd_usage(e, "list", "list: unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        job = argv[optind++];
    if (optind < argc)
        return cmd_usage(e, "list", "list: unexpected argument '%s'", argv[optind]);
    if (cmd_config_load(&cfg, config_path, e) == -1)
        return -1;
    if ((repo = cmd_repository(&cfg, repo_flag, e)) == NULL)
        goto out;
    if (job != NULL && !manifest_job_valid(job)) {
        err_set(e, ERR_USAGE, "invalid job name '%s'", job);
        goto out;
    }
    config_storage_opts(&cfg.defaults, &so);
    if ((st = storage_open_opts(repo, 0, &so, e)) == NULL || catalog_load(st, job, &cat, e) == -1) {
        if (st == NULL)
            err_hint(e, "check --repository or 'repository' in the configuration");
        goto out;
    }
    if (json)
        rc = print_json(&cat, e);
    else {
        print_table(&cat, recipients);
        rc = 0;
    }
out:
    catalog_release(&cat);
    storage_free(st);
    config_release(&cfg);
    return rc;
}
