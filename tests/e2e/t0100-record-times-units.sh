#!/bin/sh
# Record-level defects of issue 14 (items 3 and 4): an incident that starts
# after it was recorded, or after "now", is refused naming the line (import)
# or the field (JSON) and the vault stays as it was; money and objects are
# kept apart in the figures, and action-suffixed kinds of the import become
# kind + action; a recorded_at after the proven time is flagged as clock
# skew in the report and in the dossier verification (a warning, not a
# failure). lib.sh fixes the clock at 2026-11-29T10:00:00Z.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY 2>/dev/null || true
export CONSTAT_DIR="$T/v"
csv="$SRC/data/demo/incidents_public.csv"

run_ok $CONSTAT init --no-passphrase --org obs-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
before=$(vault_digest v)

# 1. an import row dated five years ahead
{ head -n 1 "$csv"; sed -n 2p "$csv" | sed 's/,2013-09-05,/,2031-09-05,/'; } > future.csv
run_fails 2 $CONSTAT import future.csv --monitor m1
expect_in err "future.csv: line 2, column date: the incident starts at 2031-09-05T00:00:00+02:00, after the recording time 2026-11-29T10:00:00Z"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a future import row"

# 2. a JSON record whose occurred is after its recorded_at
cat > late.json <<'JSON'
{"recorded_at": "2026-11-01T10:00:00Z",
 "occurred": {"start": "2026-11-02T08:00:00+01:00", "end": "2026-11-02T09:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"}}
JSON
run_fails 2 $CONSTAT record late.json --monitor m1
expect_in err "occurred.start: 2026-11-02T08:00:00+01:00 is after recorded_at 2026-11-01T10:00:00Z by more than 600 s"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a record recorded before its event"

# 3. a JSON record whose event starts after now (recorded_at defaults to now)
cat > ahead.json <<'JSON'
{"occurred": {"start": "2026-12-02T08:00:00+01:00", "end": "2026-12-02T09:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"}}
JSON
run_fails 2 $CONSTAT record ahead.json --monitor m1
expect_in err "occurred.start: 2026-12-02T08:00:00+01:00 is in the future (now is 2026-11-29T10:00:00Z"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after an event in the future"
# ... while nine minutes after now is within the tolerance
sed -e 's/2026-12-02T08:00:00+01:00/2026-11-29T11:09:00+01:00/' \
    -e 's/2026-12-02T09:00:00+01:00/2026-11-29T11:30:00+01:00/' ahead.json > soon.json
run_ok $CONSTAT record soon.json --monitor m1

# 4. a kind with the action in its name in a JSON record: refused with the way to write it
sed -e 's/"categories"/"items": [{"kind": "phones_broken", "action": "destroyed", "count": 2}], "categories"/' \
    soon.json > suffix.json
before=$(vault_digest v)
run_fails 2 $CONSTAT record suffix.json --monitor m1
expect_in err 'items[0].kind: unknown item kind "phones_broken" (write kind "phones" with action "destroyed")'
expect_eq "$(vault_digest v)" "$before" "vault unchanged after an unknown item kind"

# 5. the demo file imports; money apart from objects; suffixes split
run_ok $CONSTAT import "$csv" --monitor m1 --quiet
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out rep
python3 - rep/figures.json <<'PY' || fail "figures of the demo data"
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["figures"]}
items = {tuple(r["key"]): r["value"] for r in f["items_by_kind"]["rows"]}
money = {tuple(r["key"]): r["value"] for r in f["money_by_currency"]["rows"]}
kinds = {k[0] for k in items}
assert not any(k.startswith("cash") or k.endswith("_eur") for k in kinds), kinds
assert not any(k.endswith(("_broken", "_burned", "_taken", "_destroyed", "_torn")) for k in kinds), kinds
assert f["money_by_currency"]["unit"] == "amount"
assert f["items_by_kind"]["unit"] == "items"
assert money[("EUR", "cash_eur", "seized_or_destroyed")] == 14275, money
assert money[("EUR", "fine_paid_eur", "seized_or_destroyed")] == 270, money
assert money[("USD", "cash_usd", "seized_or_destroyed")] == 25, money
assert items[("phones", "destroyed")] > 0 and items[("phones", "seized")] > 0, items
print("ok")
PY
ok

# 6. clock skew: a record whose recorded_at (the monitor's clock, here a month
# ahead) is after the time an RFC 3161 token proves it existed
tsa_out=$(sh "$SRC/tests/tsa/start.sh" "$T/tsa") || fail "the test TSA did not start"
url=$(echo "$tsa_out" | sed -n 's/^url //p')
pid=$(echo "$tsa_out" | sed -n 's/^pid //p')
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT
sed -e 's/"place"/"id": "SKEW-1", "place"/' \
    -e 's/2026-11-29T11:09:00+01:00/2026-12-30T08:00:00+01:00/' \
    -e 's/2026-11-29T11:30:00+01:00/2026-12-30T09:00:00+01:00/' soon.json > skew.json
CONSTAT_NOW=2027-01-01T10:00:00Z run_ok $CONSTAT record skew.json --monitor m1
run_ok $CONSTAT tsa add local "$url" --ca "$T/tsa/ca.pem"
run_ok $CONSTAT timestamp
kill $pid 2>/dev/null || true
run_ok $CONSTAT report --out rep2
python3 - rep2/figures.json <<'PY' || fail "clock_skew_flagged"
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["figures"]}
rows = f["clock_skew_flagged"]["rows"]
assert [r["key"] for r in rows] == [["SKEW-1"]], rows
print("ok")
PY
ok
run_ok $CONSTAT dossier --out d
run_ok $CONSTAT verify d
expect_in out "WARNING (clock skew, not a failure): leaf "
expect_in out "(record SKEW-1): recorded_at 2027-01-01T10:00:00Z is after its proven time"
expect_in out "VERIFIED"
run_ok $CONSTAT verify d --json
expect_in out '"clock_skew"'
expect_in out '"record": "SKEW-1"'
echo "ok: $checks checks"
