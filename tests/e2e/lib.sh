# lib.sh — shared by the end-to-end tests: each test runs the constat program
# as a user would, in its own temporary directory, and stops at the first
# failed expectation with a message saying what was expected.
set -eu

: "${CONSTAT:?set CONSTAT to the constat program}"
: "${CONSTAT_SOURCE_DIR:?set CONSTAT_SOURCE_DIR to the source tree}"
SRC=$CONSTAT_SOURCE_DIR
T=$(mktemp -d "${TMPDIR:-/tmp}/constat-e2e.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
# Fast key derivation in tests only (docs/vault.md); fixed clock for
# reproducible records.
export CONSTAT_KDF=fast
export CONSTAT_NOW=2026-11-29T10:00:00Z
# CONSTAT_STORE is kept: the pg/ run of the suite sets it, so every vault a
# test makes lives on PostgreSQL (tests/pg/with-store).
unset CONSTAT_DIR CONSTAT_PASSPHRASE CONSTAT_TAXONOMY 2>/dev/null || true
checks=0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    checks=$((checks + 1))
}

# run_ok CMD...: must exit 0; output in $T/out, errors in $T/err
run_ok() {
    if ! "$@" >"$T/out" 2>"$T/err"; then
        cat "$T/out" "$T/err" >&2
        fail "expected success: $*"
    fi
    ok
}

# run_fails CODE CMD...: must exit with CODE
run_fails() {
    want=$1
    shift
    set +e
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    set -e
    if [ "$got" -ne "$want" ]; then
        cat "$T/out" "$T/err" >&2
        fail "expected exit $want, got $got: $*"
    fi
    ok
}

# expect_in FILE TEXT: FILE contains TEXT (fixed string)
expect_in() {
    grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "expected '$2' in $1"; }
    ok
}

expect_not_in() {
    if grep -qF -- "$2" "$1"; then
        echo "--- $1:" >&2
        cat "$1" >&2
        fail "did not expect '$2' in $1"
    fi
    ok
}

expect_eq() {
    [ "$1" = "$2" ] || fail "expected '$2', got '$1' ($3)"
    ok
}

# on_pg VAULT: the vault keeps its tables in PostgreSQL (VAULT/store.url)
on_pg() {
    [ -f "$1/store.url" ]
}

# vault_sql VAULT SQL: run SQL on the vault's own database, whichever
# backend it is on (sqlite3's python module for vault.db, psql in the
# vault's schema for PostgreSQL); rows on stdout, one a line, columns
# separated by '|'. SQL must be valid on both (plain SELECT/UPDATE/DELETE;
# blobs compared with hex: see vault_hex).
vault_sql() {
    if on_pg "$1"; then
        loc=$(cat "$1/store.url")
        psql -X -q -A -t -v ON_ERROR_STOP=1 -d "${loc%#*}" \
            -c "SET search_path TO ${loc##*#}" -c "$2"
    else
        python3 - "$1/vault.db" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
db.commit()
PY
    fi
}

# vault_hex VAULT COLUMN: SQL for the lower-case hex of a blob column
vault_hex() {
    if on_pg "$1"; then echo "encode($2, 'hex')"; else echo "lower(hex($2))"; fi
}

# vault_dump VAULT: every byte the vault's database holds, for grepping
# (the file and its WAL; on PostgreSQL every row of the vault's schema)
vault_dump() {
    if on_pg "$1"; then
        # one table a line, whatever IFS the caller set
        vault_sql "$1" "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename" |
            while read -r t; do
                vault_sql "$1" "SELECT x::text FROM $t x" </dev/null
            done
    else
        cat "$1"/vault.db
        [ ! -f "$1"/vault.db-wal ] || cat "$1"/vault.db-wal
    fi
}

