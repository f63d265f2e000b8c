/* Manifest and contents records: round trips and strict parsing. */
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/manifest.h"
#include "test.h"
#include "util/err.h"

static void
fill(struct manifest *m)
{
    struct err e;

    memset(m, 0, sizeof(*m));
    strcpy(m->tool_version, "0.1.0");
    strcpy(m->job, "appdb");
    strcpy(m->id, "20261123T020000Z");
    strcpy(m->source_kind, "postgres");
    strcpy(m->server_version, "15.18");
    strcpy(m->dump_format, "custom");
    strcpy(m->started, "2026-11-23T02:00:00Z");
    strcpy(m->finished, "2026-11-23T02:01:00Z");
    m->raw_bytes = 1ull << 40;
    m->compressed_bytes = 12345;
    m->stored_bytes = 12400;
    strcpy(m->stored_sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    strcpy(m->data_name, "data.dump.zst.age");
    strcpy(m->compression, "zstd:3");
    strcpy(m->encryption, "age");
    manifest_add_recipient(m, "age1xyz", &e);
    manifest_add_recipient(m, "age1abc", &e);
}

TEST(manifest_round_trip)
{
    struct manifest m, back;
    struct err e;
    char *json;

    fill(&m);
    json = manifest_to_json(&m, &e);
    CHECK(json != NULL);
    CHECK_EQ_INT(manifest_parse(&back, json, strlen(json), &e), 0);
    CHECK_EQ_STR(back.job, "appdb");
    CHECK_EQ_STR(back.id, "20261123T020000Z");
    CHECK_EQ_INT(back.raw_bytes, 1ull << 40);
    CHECK_EQ_INT(back.n_recipients, 2);
    CHECK_EQ_STR(back.recipients[1], "age1abc");
    CHECK_EQ_STR(back.stored_sha256, m.stored_sha256);
    manifest_release(&back);
    manifest_release(&m);
    free(json);
}

TEST(manifest_rejects_bad_input)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"format\":\"safedump-manifest\",\"version\":2}",
        "{\"format\":\"other\",\"version\":1}",
        "{\"format\":\"safedump-manifest\",\"version\":1}",
        "{\"format\":\"safedump-manifest\",\"version\":1,\"job\":\"x\"",
    };
    struct manifest m;
    struct err e;
    size_t i;
    char *json, *p;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK_EQ_INT(manifest_parse(&m, bad[i], strlen(bad[i]), &e), -1);
    fill(&m);
    json = manifest_to_json(&m, &e);
    manifest_release(&m);
    /* a job name that would escape the repository */
    p = strstr(json, "\"appdb\"");
    memcpy(p, "\"../db\"", 7);
    CHECK_EQ_INT(manifest_parse(&m, json, strlen(json), &e), -1);
    CHECK_EQ_INT(e.code, ERR_FORMAT);
    free(json);
    CHECK_EQ_INT(manifest_parse(&m, "{\"format\":\"safedump-manifest\",\"version\":9}", 42, &e), -1);
    CHECK_CONTAINS(e.msg, "version 9 is not supported");
    CHECK_CONTAINS(e.hint, "upgrade");
}

TEST(contents_round_trip)
{
    struct contents c, back;
    struct err e;
    char *json;

    memset(&c, 0, sizeof(c));
    strcpy(c.plain_sha256, "00");
    c.raw_bytes = 42;
    CHECK_EQ_INT(contents_add_table(&c, "public", "pgbench_accounts", 100000, &e), 0);
    CHECK_EQ_INT(contents_add_table(&c, "Odd Schema", "Odd \"Name\"", 0, &e), 0);
    json = contents_to_json(&c, &e);
    CHECK(json != NULL);
    CHECK_EQ_INT(contents_parse(&back, json, strlen(json), &e), 0);
    CHECK_EQ_INT(back.n_tables, 2);
    CHECK_EQ_STR(back.tables[1].name, "Odd \"Name\"");
    CHECK_EQ_INT(back.tables[0].rows, 100000);
    contents_release(&back);
    contents_release(&c);
    free(json);
}

TEST(ids_and_times)
{
    char id[32], iso[32];
    time_t t;

    catalog_id(1795399200, id);
    CHECK_EQ_STR(id, "20261123T020000Z");
    catalog_iso(1795399200, iso);
    CHECK_EQ_STR(iso, "2026-11-23T02:00:00Z");
    CHECK_EQ_INT(catalog_parse_iso(iso, &t), 0);
    CHECK_EQ_INT(t, 1795399200);
    CHECK_EQ_INT(catalog_parse_iso("2026-11-23 02:00", &t), -1);
    CHECK(manifest_job_valid("app-db_1.prod"));
    CHECK(!manifest_job_valid(".hidden"));
    CHECK(!manifest_job_valid("a/b"));
    CHECK(!manifest_job_valid(""));
}

int
main(void)
{
    RUN(manifest_round_trip);
    RUN(manifest_rejects_bad_input);
    RUN(contents_round_trip);
    RUN(ids_and_times);
    return test_done();
}
