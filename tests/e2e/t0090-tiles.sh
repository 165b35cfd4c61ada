#!/bin/sh
# Publish the log as C2SP tlog-tiles files, audit the publication from the
# directory and over HTTP (a static server on loopback), then break it.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
csv="$SRC/data/demo/incidents_public.csv"
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$T"' EXIT

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$csv" --monitor m1
run_ok $CONSTAT tiles export pub
expect_in out "published 171 entries (tree size 171)"
expect_in out "2 file(s) written"
[ -f pub/checkpoint ] && [ -f pub/tile/0/000.p/171 ] && [ -f pub/tile/entries/000.p/171 ] ||
    fail "expected checkpoint, tile/0/000.p/171, tile/entries/000.p/171"
ok
run_ok $CONSTAT keys
cp out trust.txt
cp pub/checkpoint kept-checkpoint

# audit from the directory, key pinned; then without a key
run_ok $CONSTAT verify --tiles pub --trust trust.txt
expect_in out "signature:  valid by the pinned log key"
expect_in out "recomputed: 171 entries from 1 bundle(s), 1 tile(s) compared"
expect_in out "VERIFIED"
run_ok $CONSTAT verify --tiles pub
expect_in out "not checked"
run_ok $CONSTAT verify --tiles pub --trust trust.txt --json
expect_in out '"ok": true'

# the log grows; a second export adds to the first, and the checkpoint the
# auditor kept is consistent with the new one
run_ok $CONSTAT monitor add m2
run_ok $CONSTAT tiles export pub
expect_in out "published 172 entries"
run_ok $CONSTAT verify --tiles pub --trust trust.txt --since-checkpoint kept-checkpoint
expect_in out "consistent with your earlier checkpoint of size 171: yes"

# over HTTP: python's static server on a random loopback port, for at most 60 s
timeout 60 python3 -u -m http.server 0 --bind 127.0.0.1 --directory pub >http.log 2>&1 &
server=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' http.log | head -n 1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "the HTTP server did not start: $(cat http.log)"
ok
url="http://127.0.0.1:$port/"
run_ok $CONSTAT verify --tiles "$url" --trust trust.txt --since-checkpoint kept-checkpoint
expect_in out "VERIFIED"
expect_in out "172 entries"

# tamper: one byte of an entry, seen from the directory and over HTTP
flip_byte pub/tile/entries/000.p/172 40
run_fails 1 $CONSTAT verify --tiles pub --trust trust.txt
expect_in out "FAIL: tile/0/000.p/172: 1 hash(es) differ"
run_fails 1 $CONSTAT verify --tiles "$url" --trust trust.txt
expect_in out "NOT VERIFIED"
# export repairs the publication and says so
run_ok $CONSTAT tiles export pub
expect_in err "were rewritten, the first tile/entries/000.p/172"
run_ok $CONSTAT verify --tiles "$url" --trust trust.txt

# a missing tile, a forged checkpoint, another log's key
mv pub/tile/0/000.p/172 saved-tile
run_fails 1 $CONSTAT verify --tiles "$url" --trust trust.txt
expect_in out "tile/0/000.p/172: missing"
mv saved-tile pub/tile/0/000.p/172
flip_byte pub/checkpoint 30
run_fails 1 $CONSTAT verify --tiles pub --trust trust.txt
expect_in out "FAIL: checkpoint"
rm pub/checkpoint
run_ok $CONSTAT tiles export pub
run_ok $CONSTAT init --no-passphrase --org other --origin test.example/other/log --dir other
run_ok $CONSTAT keys --dir other
cp out other-trust.txt
run_fails 1 $CONSTAT verify --tiles pub --trust other-trust.txt
expect_in out "pinned log key does not verify"
run_fails 2 $CONSTAT verify --tiles pub --log-key not-a-key
run_fails 2 $CONSTAT verify --tiles ftp://127.0.0.1/x
done_ok
