#!/bin/sh
# constat report --public: a suppressed cell's key names a free-text place
# only when a shown row names it too (docs/indicators.md "Public reports:
# disclosure control"). Hand-made vault: 5 incidents at "Gare de Calais", 1
# at "Rue secrète 12", 2 at "Impasse du Bois". With k = 5, incidents_by_place
# shows the station (5) and suppresses the other two (1 and 2, both under
# k: two suppressed cells, no secondary needed); neither of their names
# appears anywhere in the public folder. verify refuses a folder whose
# suppressed key names the street again.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
for n in 1 2 3 4 5; do incident $n '{"name": "Gare de Calais"}'; done
incident 6 '{"name": "Rue secrète 12"}'
incident 7 '{"name": "Impasse du Bois"}'
incident 8 '{"name": "Impasse du Bois"}'
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --public --out pub
expect_in out "public report of 8 incidents"
if grep -rq "secrète\|Impasse" pub; then fail "a suppressed place is named: $(grep -rl 'secrète\|Impasse' pub)"; fi
python3 - pub/figures.json <<'PY' || fail "public figures"
import json, sys
d = json.load(open(sys.argv[1]))
f = {x["id"]: x for x in d["figures"]}
p = f["incidents_by_place"]
assert p["rows"] == [{"key": ["Gare de Calais"], "leaves": [], "value": 5}], p["rows"]
assert p["suppressed"] == [{"key": ["withheld_place"], "rule": "primary"}] * 2, p["suppressed"]
# evictions_by_site (every incident is an eviction): the same rule on "site"
e = f["evictions_by_site"]
assert e["rows"] == [{"key": ["evictions", "Gare de Calais"], "leaves": [], "value": 5}], e["rows"]
assert [s["key"] for s in e["suppressed"]] == [["evictions", "withheld_place"]] * 2, e["suppressed"]
assert "withheld_places" in d["disclosure"]["rules"]
PY
ok
run_ok $CONSTAT verify pub
expect_in out "VERIFIED: the public report obeys the k it declares"

# the street's name put back into its suppressed key
cp -r pub bad
json_edit bad/figures.json '
for f in d["figures"]:
    if f["id"] == "incidents_by_place":
        f["suppressed"][0]["key"] = ["Rue secrète 12"]'

run_fails 1 $CONSTAT verify bad
expect_in out 'FAIL: figures.json: figure incidents_by_place row ["Rue secrète 12"]: suppressed, but its key names a place that no shown row names'
expect_in out "NOT VERIFIED"
done_ok