# vault_copy VAULT COPY: a backup of the whole vault as a vault of its own
# (cp -a; on PostgreSQL the schema is copied too, with pg_dump, under a new
# name that COPY/store.url names)
vault_copy() {
    cp -a "$1" "$2"
    if on_pg "$1"; then
        loc=$(cat "$1/store.url")
        old=${loc##*#}
        new=vault_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
        pg_dump -d "${loc%#*}" -n "$old" --no-owner --no-privileges | sed "s/$old/$new/g" |
            psql -X -q -v ON_ERROR_STOP=1 -d "${loc%#*}" >/dev/null
        echo "${loc%#*}#$new" >"$2/store.url"
    fi
}

# vault_digest VAULT [TABLE]: digest of a vault's content: the database
# file and any WAL left behind; on PostgreSQL, every row of every table of
# the vault's schema in order, TABLE left out when given (PostgreSQL only:
# a vault.db is digested whole)
vault_digest() {
    if on_pg "$1"; then
        vault_sql "$1" "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '${2:-}' ORDER BY tablename" |
            while read -r t; do
                echo "$t"
                vault_sql "$1" "SELECT md5(coalesce(string_agg(x::text, chr(10) ORDER BY x::text), '')) FROM $t x" </dev/null
            done | sha256sum | cut -d' ' -f1
    else
        cat "$1"/vault.db "$1"/vault.db-wal 2>/dev/null | sha256sum | cut -d' ' -f1
    fi
}

# flip_byte FILE OFFSET: xor one byte with 0x01, in place
flip_byte() {
    python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
b[off] ^= 0x01
open(p, 'wb').write(bytes(b))
PY
}

# wait_port FILE LOG: wait (up to 10 s) for a server to write its port to
# FILE; on timeout show LOG and fail
# need_browser NAME: the Selenium tests' set-up. Sets PY to the python
# that has selenium and HOME to a folder of the test (Chromium writes its
# profile there); exits 77 (skipped) when chromium, chromium-driver or
# python3-selenium is missing.
need_browser() {
    PY=python3
    [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
    if ! command -v chromium >/dev/null 2>&1 || [ ! -x /usr/bin/chromedriver ] ||
        ! $PY -c 'import selenium' 2>/dev/null; then
        echo "$1: chromium, chromium-driver or python3-selenium missing (scripts/install-deps test installs them): skipped"
        exit 77
    fi
    export HOME="$T/home"
    mkdir -p "$HOME"
}

wait_port() {
    n=0
    while [ ! -s "$1" ]; do
        n=$((n + 1))
        [ $n -le 200 ] || { cat "$2" >&2; fail "server did not start ($1 stays empty)"; }
        sleep 0.05
    done
}

# incident N PLACE: record incident N (N in 1..9: on 2026-11-2N, 07:40 to
# 08:00 local time, one eviction, N people, summary "incident N") at PLACE
# (a JSON object) by monitor alice; it must land at leaf index N
incident() {
    cat > "inc$1.json" <<JSON
{
  "occurred": {"start": "2026-11-2$1T07:40:00+01:00", "end": "2026-11-2$1T08:00:00+01:00",
               "precision": "minute"},
  "place": $2,
  "categories": ["eviction"],
  "affected": {"count": $1, "minors": "unknown"},
  "source": {"type": "direct_observation"},
  "summary": "incident $1"
}
JSON
    run_ok $CONSTAT record "inc$1.json" --monitor alice
    expect_in out "leaf index $1"
}

# json_edit FILE CODE: FILE's JSON as d, changed by the Python CODE, written
# back compact with sorted keys (the shape of a figures.json)
json_edit() {
    python3 - "$1" "$2" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
exec(sys.argv[2])
open(p, "w").write(json.dumps(d, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
}

# resign_dossier DIR KEYFILE: what an insider holding the organisation key
# (KEYFILE, an unsealed vault's keys/org.key) does: the manifest of the
# dossier DIR lists every file again and is signed afresh
resign_dossier() {
    python3 - "$1" "$2" "$T/org.der" <<'PY'
import base64, hashlib, json, os, sys
d, keyfile, der = sys.argv[1:4]
lines = open(keyfile).read().split('\n')
assert lines[0] == 'constat-key-v1 plain', lines[0]
open(der, 'wb').write(bytes.fromhex('302e020100300506032b657004220420') + base64.b64decode(lines[1]))
m = json.load(open(os.path.join(d, 'manifest.json')))
m['files'] = {}
for root, _, files in os.walk(d):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), d)
        if rel not in ('manifest.json', 'manifest.sig'):
            m['files'][rel] = hashlib.sha256(open(os.path.join(root, f), 'rb').read()).hexdigest()
open(os.path.join(d, 'manifest.json'), 'w').write(
    json.dumps(m, separators=(',', ':'), sort_keys=True, ensure_ascii=False))
open(os.path.join(d, '..', 'msg'), 'wb').write(b'constat-manifest-v1\n' + open(os.path.join(d, 'manifest.json'), 'rb').read())
PY
    openssl pkeyutl -sign -rawin -keyform DER -inkey "$T/org.der" -in "$T/msg" -out "$T/sig.bin"
    python3 - "$1" "$T/sig.bin" <<'PY'
import base64, json, os, sys
d, sig = sys.argv[1:3]
o = json.load(open(os.path.join(d, 'manifest.sig')))
o['signature'] = base64.b64encode(open(sig, 'rb').read()).decode()
open(os.path.join(d, 'manifest.sig'), 'w').write(json.dumps(o, separators=(',', ':'), sort_keys=True))
PY
}

done_ok() {
    echo "ok: $checks checks"
}
