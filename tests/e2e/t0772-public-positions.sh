#!/bin/sh
# constat report --public: positions snapped to a named register site within
# 300 m, else to the centre of a 500 m grid cell, counted, counts under k
# withheld (docs/indicators.md "Public reports: disclosure control"); the
# public page draws them on its map; verify refuses an exact position.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
cat > reg.json <<'JSON'
{"entries": [{"id": "reg:living_site:dunes-test", "register": "living_site", "name": "Dunes site",
  "commune": "Calais", "zone": "Europe/Paris",
  "position": {"lat_e7": 509650000, "lon_e7": 19000000}, "source": {"note": "test entry"}}]}
JSON
run_ok $CONSTAT register add reg.json
# leaves: 0 enrolment, 1 register entry; incidents 2..: 5 within 45 m of the
# site, 5 at 50.9581 N 1.8503 E (grid cell centre 50.96025 N 1.8529612 E,
# worked out in tests/unit/test_public_map.c), 1 alone 398 m north of the site
n=0
for la in 509650000 509651000 509652000 509653000 509654000 509581000 509581000 509581000 509581000 509581000 509686000; do
    n=$((n + 1))
    lo=19000000
    [ "$la" = 509581000 ] && lo=18503000
    cat > p$n.json <<JSON
{"occurred": {"start": "2026-11-$(printf %02d $n)T07:40:00+01:00", "end": "2026-11-$(printf %02d $n)T08:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "exact spot $n", "lat_e7": $la, "lon_e7": $lo},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
    run_ok $CONSTAT record p$n.json --monitor alice
done
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --public --out pub
python3 - pub/figures.json <<'PY' || fail "public positions"
import json, sys
p = json.load(open(sys.argv[1]))["positions"]
assert p["radius_m"] == 300 and p["grid_m"] == 500 and p["suppressed"] == 1, p
rows = [(r.get("site"), r["lat_e7"], r["value"]) for r in p["rows"]]
assert rows == [(None, 509602500, 5), ("Dunes site", 509650000, 5)], rows
PY
for exact in 509581000 509686000 18503000; do
    if grep -rq "$exact" pub; then fail "an exact position ($exact) is in the public report"; fi
done
expect_in pub/index.html 'Dunes site (5)</text>'
expect_in pub/index.html '50.9603 N 1.8530 E (500 m) (5)</text>'
expect_in pub/index.html 'Natural Earth 1:50m (public domain)'
ok
run_ok $CONSTAT verify pub
expect_in out "VERIFIED: the public report obeys the k it declares"

# an exact position put back
cp -r pub bad
json_edit bad/figures.json 'd["positions"]["rows"][0]["lat_e7"] = 509581000'

run_fails 1 $CONSTAT verify bad
expect_in out "FAIL: figures.json: positions.rows[0]: not at the centre of its 500 m grid cell: an exact position is shown"
done_ok
