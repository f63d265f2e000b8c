/*
 * S3 driver on libcurl, for AWS and S3-compatible services (path-style or virtual-hosted addressing,
 * custom endpoints). Requests are signed with SigV4 (storage/sigv4.c); one curl handle is kept so
 * connections are reused.
 *
 * A put buffers one part in memory. An object that fits in one part goes up in one PUT; a larger one
 * becomes a multipart upload whose parts grow (doubling every 1000 parts, so 10 000 parts hold more
 * than 5 TiB), each part with Content-MD5 and a signed SHA-256. finish() completes the upload; freeing
 * the sink unfinished aborts it, so nothing incomplete appears under the final key. PUT and the
 * completion carry "If-None-Match: *": a service that honours it refuses to replace an object (412).
 *
 * Every request is retried with exponential backoff and jitter on 5xx, 429/SlowDown, timeouts
 * and cut connections, up to a number of attempts; a GET that was cut resumes with a Range. Errors
 * name the object as s3://BUCKET/KEY, the HTTP status and S3's error code, never a signature.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "stage/stage.h"
#include "storage/sigv4.h"
#include "storage/storage_int.h"
#include "util/err.h"
#include "util/secret.h"

#define S3_MIN_PART (5u * 1024 * 1024)
#define S3_DEFAULT_PART (8u * 1024 * 1024)
#define S3_MAX_PART ((size_t)5 * 1024 * 1024 * 1024)
#define S3_MAX_XML (16u * 1024 * 1024)
#define S3_MAX_HEADERS 16

struct s3 {
    struct storage base;
    CURL *curl;
    char bucket[64];
    char prefix[1024];  /* without leading or trailing '/'; may be "" */
    char scheme[8];     /* "https" */
    char host[640];     /* Host header */
    char path_base[80]; /* "/bucket" (path-style) or "" */
    int path_style;
    char endpoint[640]; /* for messages */
    char region[64];
    char access_key[256];
    struct secret *secret;
    struct secret *token; /* session token, or NULL */
    struct secret *ssec;  /* SSE-C key, or NULL */
    char ssec_md5[32];    /* base64 MD5 of the SSE-C key */
    const struct storage_opts *o;
    struct storage_opts defaults;
    int max_attempts;
    long retry_base_ms;
};

/* One request: method, key (NULL: the bucket), query, extra headers, body, and where a GET goes. */
struct req {
    const char *method;
    const char *key;
    struct sigv4_param params[6];
    size_t n_params;
    struct sigv4_header hdrs[S3_MAX_HEADERS];
    size_t n_hdrs;
    const unsigned char *body;
    size_t body_len;
    struct stage *dst; /* GET: the object goes here */
    uint64_t dst_done; /* bytes already pushed (a retry resumes from here) */
    size_t sent;       /* upload read position */
};

struct resp {
    long status;
    char *body; /* error bodies and XML; capped */
    size_t len, cap;
    char etag[256];
    char date[64];
    char bucket_region[64];
    char code[128];
    int dst_failed; /* the destination stage refused data: not retryable */
    struct err dst_err;
    struct req *rq;
    CURL *curl;
};

static void
resp_reset(struct resp *r)
{
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static void
add_hdr(struct req *q, const char *name, const char *value)
{
    if (q->n_hdrs < S3_MAX_HEADERS) {
        q->hdrs[q->n_hdrs].name = name;
        q->hdrs[q->n_hdrs].value = value;
        q->n_hdrs++;
    }
}

static void
add_param(struct req *q, const char *name, const char *value)
{
    if (q->n_params < sizeof(q->params) / sizeof(q->params[0])) {
        q->params[q->n_params].name = name;
        q->params[q->n_params].value = value;
        q->n_params++;
    }
}

/* The full key of ${key} under the repository prefix. */
static int
full_key(const struct s3 *s, const char *key, char *out, size_t outsz, struct err *e)
{
    if ((size_t)snprintf(out, outsz, "%s%s%s", s->prefix, s->prefix[0] ? "/" : "", key) >= outsz)
        return err_set(e, ERR_STORAGE, "'s3://%s/%s': key too long", s->bucket, key);
    return 0;
}

static void
base64(const unsigned char *in, size_t len, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, in, (int)len);
}

static void
md5_b64(const unsigned char *buf, size_t len, char out[32])
{
    unsigned char md[16];
    unsigned int n = 0;

    EVP_Digest(buf, len, md, &n, EVP_md5(), NULL);
    base64(md, 16, out);
}

/*
 * XML: the few elements S3 answers with. xml_text finds <tag>text</tag> in [p, end) and decodes the
 * five entities and numeric references into ${out}; returns a pointer past the element, or NULL.
 */
