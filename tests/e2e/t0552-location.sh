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
# a photo of a coarse incident: the GPS position the camera wrote would give
# the spot away, so the leaf gets it on the same grid, the exact one private
# (capture_exact); attached to an exact incident it is logged as the file says
run_ok $CONSTAT attach inc-shelter "$SRC/data/demo/media/gps_DSCN0010.jpg" --monitor alice --dir v
ev_c=$(sed -n 's/^  record \(ev-[0-9a-f-]*\).*/\1/p' out | head -1)
[ -n "$ev_c" ] || ev_c=$(grep -o 'ev-[0-9a-f]*-[0-9a-f]*' out | head -1)
[ -n "$ev_c" ] || fail "attach named no evidence record"
sed 's/inc-shelter/inc-open/; s/"coarse"/"exact"/; s/Shelter near Calais/Open ground/' s.json > o.json
run_ok $CONSTAT record o.json --monitor alice --dir v --attach "$SRC/data/demo/media/gps_DSCN0010.jpg"
ev_o=$(grep -o 'ev-[0-9a-f]*-[0-9a-f]*' out | head -1)
run_ok $CONSTAT show "$ev_o" --dir v --json
read -r elat elon ealt <<EOF2
$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["record"]["capture"]; print(c["lat_e7"], c["lon_e7"], c.get("alt_cm", ""))' out 2>/dev/null || python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["capture"]; print(c["lat_e7"], c["lon_e7"], c.get("alt_cm", ""))' out)
EOF2
[ -n "$elat" ] && [ -n "$elon" ] || fail "the exact incident's photo has no capture position"
want_lat=$(python3 -c 'import sys; v=int(sys.argv[1]); q=(v+50000 if v>=0 else v-50000)//100000 if v>=0 else -((-v+50000)//100000); print(q*100000)' "$elat")
want_lon=$(python3 -c 'import sys; v=int(sys.argv[1]); q=(v+50000)//100000 if v>=0 else -((-v+50000)//100000); print(q*100000)' "$elon")
run_ok $CONSTAT show "$ev_c" --dir v --json
expect_in out "\"lat_e7\": $want_lat"
expect_in out "\"lon_e7\": $want_lon"
expect_not_in out "$elat"
expect_not_in out '"alt_cm"'
expect_in out '"capture_exact"'
run_ok $CONSTAT dossier --out dc --dir v --place Shelter
for f in $(find dc -type f -name '*.json*'); do
    if grep -qaF "$elat" "$f" || grep -qaF "$elon" "$f"; then
        fail "the photo's exact position reached $f"
    fi
done
ok
run_ok $CONSTAT show "$ev_c" --dir v --private
expect_in out "\"lat_e7\": $elat"
run_ok $CONSTAT disclose "$ev_c" --fields capture_exact --clear --out disc --dir v
run_ok $CONSTAT verify dc --disclosure disc
expect_in out "field capture_exact: revealed and matches the signed record"

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
