#!/usr/bin/env python3
"""responder.py DIR — a tiny RFC 3161 HTTP responder for tests and the demo.

Binds 127.0.0.1 on a free port, prints "port N" on stdout (one line, then
flushes), and answers each POST of an application/timestamp-query with
`openssl ts -reply` using the test TSA that make-tsa.sh made in DIR. It
serves one request at a time and stops on SIGTERM or SIGINT.

For negative tests, the URL path selects a behaviour:
  /            a correct reply
  /garbage     200 with application/timestamp-reply but bytes that are not DER
  /html        200 with text/html (a captive portal)
  /500         HTTP 500
  /short       a correct reply signed with short.pem (a TSA certificate valid
               for 2 days from when make-tsa.sh ran)
Never use it for real time-stamps: the keys are made by make-tsa.sh in the clear.
"""
import http.server
import os
import signal
import subprocess
import sys
import tempfile

TSA_DIR = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
MAX_QUERY = 64 * 1024


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):  # quiet: tests read stdout
        pass

    def reply(self, code, ctype, body):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0") or 0)
        if n <= 0 or n > MAX_QUERY:
            return self.reply(400, "text/plain", b"bad length\n")
        query = self.rfile.read(n)
        path = self.path.rstrip("/")
        if path == "/500":
            return self.reply(500, "text/plain", b"internal error\n")
        if path == "/html":
            return self.reply(200, "text/html", b"<html>log in first</html>\n")
        if path == "/garbage":
            return self.reply(200, "application/timestamp-reply", b"\x30\x03\x02\x01")
        if self.headers.get("Content-Type", "") != "application/timestamp-query":
            return self.reply(415, "text/plain", b"want application/timestamp-query\n")
        signer, key = ("short.pem", "short.key") if path == "/short" else ("tsa.pem", "tsa.key")
        with tempfile.TemporaryDirectory() as tmp:
            q = os.path.join(tmp, "q.tsq")
            r = os.path.join(tmp, "r.tsr")
            with open(q, "wb") as f:
                f.write(query)
            cmd = ["openssl", "ts", "-reply", "-config", os.path.join(TSA_DIR, "tsa.cnf"),
                   "-queryfile", q, "-signer", os.path.join(TSA_DIR, signer),
                   "-inkey", os.path.join(TSA_DIR, key),
                   "-chain", os.path.join(TSA_DIR, "ca.pem"), "-out", r]
            p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if p.returncode != 0 or not os.path.exists(r):
                return self.reply(500, "text/plain", p.stderr[-500:])
            with open(r, "rb") as f:
                body = f.read()
        self.reply(200, "application/timestamp-reply", body)


def main():
    if not TSA_DIR or not os.path.exists(os.path.join(TSA_DIR, "tsa.cnf")):
        sys.stderr.write("usage: responder.py DIR (made by make-tsa.sh)\n")
        return 2
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("port %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