static const char *
xml_text(const char *p, const char *end, const char *tag, char *out, size_t outsz)
{
    char open[80], close[80];
    const char *a, *b;
    size_t o = 0;

    snprintf(open, sizeof(open), "<%s>", tag);
    snprintf(close, sizeof(close), "</%s>", tag);
    if (p == NULL || (a = strstr(p, open)) == NULL || a >= end)
        return NULL;
    a += strlen(open);
    if ((b = strstr(a, close)) == NULL || b > end)
        return NULL;
    while (a < b && o + 1 < outsz) {
        if (*a == '&') {
            static const struct {
                const char *ent;
                char c;
            } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
            size_t i;
            for (i = 0; i < 5; i++)
                if (strncmp(a, ents[i].ent, strlen(ents[i].ent)) == 0)
                    break;
            if (i < 5) {
                out[o++] = ents[i].c;
                a += strlen(ents[i].ent);
                continue;
            }
            if (a[1] == '#') {
                char *q;
                unsigned long cp = a[2] == 'x' ? strtoul(a + 3, &q, 16) : strtoul(a + 2, &q, 10);
                if (*q == ';' && cp < 0x80) {
                    out[o++] = (char)cp;
                    a = q + 1;
                    continue;
                }
            }
        }
        out[o++] = *a++;
    }
    out[o] = '\0';
    return b + strlen(close);
}

static size_t
on_header(char *buf, size_t size, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = size * n;
    static const struct {
        const char *name;
        size_t off, cap;
    } want[] = {
        {"etag:", offsetof(struct resp, etag), sizeof(((struct resp *)0)->etag)},
        {"date:", offsetof(struct resp, date), sizeof(((struct resp *)0)->date)},
        {"x-amz-bucket-region:", offsetof(struct resp, bucket_region), sizeof(((struct resp *)0)->bucket_region)},
    };

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        size_t nl = strlen(want[i].name), vl;
        const char *v;
        if (len <= nl || strncasecmp(buf, want[i].name, nl) != 0)
            continue;
        v = buf + nl;
        vl = len - nl;
        while (vl > 0 && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl > 0 && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
            vl--;
        if (vl < want[i].cap) {
            memcpy((char *)r + want[i].off, v, vl);
            ((char *)r + want[i].off)[vl] = '\0';
        }
    }
    return len;
}

static size_t
on_body(char *buf, size_t size, size_t n, void *arg)
{
    struct resp *r = arg;
    size_t len = size * n;
    long status = 0;

    curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);
    if (r->rq->dst != NULL && (status == 200 || status == 206)) {
        if (stage_write(r->rq->dst, buf, len, &r->dst_err) == -1) {
            r->dst_failed = 1;
            return 0;
        }
        r->rq->dst_done += len;
        return len;
    }
    if (r->len + len + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        char *p;
        while (cap < r->len + len + 1)
            cap *= 2;
        if (cap > S3_MAX_XML)
            return 0;
        if ((p = realloc(r->body, cap)) == NULL)
            return 0;
        r->body = p, r->cap = cap;
    }
    memcpy(r->body + r->len, buf, len);
    r->len += len;
    r->body[r->len] = '\0';
    return len;
}

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
    struct req *q = arg;
    size_t len = size * n, left = q->body_len - q->sent;

    if (len > left)
        len = left;
    if (len > 0)
        memcpy(buf, q->body + q->sent, len);
    q->sent += len;
    return len;
}

/* curl rewinds the body when it resends a request on a fresh connection (a reused one was cut) */
static int
on_seek(void *arg, curl_off_t offset, int origin)
{
    struct req *q = arg;

    if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > q->body_len)
        return CURL_SEEKFUNC_FAIL;
    q->sent = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

