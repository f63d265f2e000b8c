/*
 * AWS Signature Version 4 (docs.aws.amazon.com, "Create a signed AWS API request"), on libcrypto's
 * HMAC-SHA256. The signer canonicalizes what it is given: header names are lower-cased, values trimmed
 * and inner runs of spaces collapsed, repeated headers joined with ','; query parameters are
 * percent-encoded (RFC 3986 unreserved characters kept) and sorted by name, then value. The path is
 * percent-encoded once, '/' kept; with ${normalize} (every service but S3) "." and ".." segments and
 * repeated slashes are removed first.
 *
 * The secret key is read from a util/secret buffer and the derived keys stay on the stack, wiped
 * before return.
 */
#ifndef SAFEDUMP_STORAGE_SIGV4_H
#define SAFEDUMP_STORAGE_SIGV4_H

#include <stddef.h>

struct err;
struct secret;

struct sigv4_header {
    const char *name;
    const char *value;
};

struct sigv4_param {
    const char *name;  /* not encoded */
    const char *value; /* not encoded; "" for a parameter without a value */
};

struct sigv4_request {
    const char *method;               /* "GET" */
    const char *path;                 /* not encoded: "/bucket/a key" */
    const struct sigv4_param *params; /* query */
    size_t n_params;
    const struct sigv4_header *headers; /* every header that is signed, including host and x-amz-date */
    size_t n_headers;
    const char *payload_hash; /* lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
    int normalize;            /* remove dot segments and repeated slashes from the path (not for S3) */
};

struct sigv4_result {
    char canonical_query[8192]; /* also the query string to send */
    char canonical_path[4096];  /* also the path to send */
    char authorization[1024];   /* the Authorization header's value */
    char string_to_sign[512];
    char canonical_request[16384]; /* for tests and debugging; never logged (it holds no secret) */
};

/**
 * sigv4_sign(r, access_key, secret, date, region, service, out, e): sign ${r} at ${date}
 * ("20150830T123600Z", also sent as x-amz-date) for ${region} and ${service}. Fills ${out}. Returns 0,
 * or -1 when a field does not fit (ERR_INTERNAL) or libcrypto fails.
 */
int sigv4_sign(const struct sigv4_request *r, const char *access_key, const struct secret *secret, const char *date,
               const char *region, const char *service, struct sigv4_result *out, struct err *e);

/** sigv4_uri_encode(in, keep_slash, out, outsz): RFC 3986 percent-encoding; -1 if ${out} is too small. */
int sigv4_uri_encode(const char *in, int keep_slash, char *out, size_t outsz);

/** sigv4_sha256_hex(buf, len, hex): lower-case hex SHA-256 of ${buf} into ${hex} (65 bytes). */
void sigv4_sha256_hex(const void *buf, size_t len, char hex[65]);

#endif
