/* Share files: format and parse round trips, forgiving reading of typed-back text, and every rejection
 * with its message: a typo on a line, a missing line, another split, a duplicate, too few, a wrong version. */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "format/share.h"
#include "test.h"
#include "util/err.h"
#include "util/secret.h"

static const char *const names[] = {"a.txt", "b.txt", "c.txt", "d.txt", "e.txt"};

/* text_of(s): the share's text as a malloc'd C string. */
static char *
text_of(const struct share *s)
{
    struct err e;
    struct secret *t = share_format(s, &e);
    char *c;

    if (t == NULL)
        return NULL;
    c = malloc(t->len + 1);
    memcpy(c, t->data, t->len);
    c[t->len] = '\0';
    secret_free(t);
    return c;
}

/* parse(name, text, out, e): share_parse over a C string. */
static int
parse(const char *name, const char *text, struct share *out, struct err *e)
{
    return share_parse(name, (const unsigned char *)text, strlen(text), out, e);
}

/* line_at(text, n): a pointer to the start of line ${n} (1-based). */
static char *
line_at(char *text, unsigned n)
{
    while (--n > 0 && text != NULL)
        if ((text = strchr(text, '\n')) != NULL)
            text++;
    return text;
}

/* line_of(text, prefix): the number of the first line starting with ${prefix}, or 0. */
static unsigned
line_of(const char *text, const char *prefix)
{
    unsigned n = 1;

    for (;;) {
        if (strncmp(text, prefix, strlen(prefix)) == 0)
            return n;
        if ((text = strchr(text, '\n')) == NULL)
            return 0;
        text++;
        n++;
    }
}

/*
 * roundtrip(len, k, n): split a random secret, format and parse every share, and combine every subset:
 * k or more distinct shares rebuild it byte for byte, k - 1 fail with ERR_KEY. Returns 0 or a line.
 */
static int
roundtrip(size_t len, unsigned k, unsigned n)
{
    struct share made[5], parsed[5], sub[5];
    const char *subnames[5];
    unsigned char *secret = malloc(len);
    struct secret *got;
    struct err e;
    unsigned i, m, mask;
    int bad = 0;

    RAND_bytes(secret, (int)len);
    if (share_split(secret, len, k, n, made, &e) == -1) {
        free(secret);
        return __LINE__;
    }
    for (i = 0; i < n; i++) {
        char *t = text_of(&made[i]);
        if (t == NULL || parse(names[i], t, &parsed[i], &e) == -1)
            bad = __LINE__;
        free(t);
        if (bad)
            break;
    }
    for (mask = 1; !bad && mask < (1u << n); mask++) {
        m = 0;
        for (i = 0; i < n; i++)
            if (mask & (1u << i)) {
                sub[m] = parsed[i];
                subnames[m++] = names[i];
            }
        got = share_combine(sub, subnames, m, &e);
        if (m >= k && (got == NULL || got->len != len || memcmp(got->data, secret, len) != 0))
            bad = __LINE__;
        if (m < k && (got != NULL || e.code != ERR_KEY))
            bad = __LINE__;
        secret_free(got);
    }
    for (i = 0; i < n; i++) {
        share_release(&made[i]);
        share_release(&parsed[i]);
    }
    free(secret);
    return bad;
}

TEST(every_subset_up_to_five_shares)
{
    static const size_t sizes[] = {1, 2, 12, 13, 19, 20, 21, 40, 100, 2000};
    unsigned k, n;
    size_t i;

    for (n = 2; n <= 5; n++)
        for (k = 2; k <= n; k++)
            for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
                CHECK_EQ_INT(roundtrip(sizes[i], k, n), 0);
}

TEST(random_sizes)
{
    size_t i;

    for (i = 0; i < 60; i++) {
        CHECK_EQ_INT(roundtrip(1 + (size_t)rand() % 2000, 2, 3), 0);
        CHECK_EQ_INT(roundtrip(1 + (size_t)rand() % 2000, 3, 5), 0);
    }
}

/* A fixture: a 2-of-3 split of a known identity line, as text. */
struct fixture {
    struct share s[3];
    char *text[3];
};

static const char identity[] = "# created: 2026-11-23T13:00:00Z\n# public key: age1example\n"
                               "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n";