static void
slist_free_wiped(struct curl_slist *l)
{
    for (struct curl_slist *p = l; p != NULL; p = p->next)
        secret_wipe(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

/* One attempt. Returns 0 when a response arrived (any status), -1 on a transport error (cc set). */
static int
s3_attempt(struct s3 *s, struct req *q, struct resp *r, CURLcode *cc, char *curl_msg, struct err *e)
{
    struct sigv4_header h[S3_MAX_HEADERS + 5];
    struct sigv4_request sr = {0};
    struct sigv4_result *sig = NULL;
    struct curl_slist *list = NULL;
    char path[2048], date[32], payload[65], url[16384], range[64], line[4096];
    char *key_path = path;
    size_t nh = 0;
    time_t now = time(NULL);
    struct tm tm;
    int rc = -1;

    if ((sig = malloc(sizeof(*sig))) == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->path_base, q->key ? q->key : "") >= sizeof(path)) {
        err_set(e, ERR_STORAGE, "'s3://%s/%s': key too long", s->bucket, q->key);
        goto out;
    }
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
    sigv4_sha256_hex(q->body ? (const void *)q->body : "", q->body_len, payload);

    h[nh++] = (struct sigv4_header){"host", s->host};
    h[nh++] = (struct sigv4_header){"x-amz-date", date};
    h[nh++] = (struct sigv4_header){"x-amz-content-sha256", payload};
    if (s->token != NULL)
        h[nh++] = (struct sigv4_header){"x-amz-security-token", (const char *)s->token->data};
    if (q->dst != NULL && q->dst_done > 0) {
        snprintf(range, sizeof(range), "bytes=%llu-", (unsigned long long)q->dst_done);
        h[nh++] = (struct sigv4_header){"range", range};
    }
    for (size_t i = 0; i < q->n_hdrs; i++)
        h[nh++] = q->hdrs[i];
    sr.method = q->method;
    sr.path = key_path;
    sr.params = q->params;
    sr.n_params = q->n_params;
    sr.headers = h;
    sr.n_headers = nh;
    sr.payload_hash = payload;
    if (sigv4_sign(&sr, s->access_key, s->secret, date, s->region, "s3", sig, e) == -1)
        goto out;
    if ((size_t)snprintf(url, sizeof(url), "%s://%s%s%s%s", s->scheme, s->host, sig->canonical_path,
                         sig->canonical_query[0] ? "?" : "", sig->canonical_query) >= sizeof(url)) {
        err_set(e, ERR_STORAGE, "'s3://%s/%s': request too long", s->bucket, q->key ? q->key : "");
        goto out;
    }
    for (size_t i = 0; i < nh; i++) {
        struct curl_slist *n;
        snprintf(line, sizeof(line), "%s: %s", h[i].name, h[i].value);
        if ((n = curl_slist_append(list, line)) == NULL)
            goto nomem;
        list = n;
    }
    snprintf(line, sizeof(line), "Authorization: %s", sig->authorization);
    if ((list = curl_slist_append(list, line)) == NULL || (list = curl_slist_append(list, "Expect:")) == NULL ||
        (list = curl_slist_append(list, "Content-Type:")) == NULL)
        goto nomem;
    secret_wipe(line, sizeof(line));

    curl_easy_reset(s->curl);
    r->curl = s->curl;
    r->rq = q;
    curl_easy_setopt(s->curl, CURLOPT_URL, url);
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(s->curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(s->curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(s->curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(s->curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, curl_msg);
    curl_easy_setopt(s->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(s->curl, CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(s->curl, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(s->curl, CURLOPT_PROTOCOLS_STR, "http,https");
    if (s->o->s3_ca_file != NULL)
        curl_easy_setopt(s->curl, CURLOPT_CAINFO, s->o->s3_ca_file);
    if (strcmp(q->method, "GET") == 0) {
        curl_easy_setopt(s->curl, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(s->curl, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "DELETE") == 0 && q->body == NULL) {
        curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
        q->sent = 0;
        curl_easy_setopt(s->curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(s->curl, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(s->curl, CURLOPT_READDATA, q);
        curl_easy_setopt(s->curl, CURLOPT_SEEKFUNCTION, on_seek);
        curl_easy_setopt(s->curl, CURLOPT_SEEKDATA, q);
        curl_easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)q->body_len);
        if (strcmp(q->method, "PUT") != 0)
            curl_easy_setopt(s->curl, CURLOPT_CUSTOMREQUEST, q->method);
    }
    curl_msg[0] = '\0';
    *cc = curl_easy_perform(s->curl);
    curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &r->status);
    /* the handle keeps pointers to our buffers: drop them before they go out of scope */
    curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(s->curl, CURLOPT_ERRORBUFFER, NULL);
    if (r->body != NULL)
        xml_text(r->body, r->body + r->len, "Code", r->code, sizeof(r->code));
    rc = *cc == CURLE_OK ? 0 : -1;
    if (rc == -1 && !r->dst_failed && curl_msg[0] == '\0')
        snprintf(curl_msg, CURL_ERROR_SIZE, "%s", curl_easy_strerror(*cc));
    goto out;
nomem:
    err_set(e, ERR_NOMEM, "out of memory");
    *cc = CURLE_OUT_OF_MEMORY;
    r->dst_failed = 1;
out:
    slist_free_wiped(list);
    free(sig);
    return rc;
}

static int
retryable_status(const struct resp *r)
{
    if (r->status >= 500 || r->status == 429)
        return 1;
    return strcmp(r->code, "SlowDown") == 0 || strcmp(r->code, "RequestTimeout") == 0 ||
           strcmp(r->code, "InternalError") == 0;
}

static int
retryable_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static void
backoff(const struct s3 *s, int attempt)
{
    long cap = s->retry_base_ms << (attempt < 10 ? attempt : 10), ms;
    struct timespec ts;

    if (cap > 20000)
        cap = 20000;
    ms = cap / 2 + (long)((unsigned long)random() % (unsigned long)(cap / 2 + 1)); /* jitter */
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* A one-line error for a final S3 answer, with a hint where the user can act. */
static int
s3_fail(struct s3 *s, const char *what, const char *key, const struct resp *r, struct err *e)
{
    char msg[256] = "";
    const char *need = strcmp(what, "upload") == 0   ? "s3:PutObject"
                       : strcmp(what, "list") == 0   ? "s3:ListBucket"
                       : strcmp(what, "remove") == 0 ? "s3:DeleteObject"
                                                     : "s3:GetObject";
    enum err_code code = r->status == 404 && strcmp(r->code, "NoSuchBucket") != 0 ? ERR_NOTFOUND : ERR_STORAGE;

    err_set(e, code, "%s 's3://%s/%s': HTTP %ld%s%s", what, s->bucket, key, r->status, r->code[0] ? " " : "", r->code);
    if (strcmp(r->code, "AccessDenied") == 0 || (r->status == 403 && r->code[0] == '\0'))
        err_hint(e, "the credentials need %s on '%s/%s%s*'; 'safedump check' tests this", need, s->bucket, s->prefix,
                 s->prefix[0] ? "/" : "");
    else if (strcmp(r->code, "NoSuchBucket") == 0)
        err_hint(e, "bucket '%s' does not exist at %s: create it, or fix the repository URL or s3_endpoint", s->bucket,
                 s->endpoint);
    else if (strcmp(r->code, "InvalidAccessKeyId") == 0)
        err_hint(e, "%s does not know the access key id '%s': check AWS_ACCESS_KEY_ID or the credentials profile",
                 s->endpoint, s->access_key);
    else if (strcmp(r->code, "SignatureDoesNotMatch") == 0)
        err_hint(e, "the secret access key does not belong to the access key id '%s'", s->access_key);
    else if (strcmp(r->code, "ExpiredToken") == 0 || strcmp(r->code, "TokenRefreshRequired") == 0)
        err_hint(e, "the temporary credentials expired: renew them (AWS_SESSION_TOKEN or the profile)");
    else if (r->bucket_region[0] != '\0' && strcmp(r->bucket_region, s->region) != 0)
        err_hint(e, "bucket '%s' is in region '%s', not '%s': set s3_region = %s", s->bucket, r->bucket_region,
                 s->region, r->bucket_region);
    else if (r->body != NULL && xml_text(r->body, r->body + r->len, "Region", msg, sizeof(msg)) != NULL &&
             strcmp(msg, s->region) != 0)
        err_hint(e, "bucket '%s' is in region '%s', not '%s': set s3_region = %s", s->bucket, msg, s->region, msg);
    else if (strcmp(r->code, "RequestTimeTooSkewed") == 0) {
        struct tm tm = {0};
        long diff = 0;
        if (r->date[0] != '\0' && strptime(r->date, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL)
            diff = (long)(time(NULL) - timegm(&tm));
        err_hint(e, "the local clock is %ld s %s the server's: set the clock (NTP)", diff < 0 ? -diff : diff,
                 diff < 0 ? "behind" : "ahead of");
    }
    return -1;
}

/*
 * s3_call: a request with retries. Returns 0 with ${r} holding the final response (any HTTP status),
 * or -1 with ${e} set when the transport failed on every attempt or the destination refused data.
 */
static int
s3_call(struct s3 *s, const char *what, const char *key, struct req *q, struct resp *r, struct err *e)
{
    char curl_msg[CURL_ERROR_SIZE];
    CURLcode cc = CURLE_OK;

    for (int attempt = 0;; attempt++) {
        resp_reset(r);
        err_init(&r->dst_err);
        if (s3_attempt(s, q, r, &cc, curl_msg, e) == 0) {
            if (!retryable_status(r) || attempt + 1 >= s->max_attempts)
                return 0;
        } else {
            if (r->dst_failed) {
                if (r->dst_err.code != ERR_OK)
                    *e = r->dst_err;
                return -1;
            }
            if (!retryable_curl(cc) || attempt + 1 >= s->max_attempts) {
                err_set(e, ERR_STORAGE, "%s 's3://%s/%s': %s", what, s->bucket, key, curl_msg);
                if (cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_COULDNT_CONNECT || cc == CURLE_SSL_CONNECT_ERROR ||
                    cc == CURLE_PEER_FAILED_VERIFICATION)
                    err_hint(e, "check s3_endpoint (%s)%s", s->endpoint,
                             cc == CURLE_PEER_FAILED_VERIFICATION ? " and s3_ca_file" : "");
                if (attempt > 0)
                    err_wrap(e, "after %d attempts", attempt + 1);
                return -1;
            }
        }
        /* a GET that delivered bytes resumes with a Range (s3_attempt adds it from q->dst_done) */
        backoff(s, attempt);
    }
}

/* A response that must be 2xx; otherwise the one-line error. */
static int
s3_call_ok(struct s3 *s, const char *what, const char *key, struct req *q, struct resp *r, struct err *e)
{
    if (s3_call(s, what, key, q, r, e) == -1)
        return -1;
    if (r->status < 200 || r->status > 299)
        return s3_fail(s, what, key, r, e);
    /* CompleteMultipartUpload and CopyObject may answer 200 with an error inside */
    if (r->body != NULL && strstr(r->body, "<Error>") != NULL)
        return s3_fail(s, what, key, r, e);
    return 0;
}

/* Headers that describe a new object: encryption, storage class, Object Lock. */
static void
object_headers(struct s3 *s, struct req *q, char *lock_until, size_t sz)
{
    const struct storage_opts *o = s->o;

    if (o->s3_sse != NULL) {
        add_hdr(q, "x-amz-server-side-encryption", o->s3_sse);
        if (o->s3_kms_key_id != NULL)
            add_hdr(q, "x-amz-server-side-encryption-aws-kms-key-id", o->s3_kms_key_id);
    }
    if (o->s3_storage_class != NULL)
        add_hdr(q, "x-amz-storage-class", o->s3_storage_class);
    if (o->s3_object_lock != NULL && o->s3_object_lock_retain > 0) {
        time_t until = time(NULL) + o->s3_object_lock_retain;
        struct tm tm;
        gmtime_r(&until, &tm);
        strftime(lock_until, sz, "%Y-%m-%dT%H:%M:%SZ", &tm);
        add_hdr(q, "x-amz-object-lock-mode",
                strcmp(o->s3_object_lock, "compliance") == 0 ? "COMPLIANCE" : "GOVERNANCE");
        add_hdr(q, "x-amz-object-lock-retain-until-date", lock_until);
    }
}

/* SSE-C headers, needed on every request that reads or writes the object's data. */
static void
ssec_headers(struct s3 *s, struct req *q)
{
    if (s->ssec != NULL) {
        add_hdr(q, "x-amz-server-side-encryption-customer-algorithm", "AES256");
        add_hdr(q, "x-amz-server-side-encryption-customer-key", (const char *)s->ssec->data + 32);
        add_hdr(q, "x-amz-server-side-encryption-customer-key-md5", s->ssec_md5);
    }
}

/* put: a sink that buffers one part */

struct s3_sink {
    struct stage base;
    struct s3 *s;
    char key[1100];
    unsigned char *buf;
    size_t len, cap;
    char *upload_id;
    char **etags;
    size_t n_parts;
    int done;
};

static int
sink_create_upload(struct s3_sink *k, struct err *e)
{
    struct req q = {.method = "POST", .key = k->key};
    struct resp r = {0};
    char until[32], id[1024];
    int rc = -1;

    add_param(&q, "uploads", "");
    object_headers(k->s, &q, until, sizeof(until));
    ssec_headers(k->s, &q);
    if (s3_call_ok(k->s, "upload", k->key, &q, &r, e) == -1)
        goto out;
    if (xml_text(r.body, r.body + r.len, "UploadId", id, sizeof(id)) == NULL || id[0] == '\0') {
        err_set(e, ERR_STORAGE, "upload 's3://%s/%s': no UploadId in the answer to CreateMultipartUpload", k->s->bucket,
                k->key);
        goto out;
    }
    if ((k->upload_id = strdup(id)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    resp_reset(&r);
    return rc;
}

static int
sink_upload_part(struct s3_sink *k, struct err *e)
{
    struct req q = {.method = "PUT", .key = k->key, .body = k->buf, .body_len = k->len};
    struct resp r = {0};
    char num[16], md5[32];
    char **etags;
    int rc = -1;

    if (k->n_parts == 10000)
        return err_set(e, ERR_STORAGE, "upload 's3://%s/%s': more than 10000 parts", k->s->bucket, k->key);
    if (k->upload_id == NULL && sink_create_upload(k, e) == -1)
        return -1;
    snprintf(num, sizeof(num), "%zu", k->n_parts + 1);
    md5_b64(k->buf, k->len, md5);
    add_param(&q, "partNumber", num);
    add_param(&q, "uploadId", k->upload_id);
    add_hdr(&q, "content-md5", md5);
    ssec_headers(k->s, &q);
    if (s3_call_ok(k->s, "upload", k->key, &q, &r, e) == -1)
        goto out;
    if (r.etag[0] == '\0') {
        err_set(e, ERR_STORAGE, "upload 's3://%s/%s': part %s: no ETag in the answer", k->s->bucket, k->key, num);
        goto out;
    }
    if ((etags = realloc(k->etags, (k->n_parts + 1) * sizeof(*etags))) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    k->etags = etags;
    if ((etags[k->n_parts] = strdup(r.etag)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    k->n_parts++;
    k->len = 0;
    /* grow the part size so that 10 000 parts hold more than 5 TiB: x2 every 1000 parts */
    if (k->n_parts % 1000 == 0 && k->cap * 2 <= S3_MAX_PART) {
        unsigned char *p = realloc(k->buf, k->cap * 2);
        if (p == NULL) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        k->buf = p;
        k->cap *= 2;
    }
    rc = 0;
out:
    resp_reset(&r);
    return rc;
}

static int
sink_write(struct stage *st, const void *buf, size_t len, struct err *e)
{
    struct s3_sink *k = (struct s3_sink *)st;
    const unsigned char *p = buf;

    while (len > 0) {
        size_t n = k->cap - k->len < len ? k->cap - k->len : len;
        if (k->buf == NULL && (k->buf = malloc(k->cap)) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        memcpy(k->buf + k->len, p, n);
        k->len += n, p += n, len -= n;
        if (k->len == k->cap && sink_upload_part(k, e) == -1)
            return -1;
    }
    return 0;
}

static int
sink_finish(struct stage *st, struct err *e)
{
    struct s3_sink *k = (struct s3_sink *)st;
    struct req q = {.method = "PUT", .key = k->key};
    struct resp r = {0};
    char until[32], md5[32];
    char *xml = NULL;
    size_t cap, o = 0;
    int rc = -1;

    if (k->upload_id == NULL) {
        /* one PUT */
        q.body = k->buf;
        q.body_len = k->len;
        md5_b64(k->buf ? k->buf : (const unsigned char *)"", k->len, md5);
        add_hdr(&q, "content-md5", md5);
        add_hdr(&q, "if-none-match", "*");
        object_headers(k->s, &q, until, sizeof(until));
        ssec_headers(k->s, &q);
    } else {
        if (k->len > 0 && sink_upload_part(k, e) == -1)
            return -1;
        cap = 128 + k->n_parts * 400;
        if ((xml = malloc(cap)) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        o += (size_t)snprintf(xml + o, cap - o, "<CompleteMultipartUpload>");
        for (size_t i = 0; i < k->n_parts; i++)
            o += (size_t)snprintf(xml + o, cap - o, "<Part><PartNumber>%zu</PartNumber><ETag>%.300s</ETag></Part>",
                                  i + 1, k->etags[i]);
        o += (size_t)snprintf(xml + o, cap - o, "</CompleteMultipartUpload>");
        q.method = "POST";
        q.body = (const unsigned char *)xml;
        q.body_len = o;
        add_param(&q, "uploadId", k->upload_id);
        add_hdr(&q, "if-none-match", "*");
    }
    if (s3_call(k->s, "upload", k->key, &q, &r, e) == -1)
        goto out;
    if (r.status == 412 || strcmp(r.code, "PreconditionFailed") == 0) {
        err_set(e, ERR_EXISTS, "'s3://%s/%s' already exists", k->s->bucket, k->key);
        goto out;
    }
    if (r.status < 200 || r.status > 299 || (r.body != NULL && strstr(r.body, "<Error>") != NULL)) {
        s3_fail(k->s, "upload", k->key, &r, e);
        goto out;
    }
    k->done = 1;
    rc = 0;
out:
    free(xml);
    resp_reset(&r);
    return rc;
}

static void
sink_free(struct stage *st)
{
    struct s3_sink *k = (struct s3_sink *)st;

    if (k->upload_id != NULL && !k->done) {
        struct req q = {.method = "DELETE", .key = k->key};
        struct resp r = {0};
        struct err e2;
        err_init(&e2);
        add_param(&q, "uploadId", k->upload_id);
        (void)s3_call(k->s, "abort", k->key, &q, &r, &e2); /* best effort: a lifecycle rule cleans the rest */
        resp_reset(&r);
    }
    for (size_t i = 0; i < k->n_parts; i++)
        free(k->etags[i]);
    free(k->etags);
    free(k->upload_id);
    free(k->buf);
    free(k);
}

static const struct stage_ops sink_ops = {"s3", sink_write, sink_finish, sink_free};

static int
s3_put(struct storage *st, const char *key, struct stage **sink, struct err *e)
{
    struct s3 *s = (struct s3 *)st;
    struct s3_sink *k = calloc(1, sizeof(*k));

    if (k == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    k->base.ops = &sink_ops;
    k->s = s;
    k->cap = s->o->s3_part_size;
    if (full_key(s, key, k->key, sizeof(k->key), e) == -1) {
        free(k);
        return -1;
    }
    *sink = &k->base;
    return 0;
}

static int
s3_get(struct storage *st, const char *key, struct stage *dst, struct err *e)
{
    struct s3 *s = (struct s3 *)st;
    struct req q = {.method = "GET", .dst = dst};
    struct resp r = {0};
    char fk[1100];
    int rc = -1;

    if (full_key(s, key, fk, sizeof(fk), e) == -1)
        return -1;
    q.key = fk;
    ssec_headers(s, &q);
    if (s3_call(s, "read", fk, &q, &r, e) == -1)
        goto out;
    if (r.status != 200 && r.status != 206) {
        if (r.status == 404 && strcmp(r.code, "NoSuchBucket") != 0)
            err_set(e, ERR_NOTFOUND, "'s3://%s/%s': not found", s->bucket, fk);
        else
            s3_fail(s, "read", fk, &r, e);
        goto out;
    }
    rc = 0;
out:
    resp_reset(&r);
    return rc;
}

static int
s3_list(struct storage *st, const char *prefix, storage_list_fn *fn, void *arg, struct err *e)
{
    struct s3 *s = (struct s3 *)st;
    char fp[1100], token[2048] = "", key[1100], size[32], trunc[8];
    size_t strip = strlen(s->prefix) + (s->prefix[0] ? 1 : 0);
    int rc = -1;

    if (full_key(s, prefix, fp, sizeof(fp), e) == -1)
        return -1;
    if (prefix[0] == '\0' && s->prefix[0] != '\0')
        snprintf(fp, sizeof(fp), "%s/", s->prefix);
    for (;;) {
        struct req q = {.method = "GET"};
        struct resp r = {0};
        const char *p, *end;

        add_param(&q, "list-type", "2");
        add_param(&q, "prefix", fp);
        add_param(&q, "max-keys", "1000");
        if (token[0] != '\0')
            add_param(&q, "continuation-token", token);
        if (s3_call_ok(s, "list", fp, &q, &r, e) == -1) {
            resp_reset(&r);
            return -1;
        }
        p = r.body ? r.body : "";
        end = p + r.len;
        while ((p = strstr(p, "<Contents>")) != NULL) {
            const char *ce = strstr(p, "</Contents>");
            if (ce == NULL || xml_text(p, ce, "Key", key, sizeof(key)) == NULL ||
                xml_text(p, ce, "Size", size, sizeof(size)) == NULL) {
                err_set(e, ERR_STORAGE, "list 's3://%s/%s': malformed ListObjectsV2 answer", s->bucket, fp);
                resp_reset(&r);
                return -1;
            }
            if (strlen(key) > strip && fn(arg, key + strip, strtoull(size, NULL, 10), e) == -1) {
                resp_reset(&r);
                return -1;
            }
            p = ce;
        }
        if (xml_text(r.body, end, "IsTruncated", trunc, sizeof(trunc)) == NULL || strcmp(trunc, "true") != 0) {
            resp_reset(&r);
            break;
        }
        if (xml_text(r.body, end, "NextContinuationToken", token, sizeof(token)) == NULL || token[0] == '\0') {
            err_set(e, ERR_STORAGE, "list 's3://%s/%s': truncated listing without a continuation token", s->bucket, fp);
            resp_reset(&r);
            return -1;
        }
        resp_reset(&r);
    }
    rc = 0;
    return rc;
}

static int
s3_remove(struct storage *st, const char *key, struct err *e)
{
    struct s3 *s = (struct s3 *)st;
    struct req q = {.method = "DELETE"};
    struct resp r = {0};
    char fk[1100];
    int rc;

    if (full_key(s, key, fk, sizeof(fk), e) == -1)
        return -1;
    q.key = fk;
    rc = s3_call(s, "remove", fk, &q, &r, e);
    if (rc == 0 && r.status != 404 && (r.status < 200 || r.status > 299))
        rc = s3_fail(s, "remove", fk, &r, e);
    resp_reset(&r);
    return rc;
}

static void
s3_free(struct storage *st)
{
    struct s3 *s = (struct s3 *)st;

    if (s->curl != NULL)
        curl_easy_cleanup(s->curl);
    secret_free(s->secret);
    secret_free(s->token);
    secret_free(s->ssec);
    free(st->url);
    free(s);
}

static const struct storage_ops s3_ops = {
    "s3", s3_put, s3_get, s3_list, s3_remove, s3_free, 0,
};

static struct secret *
secret_str(const char *v, size_t len, struct err *e)
{
    struct secret *x = secret_new(len + 1, e);

    if (x != NULL) {
        memcpy(x->data, v, len);
        x->data[len] = '\0';
        x->len = len;
    }
    return x;
}

/* ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE), section [profile]. 1 found, 0 not, -1 error. */
static int
creds_from_file(struct s3 *s, struct err *e)
{
    const char *path = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
    const char *profile = s->o->s3_profile ? s->o->s3_profile : getenv("AWS_PROFILE");
    char def[4096];
    struct secret *f;
    char *line, *save = NULL;
    int in = 0, rc = 0;

    if (profile == NULL || profile[0] == '\0')
        profile = "default";
    if (path != NULL && path[0] == '\0')
        path = NULL;
    if (path == NULL) {
        if (home == NULL)
            return 0;
        snprintf(def, sizeof(def), "%s/.aws/credentials", home);
        path = def;
    }
    if (access(path, F_OK) == -1)
        return 0;
    if ((f = secret_read_file(path, 1 << 20, e)) == NULL)
        return err_wrap(e, "S3 credentials");
    f->data[f->len < f->cap ? f->len : f->cap - 1] = '\0';
    for (line = strtok_r((char *)f->data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        char *eq, *k, *v, *end;
        while (isspace((unsigned char)*line))
            line++;
        if (*line == '[') {
            char *close = strchr(line, ']');
            if (close != NULL)
                *close = '\0';
            in = strcmp(line + 1, profile) == 0;
            continue;
        }
        if (!in || (eq = strchr(line, '=')) == NULL)
            continue;
        *eq = '\0';
        k = line;
        for (end = eq; end > k && isspace((unsigned char)end[-1]); end--)
            end[-1] = '\0';
        v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        for (end = v + strlen(v); end > v && isspace((unsigned char)end[-1]); end--)
            end[-1] = '\0';
        if (strcmp(k, "aws_access_key_id") == 0)
            snprintf(s->access_key, sizeof(s->access_key), "%s", v);
        else if (strcmp(k, "aws_secret_access_key") == 0 && s->secret == NULL)
            s->secret = secret_str(v, strlen(v), e);
        else if (strcmp(k, "aws_session_token") == 0 && s->token == NULL)
            s->token = secret_str(v, strlen(v), e);
    }
    if (s->access_key[0] != '\0' && s->secret != NULL)
        rc = 1;
    else if (s->access_key[0] != '\0' || s->secret != NULL)
        rc = err_set(e, ERR_CONFIG, "S3 credentials: profile '%s' in '%s' lacks a key id or secret", profile, path);
    secret_free(f);
    return rc;
}

static int
creds_load(struct s3 *s, struct err *e)
{
    const char *id = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    int rc;

    if (id != NULL && id[0] != '\0' && sk != NULL && sk[0] != '\0') {
        snprintf(s->access_key, sizeof(s->access_key), "%s", id);
        if ((s->secret = secret_str(sk, strlen(sk), e)) == NULL)
            return -1;
        if (tok != NULL && tok[0] != '\0' && (s->token = secret_str(tok, strlen(tok), e)) == NULL)
            return -1;
        return 0;
    }
    if ((rc = creds_from_file(s, e)) != 0)
        return rc == 1 ? 0 : -1;
    err_set(e, ERR_CONFIG, "repository '%s': no S3 credentials", s->base.url);
    return err_hint(e, "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials");
}

static int
ssec_load(struct s3 *s, const char *path, struct err *e)
{
    struct secret *raw = secret_read_file(path, 64, e);

    if (raw == NULL)
        return err_wrap(e, "s3_sse_customer_key_file");
    if (raw->len != 32) {
        size_t len = raw->len;
        secret_free(raw);
        return err_set(e, ERR_CONFIG, "s3_sse_customer_key_file '%s': expected 32 bytes, found %zu", path, len);
    }
    /* bytes 0..31 the key, from 32 its base64 for the header */
    if ((s->ssec = secret_new(32 + 48, e)) == NULL) {
        secret_free(raw);
        return -1;
    }
    memcpy(s->ssec->data, raw->data, 32);
    base64(raw->data, 32, (char *)s->ssec->data + 32);
    md5_b64(raw->data, 32, s->ssec_md5);
    secret_free(raw);
    return 0;
}

static int
bucket_valid(const char *b)
{
    size_t n = strlen(b);

    if (n < 3 || n > 63)
        return 0;
    for (const char *p = b; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '-' || *p == '.' || *p == '_'))
            return 0;
    return 1;
}

struct storage *
storage_s3_new(const char *url, const struct storage_opts *opts, struct err *e)
{
    static int curl_ready;
    struct s3 *s = calloc(1, sizeof(*s));
    const char *rest = url + 5, *slash, *ep, *region;
    char hostpart[512];
    size_t n;

    if (s == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->base.ops = &s3_ops;
    s->o = opts != NULL ? opts : &s->defaults;
    if ((s->base.url = strdup(url)) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    slash = strchr(rest, '/');
    n = slash ? (size_t)(slash - rest) : strlen(rest);
    if (n >= sizeof(s->bucket)) {
        err_set(e, ERR_CONFIG, "repository '%s': bucket name too long", url);
        goto fail;
    }
    memcpy(s->bucket, rest, n);
    s->bucket[n] = '\0';
    if (!bucket_valid(s->bucket)) {
        err_set(e, ERR_CONFIG, "repository '%s': '%s' is not a valid bucket name", url, s->bucket);
        err_hint(e, "use s3://BUCKET/PREFIX; bucket names have 3 to 63 lower-case letters, digits, '-' and '.'");
        goto fail;
    }
    if (slash != NULL) {
        while (*slash == '/')
            slash++;
        snprintf(s->prefix, sizeof(s->prefix), "%s", slash);
        for (n = strlen(s->prefix); n > 0 && s->prefix[n - 1] == '/'; n--)
            s->prefix[n - 1] = '\0';
    }

    region = s->o->s3_region;
    if (region == NULL || region[0] == '\0')
        region = getenv("AWS_REGION");
    if (region == NULL || region[0] == '\0')
        region = getenv("AWS_DEFAULT_REGION");
    snprintf(s->region, sizeof(s->region), "%s", region && region[0] ? region : "us-east-1");

    ep = s->o->s3_endpoint;
    if (ep == NULL || ep[0] == '\0')
        ep = getenv("AWS_ENDPOINT_URL_S3");
    if (ep == NULL || ep[0] == '\0')
        ep = getenv("AWS_ENDPOINT_URL");
    if (ep != NULL && ep[0] != '\0') {
        const char *h = strstr(ep, "://");
        if (h == NULL || (size_t)(h - ep) >= sizeof(s->scheme) ||
            (strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0)) {
            err_set(e, ERR_CONFIG, "s3_endpoint '%s': expected http://HOST[:PORT] or https://HOST[:PORT]", ep);
            goto fail;
        }
        snprintf(s->scheme, sizeof(s->scheme), "%.*s", (int)(h - ep), ep);
        snprintf(hostpart, sizeof(hostpart), "%s", h + 3);
        hostpart[strcspn(hostpart, "/")] = '\0';
        s->path_style = s->o->s3_path_style != 2;
    } else {
        snprintf(s->scheme, sizeof(s->scheme), "https");
        snprintf(hostpart, sizeof(hostpart), "s3.%s.amazonaws.com", s->region);
        s->path_style = s->o->s3_path_style == 1 || (s->o->s3_path_style == 0 && strchr(s->bucket, '.') != NULL);
    }
    snprintf(s->endpoint, sizeof(s->endpoint), "%s://%s", s->scheme, hostpart);
    if (s->path_style) {
        snprintf(s->host, sizeof(s->host), "%s", hostpart);
        snprintf(s->path_base, sizeof(s->path_base), "/%s", s->bucket);
    } else {
        snprintf(s->host, sizeof(s->host), "%s.%s", s->bucket, hostpart);
    }
    if (s->o->s3_part_size == 0)
        s->defaults.s3_part_size = S3_DEFAULT_PART;
    if (s->o != &s->defaults) {
        s->defaults = *s->o;
        if (s->defaults.s3_part_size == 0)
            s->defaults.s3_part_size = S3_DEFAULT_PART;
        s->o = &s->defaults;
    }
    if (s->defaults.s3_part_size < S3_MIN_PART)
        s->defaults.s3_part_size = S3_MIN_PART;
    s->max_attempts = s->o->s3_retries > 0 ? s->o->s3_retries + 1 : 9;
    s->retry_base_ms = s->o->s3_retry_base_ms > 0 ? s->o->s3_retry_base_ms : 200;
    if (s->o->s3_sse_customer_key_file != NULL && ssec_load(s, s->o->s3_sse_customer_key_file, e) == -1)
        goto fail;
    if (creds_load(s, e) == -1)
        goto fail;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
            err_set(e, ERR_STORAGE, "libcurl failed to initialise");
            goto fail;
        }
        curl_ready = 1;
        srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    }
    if ((s->curl = curl_easy_init()) == NULL) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    return &s->base;
fail:
    s3_free(&s->base);
    return NULL;
}
