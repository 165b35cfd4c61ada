#!/bin/sh
# t0640 — `constat import` is an action of the audit table (issue 9: "every
# action ... is written to an audit table"): one row naming the monitor, the
# file and the leaves it added; a re-import that adds nothing, and a refused
# import (a bad row), write no row and leave the vault as it was.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
csv="$SRC/data/demo/incidents_public.csv"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$csv" --monitor m1
expect_in out "170 new record(s) logged at leaves 1..170"
run_ok $CONSTAT audit
expect_in out "import"
expect_in out "incidents_public.csv: 170 new record(s) at leaves 1..170"
run_ok $CONSTAT audit --json
python3 - "$T/out" <<'PY' || fail "audit --json: one import row by m1"
import json, sys
rows = json.load(open(sys.argv[1]))
rows = rows["items"]
imp = [r for r in rows if r["action"] == "import"]
assert len(imp) == 1, imp
assert imp[0]["account"] == "m1", imp[0]
assert imp[0]["detail"].endswith("incidents_public.csv: 170 new record(s) at leaves 1..170"), imp[0]
PY
# the same file again: nothing added, the vault (audit table too) unchanged
before=$(vault_digest v)
run_ok $CONSTAT import "$csv" --monitor m1
expect_eq "$(vault_digest v)" "$before" "a re-import that adds nothing changes nothing"
# a refused import writes no audit row (and changes nothing)
head -1 "$csv" > bad.csv
tail -n +2 "$csv" | head -2 | sed 's/,/,,/3' >> bad.csv
run_ok $CONSTAT audit --json
before=$(cat "$T/out")
run_fails 2 $CONSTAT import bad.csv --monitor m1
run_ok $CONSTAT audit --json
expect_eq "$(cat "$T/out")" "$before" "a refused import writes no audit row"
ok
