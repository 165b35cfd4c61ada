#!/bin/sh
# t0641 — the limits of constat serve that take time, made short for the
# test by flags: a session unused for --session-idle seconds ends (401), a
# session in use still ends --session-max seconds after its login, a client
# that sends half a request is cut off after --client-timeout seconds while
# others are served, and a submission that finds the intake queue full
# (--queue 1, the first one waiting in a 1 s batch window) is refused at once
# with 503 and Retry-After, logs nothing, and goes in when sent again.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)
# the limits must be positive
run_fails 2 $CONSTAT serve --listen 127.0.0.1:0 --session-idle 0 --dir v
run_fails 2 $CONSTAT serve --listen 127.0.0.1:0 --client-timeout 0 --dir v

spid=
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --session-idle 3 --session-max 7 \
    --client-timeout 2 --queue 1 --batch 64 --window-us 1000000 --dir v >serve.out 2>serve.log &
spid=$!
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit enrol --server "$S" --key amina.key \
    --name amina --code "$code"

# login NAME PASSWORD JAR: the session cookie in JAR, the CSRF token in JAR.csrf
login() {
    curl -s -c "$3" -o login.json -H 'Content-Type: application/json' \
        -d "{\"name\":\"$1\",\"password\":\"$2\"}" "$S/api/v1/login" || fail "login $1"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' login.json >"$3.csrf"
}
# status JAR: the status of GET /api/v1/session with JAR's cookie
status() { curl -s -o /dev/null -w '%{http_code}' -b "$1" "$S/api/v1/session"; }

# --- idle expiry: 3 s unused
login chef "chef password 1" idle.jar
expect_in login.json '"idle_timeout":3'
expect_in login.json '"absolute_timeout":7'
expect_eq "$(status idle.jar)" 200 "a fresh session"
sleep 5
expect_eq "$(status idle.jar)" 401 "a session unused for longer than --session-idle"

# --- absolute expiry: used every second, still ended 7 s after login
login chef "chef password 1" abs.jar
t0=$(date +%s)
for _ in 1 2 3 4; do
    sleep 1
    expect_eq "$(status abs.jar)" 200 "a session in use, $(($(date +%s) - t0)) s after login"
done
while [ $(($(date +%s) - t0)) -le 8 ]; do
    sleep 1
    [ "$(status abs.jar)" = 200 ] || break # keep it in use up to the limit
done
expect_eq "$(status abs.jar)" 401 "a session older than --session-max, though in use"

# --- a slow client: half a request, then nothing; others are served meanwhile
python3 - "$(cat port)" "$S" <<'PY' || fail "slow client"
import socket, sys, time, urllib.request
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{\"na")
t0 = time.monotonic()
info = urllib.request.urlopen(sys.argv[2] + "/api/v1/info", timeout=5).read()
assert b'"org"' in info, info
s.settimeout(20)
try:
    data = s.recv(4096)
except ConnectionResetError:
    data = b""
waited = time.monotonic() - t0
assert data == b"" or b"HTTP/1.1 200" not in data, data
assert 1.5 <= waited <= 12, f"cut off after {waited:.1f} s, want about 2"
print(f"slow client cut off after {waited:.1f} s")
PY
ok

# --- a full intake queue: 503 with Retry-After at once, nothing logged
"$(dirname "$CONSTAT")/bench_serve_leaves" amina.key hro-test 2 bodies.jsonl >/dev/null ||
    fail "signing two records with the device key"
login amina "amina pass 1" amina.jar
post() { # post LINE-NUMBER OUT: POST that body line, status into OUT.status, headers into OUT.hdr
    sed -n "$1p" bodies.jsonl >"$2.json"
    curl -s -D "$2.hdr" -o "$2.body" -w '%{http_code}' -b amina.jar \
        -H "X-CSRF-Token: $(cat amina.jar.csrf)" -H 'Content-Type: application/json' \
        --data-binary @"$2.json" "$S/api/v1/records" >"$2.status"
}
before=$(curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')
post 1 first &
ppid=$!
sleep 0.3 # the first waits in its 1 s batch window, the queue (1) is full
post 2 second
expect_eq "$(cat second.status)" 503 "a submission finding the queue full"
grep -qi '^Retry-After: 1' second.hdr || fail "Retry-After with the 503"
ok
expect_in second.body "intake queue is full"
wait $ppid
expect_eq "$(cat first.status)" 201 "the queued submission, after its window"
post 2 again
expect_eq "$(cat again.status)" 201 "the refused one, sent again"
after=$(curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])')
expect_eq "$after" $((before + 2)) "two new leaves: the 503 logged nothing"
kill $spid
wait $spid || fail "server did not stop cleanly"
ok
run_ok $CONSTAT verify v
done_ok
