#!/bin/sh
# start.sh DIR — make a test TSA in DIR (make-tsa.sh) unless one is there,
# start responder.py in the background, wait until it listens, and print
# two lines: "url http://127.0.0.1:PORT/" and "pid PID". Stop it with
# `kill PID`. Used by tests/e2e/t0070-timestamp.sh and scripts/demo.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
d=${1:?usage: start.sh DIR}
[ -f "$d/tsa.cnf" ] || sh "$here/make-tsa.sh" "$d"
python3 "$here/responder.py" "$d" > "$d/responder.out" 2> "$d/responder.err" &
pid=$!
i=0
while ! grep -q '^port ' "$d/responder.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
        cat "$d/responder.err" >&2
        echo "start.sh: the test TSA did not start" >&2
        kill $pid 2>/dev/null || true
        exit 1
    fi
    sleep 0.1
done
port=$(sed -n 's/^port //p' "$d/responder.out")
echo "url http://127.0.0.1:$port/"
echo "pid $pid"
