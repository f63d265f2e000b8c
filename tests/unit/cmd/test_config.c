/* Configuration: good files, and bad lines named by file:line and key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/config.h"
#include "test.h"
#include "util/err.h"

static char path[64];

static void
write_conf(const char *text)
{
    FILE *f = fopen(path, "w");

    fputs(text, f);
    fclose(f);
}

TEST(good_file)
{
    struct config c;
    struct err e;
    const struct job_conf *j;

    write_conf("; comment\n[defaults]\nrepository = /var/backups/x\nrecipient = "
               "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj\ncompression = zstd:6\n\n"
               "[appdb]\nsource = postgres://app@localhost/appdb\nrecipient = ssh-ed25519 "
               "AAAAC3NzaC1lZDI1NTE5AAAAIHR+xTUlbErN179hk7a7QosAo6c6gpS/fI9+udsKIcX1 me@host\npg_format = plain\n"
               "pg_dump_arg = --exclude-table=log\n[other]\nsource = postgres://x@h/o\n");
    CHECK_EQ_INT(config_load(&c, path, 1, &e), 0);
    CHECK_EQ_INT(c.n_jobs, 2);
    j = config_job(&c, "appdb");
    CHECK(j != NULL);
    CHECK_EQ_STR(j->repository, "/var/backups/x");
    CHECK_EQ_INT(j->n_recipients, 2);
    CHECK_EQ_STR(j->recipients[1],
                 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHR+xTUlbErN179hk7a7QosAo6c6gpS/fI9+udsKIcX1 me@host");
    CHECK_EQ_INT(j->zstd_level, 6);
    CHECK_EQ_INT(j->pg_format, PG_FORMAT_PLAIN);
    CHECK_EQ_INT(j->n_pg_dump_args, 1);
    j = config_job(&c, "other");
    CHECK(j != NULL);
    CHECK_EQ_INT(j->n_recipients, 1);
    CHECK_EQ_INT(j->pg_format, PG_FORMAT_CUSTOM);
    CHECK(config_job(&c, "nope") == NULL);
    config_release(&c);
}

static void
expect_bad(const char *text, const char *needle, const char *hint)
{
    struct config c;
    struct err e;

    write_conf(text);
    err_init(&e);
    if (config_load(&c, path, 1, &e) != -1) {
        snprintf(test_why, sizeof(test_why), "accepted: %s", text);
        test_failed_now = 1;
    } else if (e.code != ERR_CONFIG || strstr(e.msg, needle) == NULL || (hint && strstr(e.hint, hint) == NULL)) {
        snprintf(test_why, sizeof(test_why), "message '%s' / hint '%s' lacks '%s'", e.msg, e.hint, needle);
        test_failed_now = 1;
    }
    config_release(&c);
}

TEST(bad_lines_are_named)
{
    char want[128];

    snprintf(want, sizeof(want), "%s:3: unknown key 'colour' in [appdb]", path);
    expect_bad("[appdb]\nsource = postgres://a@b/c\ncolour = blue\n", want, NULL);
    if (test_failed_now)
        return;
    snprintf(want, sizeof(want), "%s:2: key 'compression'", path);
    expect_bad("[defaults]\ncompression = gzip\n", want, NULL);
    if (test_failed_now)
        return;
    snprintf(want, sizeof(want), "%s:2: key 'source': a password", path);
    expect_bad("[db]\nsource = postgres://app:s3cret@localhost/db\n", want, "pgpass");
    if (test_failed_now)
        return;
    CHECK(strstr(test_why, "s3cret") == NULL);
    expect_bad("repository = /x\n", "outside a section", "[defaults]");
    if (test_failed_now)
        return;
    expect_bad("[bad/name]\nsource = postgres://a@b/c\n", "invalid job name 'bad/name'", NULL);
    if (test_failed_now)
        return;
    expect_bad("[a]\nsource = postgres://a@b/c\n[b]\nsource = postgres://a@b/c\n[a]\nthreads = 2\n", "defined twice",
               NULL);
    if (test_failed_now)
        return;
    expect_bad("[a]\nthreads = many\n", "threads 'many'", NULL);
    if (test_failed_now)
        return;
    expect_bad("[a]\nrecipient = ssh-dss AAAAB3NzaC1kc3MAAACBAP\n",
               "recipient 'ssh-dss AAAAB3NzaC1kc3MAAACBAP': not an age recipient or an SSH public key",
               "'ssh-ed25519 AAAA...'");
    if (test_failed_now)
        return;
    expect_bad("[a]\nrecipient = AGE-SECRET-KEY-1QQQ\n", "not an age recipient or an SSH public key", NULL);
    if (test_failed_now)
        return;
    expect_bad("[a]\nthis line has no equals sign\n", ":2: syntax error", NULL);
}

TEST(s3_keys)
{
    struct config c;
    struct err e;
    struct storage_opts o;
    const struct job_conf *j;

    write_conf("[defaults]\nrepository = s3://b/p\ns3_endpoint = https://s3.gra.io.cloud.ovh.net\ns3_region = gra\n"
               "s3_path_style = no\ns3_sse = aws:kms\ns3_kms_key_id = k1\ns3_object_lock = compliance\n"
               "s3_object_lock_retain = 30d\ns3_part_size = 16M\ns3_retries = 2\n[appdb]\ns3_storage_class = "
               "STANDARD_IA\n");
    CHECK_EQ_INT(config_load(&c, path, 1, &e), 0);
    j = config_job(&c, "appdb");
    CHECK(j != NULL);
    config_storage_opts(j, &o);
    CHECK_EQ_STR(o.s3_endpoint, "https://s3.gra.io.cloud.ovh.net");
    CHECK_EQ_STR(o.s3_region, "gra");
    CHECK_EQ_INT(o.s3_path_style, 2);
    CHECK_EQ_STR(o.s3_sse, "aws:kms");
    CHECK_EQ_STR(o.s3_kms_key_id, "k1");
    CHECK_EQ_STR(o.s3_object_lock, "compliance");
    CHECK_EQ_INT(o.s3_object_lock_retain, 30 * 86400);
    CHECK_EQ_INT(o.s3_part_size, 16 * 1024 * 1024);
    CHECK_EQ_INT(o.s3_retries, 2);
    CHECK_EQ_STR(o.s3_storage_class, "STANDARD_IA");
    CHECK(o.s3_ca_file == NULL);
    config_release(&c);
    expect_bad("[defaults]\ns3_sse = aes\n", "s3_sse 'aes': expected AES256 or aws:kms", NULL);
    expect_bad("[defaults]\ns3_part_size = 1M\n", "s3_part_size '1M': expected a size from 5M to 5G", NULL);
    expect_bad("[defaults]\ns3_object_lock = forever\n", "expected governance or compliance", NULL);
    expect_bad("[defaults]\ns3_endpoint = s3.example.org\n", "expected https://HOST[:PORT]", NULL);
    expect_bad("[defaults]\ns3_path_style = maybe\n", "expected yes, no or auto", NULL);
    expect_bad("[defaults]\ns3_bucket = x\n", "unknown key 's3_bucket'", NULL);
}

/* OpenPGP recipients: fingerprints and key files, repeatable, copied with the job; key IDs refused. */
TEST(pgp_recipients)
{
    struct config c;
    struct err e;
    struct job_conf copy;
    const struct job_conf *j;
    char want[256];

    write_conf("[defaults]\npgp_homedir = /etc/safedump/gnupg\n[appdb]\n"
               "pgp_recipient = 0xAEBE 8F0A 8264 1B8E 86A6  E723 6088 BEDE F0EB 0AD3\n"
               "pgp_recipient = /etc/safedump/key.asc\n");
    CHECK_EQ_INT(config_load(&c, path, 1, &e), 0);
    CHECK((j = config_job(&c, "appdb")) != NULL);
    CHECK_EQ_INT(j->n_pgp_recipients, 2);
    CHECK_EQ_STR(j->pgp_recipients[1], "/etc/safedump/key.asc");
    CHECK_EQ_STR(j->pgp_homedir, "/etc/safedump/gnupg");
    CHECK_EQ_INT(config_job_copy(&copy, j, &e), 0);
    config_release(&c);
    CHECK_EQ_INT(copy.n_pgp_recipients, 2);
    CHECK_EQ_STR(copy.pgp_homedir, "/etc/safedump/gnupg");
    config_job_release(&copy);
    snprintf(want, sizeof(want), "%s:2: key 'pgp_recipient': OpenPGP recipient '6088BEDEF0EB0AD3': a key ID", path);
    expect_bad("[a]\npgp_recipient = 6088BEDEF0EB0AD3\n", want, NULL);
}

TEST(missing_file)
{
    struct config c;
    struct err e;

    CHECK_EQ_INT(config_load(&c, "/nonexistent/safedump.conf", 0, &e), 0);
    CHECK_EQ_INT(c.loaded, 0);
    config_release(&c);
    CHECK_EQ_INT(config_load(&c, "/nonexistent/safedump.conf", 1, &e), -1);
    CHECK_EQ_INT(e.code, ERR_CONFIG);
    config_release(&c);
}

int
main(void)
{
    snprintf(path, sizeof(path), "/tmp/safedump-test-%d.conf", (int)getpid());
    RUN(good_file);
    RUN(bad_lines_are_named);
    RUN(s3_keys);
    RUN(pgp_recipients);
    RUN(missing_file);
    unlink(path);
    return test_done();
}