static int
fixture_new(struct fixture *f, unsigned k, unsigned n)
{
    struct err e;
    unsigned i;

    memset(f, 0, sizeof(*f));
    if (share_split((const unsigned char *)identity, strlen(identity), k, n, f->s, &e) == -1)
        return -1;
    for (i = 0; i < n; i++)
        f->text[i] = text_of(&f->s[i]);
    return 0;
}

static void
fixture_free(struct fixture *f)
{
    unsigned i;

    for (i = 0; i < 3; i++) {
        share_release(&f->s[i]);
        free(f->text[i]);
    }
}

/* combine_texts(texts, n, e): parse and combine; the identity or NULL. */
static struct secret *
combine_texts(char *const *texts, size_t n, struct err *e)
{
    struct share sh[5];
    struct secret *s = NULL;
    size_t i, got = 0;

    for (i = 0; i < n; i++, got++)
        if (parse(names[i], texts[i], &sh[i], e) == -1)
            goto out;
    s = share_combine(sh, names, n, e);
out:
    for (i = 0; i < got; i++)
        share_release(&sh[i]);
    return s;
}

TEST(text_layout)
{
    struct fixture f;
    char *l;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    CHECK_EQ_INT(strncmp(f.text[1], "safedump-share v1\n", 18), 0);
    CHECK(strstr(f.text[1], "\nthreshold: 2\n") != NULL);
    CHECK(strstr(f.text[1], "\nshare: 2 of 3\n") != NULL);
    CHECK(strstr(f.text[1], "\nbytes: 141\n") != NULL); /* 133 bytes of identity + 8 of tag */
    /* data lines: number, 8 groups of 4, two spaces, a check group of 4 */
    l = line_at(f.text[1], line_of(f.text[1], "01 "));
    CHECK(l != NULL);
    CHECK_EQ_INT(strchr(l, '\n') - l, 2 + 8 * 5 + 2 + 4);
    CHECK(strstr(f.text[1], "\nchecksum: ") != NULL);
    /* the secret is nowhere in the text, nor its hex */
    CHECK(strstr(f.text[1], "AGE-SECRET-KEY") == NULL);
    fixture_free(&f);
}

