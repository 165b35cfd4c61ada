#!/usr/bin/env python3
# pty_drive.py SCRIPT ARGS... (for the e2e tests): run ARGS on a pty and
# answer it as a person at a terminal would. SCRIPT lines: "expect TEXT"
# (wait, at most 30 s, for TEXT in the output since the last answer), "send
# TEXT" (type TEXT and Enter), "eof" (Ctrl-D). The whole transcript goes to
# stdout; the exit status is that of ARGS (99 when an expected text never
# came).
import os, pty, select, subprocess, sys, time
script, args = sys.argv[1], sys.argv[2:]
master, slave = pty.openpty()
p = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
buf = b""
seen = 0
def read(timeout):
    global buf
    r, _, _ = select.select([master], [], [], timeout)
    if not r:
        return False
    try:
        data = os.read(master, 65536)
    except OSError:
        return None
    if not data:
        return None
    buf += data
    return True
def expect(text):
    global seen
    want = text.encode()
    deadline = time.time() + 30
    while want not in buf[seen:]:
        if time.time() > deadline or read(deadline - time.time()) is None:
            sys.stdout.write(buf.decode(errors="replace"))
            sys.stdout.write("\nDRIVE: did not see %r\n" % text)
            p.kill()
            sys.exit(99)
    seen = buf.index(want, seen) + len(want)
for line in open(script, encoding="utf-8").read().splitlines():
    if not line.strip():
        continue
    op, _, arg = line.partition(" ")
    if op == "expect":
        expect(arg)
    elif op == "send":
        os.write(master, arg.encode() + b"\r")
    elif op == "eof":
        os.write(master, b"\x04")
while read(30) is not None and p.poll() is None:
    pass
rc = p.wait(timeout=30)
while read(0.2):
    pass
sys.stdout.write(buf.decode(errors="replace"))
sys.exit(rc)
