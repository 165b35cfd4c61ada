#!/bin/sh
# constat report --public [--k N] (docs/indicators.md "Public reports:
# disclosure control"): small cells suppressed with secondary suppression,
# no incident list and no leaf; `constat verify DIR` checks that a public
# report obeys the k it declares, and fails on one that does not.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor m1
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --public --out pub
expect_in out "public report of 170 incidents"
expect_in out "disclosure control: k = 5"
expect_in pub/index.html 'id="disclosure"'
expect_in pub/index.html "k = <strong>5</strong>"
expect_not_in pub/index.html '<a href="#leaf-'
[ "$(wc -l <pub/incidents.csv)" -eq 1 ] || fail "a public report lists no incident"
ok

# no shown count under 5; no leaf named (worked out from the full report)
run_ok $CONSTAT report --out full
python3 - pub/figures.json full/figures.json <<'PY' || fail "public figures"
import json, sys
pub = json.load(open(sys.argv[1]))
full = {f["id"]: f for f in json.load(open(sys.argv[2]))["figures"]}
assert pub["disclosure"]["k"] == 5
counts = {"incidents", "persons", "records", "mentions", "files"}
for f in pub["figures"]:
    for r in f["rows"]:
        assert r["leaves"] == [], f["id"]
        if f["unit"] in counts:
            assert r["value"] == 0 or r["value"] >= 5, (f["id"], r)
    # every suppressed cell of a figure without merged dimension is a
    # cell of the full report
    # (a free-text place that no shown row names reads "withheld_place":
    # t0770 tests that rule)
    keys = {json.dumps(r["key"]) for r in full[f["id"]]["rows"]}
    for s in f["suppressed"]:
        assert json.dumps(s["key"]) in keys or "withheld_place" in s["key"], (f["id"], s)
# incidents_by_country in the full report: Serbia counts 3 (under 5) and is
# the only such country; the smallest other, Albania (5), goes with it
c = {r["key"][0]: r["value"] for r in full["incidents_by_country"]["rows"]}
assert c["Serbia"] == 3 and c["Albania"] == 5, c
sup = {s["key"][0]: s["rule"] for s in [f for f in pub["figures"] if f["id"] == "incidents_by_country"][0]["suppressed"]}
assert sup == {"Serbia": "primary", "Albania": "secondary"}, sup
PY
ok

run_ok $CONSTAT verify pub
expect_in out "checks: "
expect_in out "VERIFIED: the public report obeys the k it declares"

# a report that breaks its k: Serbia shown with its 3
cp -r pub bad
python3 - bad/figures.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for f in d["figures"]:
    if f["id"] == "incidents_by_country":
        f["suppressed"] = [s for s in f["suppressed"] if s["key"] != ["Serbia"]]
        f["rows"].append({"key": ["Serbia"], "value": 3, "leaves": []})
        f["rows"].sort(key=lambda r: r["key"])
open(p, "w").write(json.dumps(d, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
run_fails 1 $CONSTAT verify bad
expect_in out 'FAIL: figures.json: figure incidents_by_country row ["Serbia"]: value 3 is under the declared k 5'
expect_in out 'FAIL: figures.json: figure incidents_by_country row ["Albania"]: the only cell suppressed'
expect_in out "NOT VERIFIED"
# the page rewritten to show what figures.json does not
cp -r pub page
sed -i 's|k = <strong>5</strong>|k = <strong>2</strong>|' page/index.html
run_fails 1 $CONSTAT verify page
expect_in out "FAIL: index.html: line "

# --k
run_ok $CONSTAT report --public --k 10 --out pub10
expect_in out "disclosure control: k = 10"
expect_in pub10/figures.json '"k":10'
run_ok $CONSTAT verify pub10
run_fails 2 $CONSTAT report --public --k 1 --out pub1
expect_in err "--k: \"1\" is not an integer from 2 to 1000"
[ ! -e pub1 ] || fail "nothing written for a bad --k"
ok
# a figure keyed by a log entry is withheld: corroborated_incidents names
# each group by its earliest record's id, so no record id (SYN-...) reaches a
# public report of a vault where monitors corroborate each other
run_ok $CONSTAT simulate --records 50 --seed 1 --dir sim
run_ok $CONSTAT report --out sim-full --dir sim
expect_in sim-full/figures.json '"group_monitors"'
run_ok $CONSTAT report --public --out sim-pub --dir sim
if grep -rq "SYN-" sim-pub; then fail "a record id is in the public report: $(grep -rl SYN- sim-pub)"; fi
ok
run_ok $CONSTAT verify sim-pub
echo "t0451: $checks checks passed"
