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

# digest of a vault's content: the database file and any WAL left behind
vault_digest() {
    cat "$1"/vault.db "$1"/vault.db-wal 2>/dev/null | sha256sum | cut -d' ' -f1
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

done_ok() {
    echo "ok: $checks checks"
}
