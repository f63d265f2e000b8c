#!/usr/bin/env python3
"""A scripted fake S3 server for the faults no real server produces on demand.

    s3fake.py PORT SCRIPT_FILE LOG_FILE

It stores objects in memory (PUT, multipart, GET with Range, ListObjectsV2, DELETE) and, before serving a
request, consults SCRIPT_FILE (re-read on every request so a test can change it): one rule per line,

    METHOD QUERYWORD COUNT ACTION

METHOD is GET/PUT/POST/DELETE or '*'; QUERYWORD is a string the path and query must contain ('partNumber',
'uploads', 'list-type', 'manifest.json') or '*' for any;
COUNT is how many matching requests the rule applies to; ACTION is one of
    503 | 500 | 429 | 403 | 412          answer with that status and an S3 error body (SlowDown for 503/429)
    cut                                 read the request, then close the connection without an answer
    cutbody                             answer 200 to a GET but close after half the body
    slow                                sleep 2 s, then serve normally
    region                              answer 301 PermanentRedirect, bucket in eu-west-3 (x-amz-bucket-region)
    skew                                answer 403 RequestTimeTooSkewed with a Date header one hour ahead
    require-md5                         answer 400 InvalidRequest when Content-MD5 is missing (AWS's Object
                                        Lock rule), otherwise serve normally (COUNT is ignored: always)
    honour-if-none-match                answer 412 to a PUT or completion with If-None-Match: * when the key
                                        exists (always)
With the environment variable S3FAKE_SECRET set, every request's SigV4 signature is checked by botocore (an
independent signer: Debian's python3-botocore, run this under /usr/bin/python3): the query is decoded and
handed to botocore as parameters and the key is re-encoded the way botocore's own S3 client encodes it, so
botocore canonicalizes everything itself. A mismatch is answered 403 SignatureDoesNotMatch and logged.
Every request is logged as "METHOD PATH?QUERY STATUS headers-of-interest" to LOG_FILE.
"""
import email.utils
import hashlib
import os
import base64
import http.server
import re
import socketserver
import sys
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

PORT, SCRIPT, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
SECRET = os.environ.get("S3FAKE_SECRET")
if SECRET is not None:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode

AUTH_RE = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
                     r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


def signature_ok(handler, body):
    """botocore's signature for the request as received equals the one the client sent."""
    m = AUTH_RE.match(handler.headers.get("Authorization", ""))
    if not m:
        return False
    u = urllib.parse.urlsplit(handler.path)
    path = percent_encode(urllib.parse.unquote(u.path), safe="/~")
    params = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    headers = {h: handler.headers[h] for h in m.group(4).split(";")}
    req = AWSRequest(method=handler.command, url=f"http://{handler.headers['Host']}{path}", headers=headers,
                     data=body, params=params)
    req.context["timestamp"] = handler.headers["x-amz-date"]
    signer = S3SigV4Auth(Credentials(m.group(1), SECRET), "s3", m.group(3))
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if expected != m.group(5):
        with open(LOG + ".sig", "a") as f:
            f.write(f"MISMATCH {handler.command} {handler.path}\n{canonical}\n")
        return False
    with open(LOG + ".sig", "a") as f:
        f.write(f"ok {handler.command} {handler.path}\n")
    return True
objects = {}
uploads = {}
used = {}
lock = threading.Lock()
next_upload = [1]


last_text = [None]