TEST(typed_back_loosely)
{
    struct fixture f;
    struct secret *got;
    struct err e;
    char *t[2], *p;
    size_t i;
    int data = 0, col = 0;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    /* in the data: lower case, O for 0, l for 1, spaces anywhere; CRLF line ends, no comments, blank lines */
    t[0] = malloc(strlen(f.text[0]) * 3 + 16);
    for (p = t[0], i = 0; f.text[0][i] != '\0'; i++) {
        char c = f.text[0][i];
        const char *line = f.text[0] + i;
        if (i == 0 || f.text[0][i - 1] == '\n') {
            if (c == '#') {
                i = (size_t)(strchr(line, '\n') - f.text[0]);
                continue;
            }
            data = c >= '0' && c <= '9';
            col = 0;
        }
        col++;
        if (c == '\n') {
            *p++ = '\r';
            *p++ = '\n';
            *p++ = '\n';
            continue;
        }
        if (data && col > 3) {
            c = c == '0' ? 'O' : c == '1' ? 'l' : (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
            if (col % 3 == 0)
                *p++ = ' ';
        }
        *p++ = c;
    }
    *p = '\0';
    t[1] = f.text[2];
    got = combine_texts(t, 2, &e);
    CHECK_EQ_STR(got == NULL ? e.msg : "", "");
    CHECK(got != NULL);
    CHECK_EQ_INT(got->len, strlen(identity));
    CHECK_MEM(got->data, identity, got->len);
    secret_free(got);
    free(t[0]);
    fixture_free(&f);
}

/* typo(text, line): change the first data character of ${line} to another value. */
static void
typo(char *text, unsigned line)
{
    char *l = line_at(text, line);

    if (l == NULL)
        return;
    while (*l != ' ')
        l++;
    l++;
    *l = *l == '7' ? '8' : '7';
}

TEST(typo_on_a_data_line)
{
    struct fixture f;
    struct share s;
    struct err e;
    char want[128];
    unsigned l2;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    l2 = line_of(f.text[0], "02 ");
    typo(f.text[0], l2);
    CHECK_EQ_INT(parse("a.txt", f.text[0], &s, &e), -1);
    CHECK_EQ_INT(e.code, ERR_FORMAT);
    snprintf(want, sizeof(want), "share 'a.txt' line %u: checksum mismatch (a typo?)", l2);
    CHECK_EQ_STR(e.msg, want);
    fixture_free(&f);
}

TEST(typo_in_a_check_group_or_header)
{
    struct fixture f;
    struct share s;
    struct err e;
    char *l, want[160];
    unsigned n;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    /* the check group itself */
    l = strchr(line_at(f.text[0], line_of(f.text[0], "03 ")), '\n') - 1;
    *l = *l == 'Z' ? 'Y' : 'Z';
    CHECK_EQ_INT(parse("a.txt", f.text[0], &s, &e), -1);
    snprintf(want, sizeof(want), "share 'a.txt' line %u: checksum mismatch (a typo?)", line_of(f.text[0], "03 "));
    CHECK_EQ_STR(e.msg, want);
    /* "share: 1 of 3" read as "share: 3 of 3": only the share checksum can tell */
    l = strstr(f.text[1], "share: 2 of 3");
    l[7] = '3';
    n = line_of(f.text[1], "checksum:");
    CHECK_EQ_INT(parse("b.txt", f.text[1], &s, &e), -1);
    snprintf(want, sizeof(want), "share 'b.txt' line %u: share checksum mismatch", n);
    CHECK_CONTAINS(e.msg, want);
    /* a typo in the split id */
    l = strstr(f.text[2], "split: ") + 7;
    *l = *l == 'A' ? 'B' : 'A';
    CHECK_EQ_INT(parse("c.txt", f.text[2], &s, &e), -1);
    CHECK_CONTAINS(e.msg, "share checksum mismatch");
    fixture_free(&f);
}

TEST(missing_and_extra_lines)
{
    struct fixture f;
    struct share s;
    struct err e;
    char *l, *end, want[160];
    unsigned n;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    /* data line 02 left out */
    n = line_of(f.text[0], "02 ");
    l = line_at(f.text[0], n);
    end = strchr(l, '\n') + 1;
    memmove(l, end, strlen(end) + 1);
    CHECK_EQ_INT(parse("a.txt", f.text[0], &s, &e), -1);
    snprintf(want, sizeof(want),
             "share 'a.txt' line %u: data line 3 where 2 was expected (a line missing or repeated?)", n);
    CHECK_EQ_STR(e.msg, want);
    /* the last line (the checksum) left out */
    l = strstr(f.text[1], "checksum:");
    *l = '\0';
    CHECK_EQ_INT(parse("b.txt", f.text[1], &s, &e), -1);
    CHECK_EQ_STR(e.msg, "share 'b.txt': no 'checksum:' line (the last line is missing?)");
    /* the file cut in the middle of the data */
    l = line_at(f.text[2], line_of(f.text[2], "04 "));
    CHECK(l != NULL);
    *l = '\0';
    CHECK_EQ_INT(parse("c.txt", f.text[2], &s, &e), -1);
    CHECK_EQ_STR(e.msg, "share 'c.txt': 60 of 141 data bytes (a line is missing?)");
    /* empty, and not a share */
    CHECK_EQ_INT(parse("d.txt", "", &s, &e), -1);
    CHECK_EQ_STR(e.msg, "share 'd.txt' is not a safedump share (no 'safedump-share v1' line)");
    CHECK_EQ_INT(parse("d.txt", identity, &s, &e), -1);
    CHECK_EQ_STR(e.msg, "share 'd.txt' is not a safedump share (no 'safedump-share v1' line)");
    fixture_free(&f);
}

TEST(wrong_version)
{
    struct fixture f;
    struct share s;
    struct err e;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    f.text[0][16] = '2';
    CHECK_EQ_INT(parse("a.txt", f.text[0], &s, &e), -1);
    CHECK_EQ_INT(e.code, ERR_FORMAT);
    CHECK_EQ_STR(e.msg, "share 'a.txt': format version 2 is not supported (this safedump reads v1)");
    CHECK(e.hint[0] != '\0');
    fixture_free(&f);
}

TEST(shares_of_different_splits)
{
    struct fixture f, g;
    struct secret *got;
    struct err e;
    char *t[2];

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    CHECK_EQ_INT(fixture_new(&g, 2, 3), 0);
    t[0] = f.text[0];
    t[1] = g.text[1];
    got = combine_texts(t, 2, &e);
    CHECK(got == NULL);
    CHECK_EQ_INT(e.code, ERR_FORMAT);
    CHECK_EQ_STR(e.msg, "share 'b.txt' is from another split");
    CHECK_CONTAINS(e.hint, "use shares of one 'safedump key split' run");
    fixture_free(&f);
    fixture_free(&g);
}

TEST(duplicates_and_too_few)
{
    struct fixture f;
    struct secret *got;
    struct err e;
    char *t[3];

    CHECK_EQ_INT(fixture_new(&f, 3, 3), 0);
    t[0] = f.text[0];
    t[1] = f.text[2];
    t[2] = f.text[0];
    got = combine_texts(t, 3, &e);
    CHECK(got == NULL);
    CHECK_EQ_STR(e.msg, "share 'c.txt' is share 1 of 3 again, as is 'a.txt'");
    got = combine_texts(t, 2, &e);
    CHECK(got == NULL);
    CHECK_EQ_INT(e.code, ERR_KEY);
    CHECK_EQ_STR(e.msg, "2 shares given, 3 needed");
    got = combine_texts(t, 1, &e);
    CHECK(got == NULL);
    CHECK_EQ_STR(e.msg, "1 share given, 3 needed");
    fixture_free(&f);
}

TEST(altered_share_is_caught)
{
    /* a forged share passes every checksum (they catch typos, not forgers); combine still refuses it */
    struct fixture f;
    struct share sh[3];
    struct secret *got;
    struct err e;
    char *forged;
    unsigned i;

    CHECK_EQ_INT(fixture_new(&f, 2, 3), 0);
    f.s[1].data->data[5] ^= 0x40;
    forged = text_of(&f.s[1]);
    CHECK_EQ_INT(parse("a.txt", f.text[0], &sh[0], &e), 0);
    CHECK_EQ_INT(parse("b.txt", forged, &sh[1], &e), 0);
    CHECK_EQ_INT(parse("c.txt", f.text[2], &sh[2], &e), 0);
    got = share_combine(sh, names, 2, &e);
    CHECK(got == NULL);
    CHECK_EQ_STR(e.msg, "the shares do not rebuild the secret: one of them was altered");
    /* as an extra share, it is named */
    share_release(&sh[1]);
    sh[1] = sh[2];
    sh[2] = (struct share){{0}, 0, 0, 0, NULL};
    CHECK_EQ_INT(parse("c.txt", forged, &sh[2], &e), 0);
    got = share_combine(sh, names, 3, &e);
    CHECK(got == NULL);
    CHECK_EQ_STR(e.msg, "share 'c.txt' does not agree with the others");
    for (i = 0; i < 3; i++)
        share_release(&sh[i]);
    free(forged);
    fixture_free(&f);
}

TEST(bad_parameters)
{
    struct share s[3];
    struct err e;

    CHECK_EQ_INT(share_split((const unsigned char *)"x", 1, 1, 3, s, &e), -1);
    CHECK_EQ_INT(e.code, ERR_USAGE);
    CHECK_EQ_INT(share_split((const unsigned char *)"x", 1, 3, 2, s, &e), -1);
    CHECK_EQ_INT(share_split((const unsigned char *)"x", 0, 2, 3, s, &e), -1);
    CHECK_EQ_INT(share_split((const unsigned char *)"x", 1, 256, 256, s, &e), -1);
}

int
main(void)
{
    srand(2);
    RUN(every_subset_up_to_five_shares);
    RUN(random_sizes);
    RUN(text_layout);
    RUN(typed_back_loosely);
    RUN(typo_on_a_data_line);
    RUN(typo_in_a_check_group_or_header);
    RUN(missing_and_extra_lines);
    RUN(wrong_version);
    RUN(shares_of_different_splits);
    RUN(duplicates_and_too_few);
    RUN(altered_share_is_caught);
    RUN(bad_parameters);
    return test_done();
}
