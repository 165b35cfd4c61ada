#!/bin/sh
# Location for publication: with "location_precision": "coarse" the leaf
# carries the position rounded to the 0.01-degree grid (worked out below)
# with precision_m widened by 1000 m, the exact position is a committed
# private field (place_exact) that never enters the leaf, a dossier or the
# tiles, and can be disclosed and checked like any private field.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
cat > s.json <<'JSON'
{"id": "inc-shelter", "location_precision": "coarse",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Shelter near Calais", "commune": "Calais", "country": "France",
           "lat_e7": 509512345, "lon_e7": 18550001, "precision_m": 20},
 "categories": ["eviction"], "source": {"type": "direct_observation"},
 "private": {"narrative": "At the shelter."}}
JSON
run_ok $CONSTAT record s.json --monitor alice --dir v
# 50.9512345 -> 50.95 (509500000); 1.8550001 -> 1.86 (18600000, nearer than
# 1.85); precision 20 + 1000
run_ok $CONSTAT show inc-shelter --dir v --json
expect_in out '"lat_e7": 509500000'
expect_in out '"lon_e7": 18600000'
expect_in out '"precision_m": 1020'
expect_in out '"place_exact"'
expect_not_in out '"location_precision"'
run_ok $CONSTAT dossier --out d --dir v
run_ok $CONSTAT tiles export tiles --dir v
for f in d/records.jsonl $(find tiles -type f); do
    if grep -qaF "509512345" "$f" || grep -qaF "18550001" "$f"; then
        fail "the exact position reached $f"
    fi
    ok
done
expect_in d/records.jsonl '"lat_e7":509500000'
# the exact position is a private value, disclosed and checked like any
run_ok $CONSTAT show inc-shelter --dir v --private
expect_in out '"lat_e7": 509512345'
run_ok $CONSTAT disclose inc-shelter --fields place_exact --clear --out dis --dir v
run_ok $CONSTAT verify d --disclosure dis
expect_in out "field place_exact: revealed and matches the signed record"
expect_in out '"lat_e7": 509512345'
# exact: nothing changes; bad values refused, nothing logged
sed 's/inc-shelter/inc-exact/; s/"coarse"/"exact"/' s.json > e.json
run_ok $CONSTAT record e.json --monitor alice --dir v
run_ok $CONSTAT show inc-exact --dir v --json
expect_in out '"lat_e7": 509512345'
expect_not_in out '"place_exact"'
before=$(vault_digest v)
sed 's/inc-shelter/inc-x/; s/"coarse"/"fuzzy"/' s.json > x.json
run_fails 2 $CONSTAT record x.json --monitor alice --dir v
expect_in err 'location_precision: must be "exact" or "coarse"'
sed 's/inc-shelter/inc-y/; s/"lat_e7": 509512345, "lon_e7": 18550001, //' s.json > y.json
run_fails 2 $CONSTAT record y.json --monitor alice --dir v
expect_in err "needs place.lat_e7 and place.lon_e7"
sed 's/inc-shelter/inc-z/; s/"narrative": "At the shelter."/"place_exact": 1/' s.json > z.json
run_fails 2 $CONSTAT record z.json --monitor alice --dir v
expect_in err "private.place_exact: is written by location_precision"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused records"
done_ok
