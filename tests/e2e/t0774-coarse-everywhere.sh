#!/bin/sh
# Location for publication, every position of a coarse record (docs/record.md
# "Location precision"): transport.release_place is coarsened like place (the
# exact one in private.release_place_exact) and a public dossier refuses an
# exact release place near a living site; a public dossier never carries the
# evidence files (--public --with-evidence refused, nothing written); a photo
# attached to an incident corrected to coarse, and an evidence correction of a
# coarse incident's photo, get the capture position on the grid.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
PHOTO="$SRC/data/demo/media/gps_DSCN0010.jpg"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
printf '{"entries": [{"id": "reg:living_site:dunes-test", "register": "living_site", "name": "Dunes site", "commune": "Calais", "zone": "Europe/Paris", "position": {"lat_e7": 509600000, "lon_e7": 18500000}, "source": {"note": "test entry"}}]}\n' > reg.json
run_ok $CONSTAT register add reg.json
# inc ID PRECISION RELEASE_LAT: released 0.001 degree (111 m) north of the site
inc() {
    cat > $1.json <<JSON
{"id": "$1", "location_precision": "$2",
 "occurred": {"start": "2026-11-03T07:40:00+01:00", "end": "2026-11-03T08:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "spot", "lat_e7": 509601234, "lon_e7": 18501234},
 "transport": {"released_at": "2026-11-03T10:00:00+01:00",
               "release_place": {"name": "lane", "lat_e7": $3, "lon_e7": 18500000}},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
    run_ok $CONSTAT record $1.json --monitor alice
}
# (a) 50.9610000 N rounds to 50.96 N (509600000), the exact one private
inc inc-taken coarse 509610000
run_ok $CONSTAT show inc-taken --json
python3 - out <<'PY' || fail "coarse release_place"
import json, sys
r = json.load(open(sys.argv[1]))["record"]
assert r["transport"]["release_place"] == {"name": "lane", "lat_e7": 509600000, "lon_e7": 18500000}, r["transport"]
assert r["place"]["lat_e7"] == 509600000 and r["place"]["lon_e7"] == 18500000, r["place"]
assert sorted(r["private"]) == ["place_exact", "release_place_exact"], r["private"]
PY
run_ok $CONSTAT show inc-taken --private
expect_in out '"lat_e7": 509610000'
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --public --k 2 --out d
if grep -rqa 509610000 d; then fail "the exact release place is in the public dossier"; fi
ok
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
run_ok $CONSTAT disclose inc-taken --fields release_place_exact --clear --out dis
run_ok $CONSTAT verify d --disclosure dis
expect_in out "field release_place_exact: revealed and matches the signed record"
# a hand-written release_place_exact is refused, nothing logged
before=$(vault_digest v)
sed 's/inc-taken/inc-hand/; s/"categories"/"private": {"release_place_exact": 1}, "categories"/' inc-taken.json > hand.json
run_fails 2 $CONSTAT record hand.json --monitor alice
expect_in err "private.release_place_exact: is written by location_precision"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a refused record"

# (b) --public --with-evidence: refused before anything is written
run_fails 2 $CONSTAT dossier --public --with-evidence --out dw
expect_in err "--public with --with-evidence"
expect_in err "nothing written"
[ ! -e dw ] || fail "a refused public dossier wrote dw"
ok

# an exact release place 111 m from the living site: no public dossier
inc inc-open exact 509610000
run_ok $CONSTAT checkpoint
run_fails 2 $CONSTAT dossier --public --k 2 --out d2
expect_in err "leaf 3 holds an exact position within 300 m of the living site \"Dunes site\""
[ ! -e d2 ] || fail "a refused public dossier wrote d2"
ok

# (c) recorded exact, corrected to coarse: the photo's position is coarsened
# exact photo first, for the position its camera wrote
cat > e.json <<'JSON'
{"id": "inc-far", "occurred": {"start": "2026-11-04T07:40:00+01:00", "end": "2026-11-04T08:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "far", "lat_e7": 430000000, "lon_e7": 50000000},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
run_ok $CONSTAT record e.json --monitor alice --attach "$PHOTO"
ev_e=$(grep -o 'ev-[0-9a-f]*-[0-9a-f]*' out | head -1)
run_ok $CONSTAT show "$ev_e" --json
read -r elat elon <<EOF2
$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["record"]["capture"]; print(c["lat_e7"], c["lon_e7"])' out)
EOF2
[ -n "$elon" ] || fail "the demo photo has no GPS position"
ealt=4321 # an altitude the replacement adds
grid() { python3 -c 'import sys; v=int(sys.argv[1]); q=(v+50000)//100000 if v>=0 else -((-v+50000)//100000); print(q*100000)' "$1"; }
glat=$(grid "$elat"); glon=$(grid "$elon")
[ "$glat" != "$elat" ] || fail "the photo's latitude is on the grid already"
sed 's/"id": "inc-far"/"id": "inc-later", "location_precision": "exact"/; s/"far"/"later"/' e.json > l.json
run_ok $CONSTAT record l.json --monitor alice
sed 's/"id": "inc-far", /"location_precision": "coarse", /; s/"far"/"later"/' e.json > lc.json
run_ok $CONSTAT correct inc-later lc.json --monitor alice --reason "shelter: coarse"
run_ok $CONSTAT attach inc-later "$PHOTO" --monitor alice
ev_l=$(grep -o 'ev-[0-9a-f]*-[0-9a-f]*' out | head -1)
[ -n "$ev_l" ] || fail "attach named no evidence record"
run_ok $CONSTAT show "$ev_l" --json
python3 - out "$glat" "$glon" <<'PY' || fail "photo of an incident corrected to coarse"
import json, sys
r = json.load(open(sys.argv[1]))["record"]
c = r["capture"]
assert c["lat_e7"] == int(sys.argv[2]) and c["lon_e7"] == int(sys.argv[3]), c
assert "alt_cm" not in c, c
assert "capture_exact" in r["private"], r
PY
run_ok $CONSTAT show "$ev_l" --private
expect_in out "\"lat_e7\": $elat"

# (d) a correction of that evidence record giving the exact position back:
# coarsened again, the exact one private
python3 - out "$ev_l" "$elat" "$elon" "$ealt" > evfix.json <<'PY'
import json, subprocess, sys, os
r = json.loads(subprocess.run([os.environ["CONSTAT"], "show", sys.argv[2], "--json"],
               capture_output=True, check=True).stdout)["record"]
for k in ("org", "monitor", "recorded_at", "v", "private"):
    r.pop(k, None)
r["capture"].update(lat_e7=int(sys.argv[3]), lon_e7=int(sys.argv[4]), alt_cm=int(sys.argv[5]))
print(json.dumps(r))
PY
run_ok $CONSTAT correct "$ev_l" evfix.json --monitor alice --reason "exact capture"
run_ok $CONSTAT dossier --out dd --place later
if grep -qaF "$elat" dd/records.jsonl || grep -qaF "\"alt_cm\":$ealt" dd/records.jsonl; then
    fail "the photo's exact position reached the dossier"
fi
python3 - dd/records.jsonl "$ev_l" "$glat" "$glon" <<'PY' || fail "coarse evidence correction"
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    r = r.get("record", r)
    if r.get("kind") == "correction" and r.get("corrects") == sys.argv[2]:
        c = r["replacement"]["capture"]
        assert c["lat_e7"] == int(sys.argv[3]) and c["lon_e7"] == int(sys.argv[4]), c
        assert "alt_cm" not in c and "capture_exact" in r["replacement"]["private"], r
        n += 1
assert n == 1, n
PY
# a correction of the exact incident's photo stays as given
python3 - "$ev_e" > evfix2.json <<'PY'
import json, subprocess, sys, os
r = json.loads(subprocess.run([os.environ["CONSTAT"], "show", sys.argv[1], "--json"],
               capture_output=True, check=True).stdout)["record"]
for k in ("org", "monitor", "recorded_at", "v", "private"):
    r.pop(k, None)
r["capture"]["alt_cm"] = 4321
print(json.dumps(r))
PY
run_ok $CONSTAT correct "$ev_e" evfix2.json --monitor alice --reason "altitude"
run_ok $CONSTAT dossier --out de --place far
python3 - de/records.jsonl "$ev_e" "$elat" <<'PY' || fail "exact evidence correction"
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    r = r.get("record", r)
    if r.get("kind") == "correction" and r.get("corrects") == sys.argv[2]:
        c = r["replacement"]["capture"]
        assert c["lat_e7"] == int(sys.argv[3]) and c["alt_cm"] == 4321, c
        assert "capture_exact" not in r["replacement"].get("private", {}), r
        n += 1
assert n == 1, n
PY
done_ok