def rules():
    """The rules, with their use counts started afresh whenever the file changes (called under lock)."""
    try:
        with open(SCRIPT) as f:
            text = f.read()
    except FileNotFoundError:
        text = ""
    if text != last_text[0]:
        last_text[0] = text
        used.clear()
    lines = [l.split() for l in text.splitlines() if l.strip() and not l.startswith("#")]
    return [(i, l) for i, l in enumerate(lines) if len(l) == 4]


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def log(self, status):
        with open(LOG, "a") as f:
            md5 = "md5" if self.headers.get("Content-MD5") else "-"
            inm = "inm" if self.headers.get("If-None-Match") == "*" else "-"
            rng = self.headers.get("Range") or "-"
            f.write(f"{self.command} {self.path} {status} {md5} {inm} {rng}\n")

    def send(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log(status)

    def error(self, status, code):
        body = f"<?xml version=\"1.0\"?><Error><Code>{code}</Code><Message>scripted</Message></Error>".encode()
        self.send(status, body, [("Content-Type", "application/xml")])

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def handle_any(self):
        u = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        parts = u.path.lstrip("/").split("/", 1)
        bucket = urllib.parse.unquote(parts[0])
        key = urllib.parse.unquote(parts[1]) if len(parts) > 1 else ""
        data = self.body() if self.command in ("PUT", "POST") else b""
        if SECRET is not None and not signature_ok(self, data):
            return self.error(403, "SignatureDoesNotMatch")
        always = set()
        with lock:
            for i, (m, word, count, action) in rules():
                if m not in ("*", self.command):
                    continue
                if word != "*" and word not in self.path:
                    continue
                if action in ("require-md5", "honour-if-none-match"):
                    always.add(action)
                    continue
                if used.get(i, 0) >= int(count):
                    continue
                used[i] = used.get(i, 0) + 1
                break
            else:
                action = None
        if action in ("503", "429"):
            return self.error(int(action), "SlowDown")
        if action == "500":
            return self.error(500, "InternalError")
        if action == "403":
            return self.error(403, "AccessDenied")
        if action == "412":
            return self.error(412, "PreconditionFailed")
        if action == "region":
            body = b"<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message></Error>"
            return self.send(301, body, [("x-amz-bucket-region", "eu-west-3")])
        if action == "skew":
            self.date_time_string = lambda timestamp=None: email.utils.formatdate(time.time() + 3600, usegmt=True)
            return self.error(403, "RequestTimeTooSkewed")
        if action == "cut":
            self.log("cut")
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if action == "slow":
            time.sleep(2)
        if "require-md5" in always and self.command == "PUT" and not self.headers.get("Content-MD5"):
            return self.error(400, "InvalidRequest")
        inm = self.headers.get("If-None-Match") == "*" and "honour-if-none-match" in always

        if self.command == "PUT" and "partNumber" in q:
            up = uploads.get(q["uploadId"][0])
            if up is None:
                return self.error(404, "NoSuchUpload")
            md5 = self.headers.get("Content-MD5")
            if md5 and base64.b64decode(md5) != hashlib.md5(data).digest():
                return self.error(400, "BadDigest")
            etag = '"' + hashlib.md5(data).hexdigest() + '"'
            up["parts"][int(q["partNumber"][0])] = (etag, data)
            return self.send(200, b"", [("ETag", etag)])
        if self.command == "PUT":
            if inm and key in objects:
                return self.error(412, "PreconditionFailed")
            md5 = self.headers.get("Content-MD5")
            if md5 and base64.b64decode(md5) != hashlib.md5(data).digest():
                return self.error(400, "BadDigest")
            objects[key] = data
            return self.send(200, b"", [("ETag", '"' + hashlib.md5(data).hexdigest() + '"')])
        if self.command == "POST" and "uploads" in q:
            uid = f"upload{next_upload[0]}"
            next_upload[0] += 1
            uploads[uid] = {"key": key, "parts": {}}
            body = f"<InitiateMultipartUploadResult><Bucket>{bucket}</Bucket><Key>{escape(key)}</Key><UploadId>{uid}</UploadId></InitiateMultipartUploadResult>"
            return self.send(200, body.encode())
        if self.command == "POST" and "uploadId" in q:
            up = uploads.pop(q["uploadId"][0], None)
            if up is None:
                return self.error(404, "NoSuchUpload")
            if inm and key in objects:
                return self.error(412, "PreconditionFailed")
            nums = [int(n) for n in re.findall(rb"<PartNumber>(\d+)</PartNumber>", data)]
            objects[key] = b"".join(up["parts"][n][1] for n in nums)
            return self.send(200, f"<CompleteMultipartUploadResult><Key>{escape(key)}</Key></CompleteMultipartUploadResult>".encode())
        if self.command == "DELETE" and "uploadId" in q:
            uploads.pop(q["uploadId"][0], None)
            return self.send(204)
        if self.command == "DELETE":
            objects.pop(key, None)
            return self.send(204)
        if self.command == "GET" and "list-type" in q:
            prefix = q.get("prefix", [""])[0]
            keys = sorted(k for k in objects if k.startswith(prefix))
            start = int(q.get("continuation-token", ["0"])[0])
            page = keys[start:start + 2]  # tiny pages: pagination is always exercised
            more = start + 2 < len(keys)
            body = "<ListBucketResult>" + "".join(
                f"<Contents><Key>{escape(k)}</Key><Size>{len(objects[k])}</Size></Contents>" for k in page)
            body += f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>"
            if more:
                body += f"<NextContinuationToken>{start + 2}</NextContinuationToken>"
            body += "</ListBucketResult>"
            return self.send(200, body.encode())
        if self.command == "GET":
            if key not in objects:
                return self.error(404, "NoSuchKey")
            data = objects[key]
            status = 200
            m = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
            if m:
                data = data[int(m.group(1)):]
                status = 206
            if action == "cutbody":
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.log("cutbody")
                self.close_connection = True
                self.connection.shutdown(2)
                return
            return self.send(status, data)
        return self.error(400, "NotImplemented")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


S(("127.0.0.1", PORT), H).serve_forever()
