#!/usr/bin/env python3
"""A local HTTP receiver for the alert tests: records every request and answers by path.

    http_receiver.py PORT_FILE LOG_FILE

Listens on 127.0.0.1 and a free port (written to PORT_FILE once it listens). Each request is appended to
LOG_FILE as one JSON line {"method", "path", "content_type", "body"}. The first path segment picks the
answer: /ok/... 200, /e500/... 500 Internal Server Error, /slow/... waits 30 s before its 200 (longer than
any time limit the tests set), anything else 404.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        rec = {"method": self.command, "path": self.path,
               "content_type": self.headers.get("Content-Type") or "", "body": body}
        with lock:
            with open(sys.argv[2], "a", encoding="utf-8") as f:
                f.write(json.dumps(rec) + "\n")
        first = self.path.split("/")[1] if self.path.count("/") >= 1 else ""
        if first == "slow":
            time.sleep(30)
            status = 200
        elif first == "ok":
            status = 200
        elif first == "e500":
            status = 500
        else:
            status = 404
        out = b"OK\n" if status == 200 else b"error\n"
        try:
            self.send_response(status)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = handle_any

    def log_message(self, fmt, *args):
        pass


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()


if __name__ == "__main__":
    main()
