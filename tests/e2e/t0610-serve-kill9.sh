#!/bin/sh
# t0610 — kill -9 of constat serve under load, at 20 random moments: every
# record whose receipt reached a client (constat submit exit 0, receipt
# verified offline) is in the log after the crash, the log verifies, and the
# server restarts cleanly each time. Bounded: 20 rounds, each until one
# record is acknowledged (at most 20 s) plus a random moment of at most a
# second; loopback only.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --coordinator chef --dir v
for m in amina bilal; do
    run_ok $CONSTAT monitor invite $m --dir v
    sed -n "s/^enrolment code for monitor $m: //p" out > $m.code
done

spid=
start_server() {
    rm -f port
    $CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >>serve.out 2>>serve.log &
    spid=$!
    wait_port port serve.log
    S=http://127.0.0.1:$(cat port)
}
trap 'kill -9 $spid 2>/dev/null || true; rm -rf "$T"' EXIT

start_server
for m in amina bilal; do
    CONSTAT_USER_PASSWORD="$m password" run_ok $CONSTAT submit enrol --server "$S" --key $m.key \
        --name $m --code "$(cat $m.code)"
done

# worker NAME ROUND: submit new records until one fails (the server died);
# the id of each acknowledged one is appended to acked.NAME
worker() {
    n=0
    while :; do
        n=$((n + 1))
        printf '{"occurred": {"start": "2026-11-29T07:00:00+01:00", "end": "2026-11-29T07:10:00+01:00", "precision": "minute"}, "place": {"name": "round %s %s %s"}, "categories": ["identity_check"], "source": {"type": "direct_observation"}, "private": {"narrative": "n %s"}}\n' \
            "$2" "$1" $n $n > "rec.$1.json"
        if CONSTAT_USER_PASSWORD="$1 password" $CONSTAT submit record --server "$S" \
            --key "$1.key" --json "rec.$1.json" > "receipt.$1" 2>/dev/null; then
            python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["record_id"])' \
                "receipt.$1" >> "acked.$1"
        else
            break
        fi
    done
}

: > acked.amina
: > acked.bilal
round=0
while [ $round -lt 20 ]; do
    round=$((round + 1))
    worker amina $round &
    w1=$!
    worker bilal $round &
    w2=$!
    # load first (at least one acknowledged record this round, so that a slow
    # machine also tests something), then a random moment within a second
    had=$(cat acked.amina acked.bilal | wc -l)
    i=0
    while [ "$(cat acked.amina acked.bilal | wc -l)" -le "$had" ] && [ $i -lt 400 ]; do
        i=$((i + 1))
        sleep 0.05
    done
    sleep "0.$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
    kill -9 $spid
    wait $spid 2>/dev/null || true
    wait $w1 $w2 || true
    start_server
done
kill $spid
wait $spid 2>/dev/null || true

total=$(cat acked.amina acked.bilal | wc -l)
echo "acknowledged records: $total"
[ "$total" -ge 20 ] || fail "expected at least 20 acknowledged records under load, got $total"
ok
run_ok $CONSTAT log --dir v --json
python3 - out acked.amina acked.bilal <<'PY' || fail "an acknowledged record is missing after kill -9"
import json, sys
logged = {i["record"]["id"] for i in json.load(open(sys.argv[1]))["items"]}
acked = [l.strip() for f in sys.argv[2:] for l in open(f) if l.strip()]
missing = [a for a in acked if a not in logged]
assert not missing, missing
PY
ok
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"
# the last restart was clean: it served and stopped
expect_in serve.log "serve: stopped"
done_ok
