#include "alert/http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "util/err.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The answer's body is not wanted; keep libcurl from printing it. */
static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p;
    (void)arg;
    return size * n;
}

/* One attempt. Returns 0 on 2xx, 1 when worth retrying, -1 when not; ${e} gets the reason. */
static int
attempt(const struct http_req *r, const char *what, const char *shown, struct err *e)
{
    CURL *c = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char ctype[128], cerr[CURL_ERROR_SIZE] = "";
    CURLcode rc;
    long status = 0;
    int out;

    if (c == NULL)
        return err_set(e, ERR_NOMEM, "%s '%s': out of memory", what, shown);
    if (r->content_type != NULL) {
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", r->content_type);
        hdr = curl_slist_append(hdr, ctype);
    }
    hdr = curl_slist_append(hdr, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)r->timeout_s);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)r->timeout_s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "safedump/" SAFEDUMP_VERSION);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body != NULL ? r->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(r->body != NULL ? r->body_len : 0));
        if (strcmp(r->method, "POST") != 0)
            curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    }
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        /* curl's message may quote the URL: use the library's generic text instead */
        err_set(e, ERR_IO, "%s '%s': %s", what, shown, curl_easy_strerror(rc));
        out = 1;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300) {
            out = 0;
        } else {
            err_set(e, ERR_IO, "%s '%s': HTTP %ld", what, shown, status);
            out = status >= 500 || status == 429 ? 1 : -1;
        }
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    return out;
}

int
http_request(const struct http_req *r, const char *what, struct err *e)
{
    char shown[512];
    int i, n = 0, rc = -1;

    alert_url_redact(r->url, shown, sizeof(shown));
    if (strncmp(r->url, "http://", 7) != 0 && strncmp(r->url, "https://", 8) != 0)
        return err_set(e, ERR_CONFIG, "%s '%s': not an http:// or https:// URL", what, shown);
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return err_set(e, ERR_IO, "%s: libcurl initialisation failed", what);
    for (i = 0; i < r->tries; i++) {
        if (i > 0)
            sleep(1);
        n++;
        if ((rc = attempt(r, what, shown, e)) <= 0)
            break;
    }
    if (rc != 0 && n > 1) {
        char msg[sizeof(e->msg)];
        snprintf(msg, sizeof(msg), "%s", e->msg);
        err_set(e, ERR_IO, "%s (%d tries)", msg, n);
    }
    return rc == 0 ? 0 : -1;
}
