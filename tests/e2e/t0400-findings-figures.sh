#!/bin/sh
# The Defender's findings as figures, through the CLI (docs/indicators.md
# "Findings figures"): register entries signed by the organisation key
# (constat register add|list), incidents with a transport destination from
# the register, an eviction with associations present, shifts of two
# monitors; the report's figures.json, figure CSVs and HTML carry the values
# worked out below; a dossier carries the register entries and shifts and
# verifies, recounting the new figures; a dossier whose claimed findings
# figure changes fails, naming the row.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/vault

run_ok "$CONSTAT" init --no-passphrase --org hro --origin hro.example/log
run_ok "$CONSTAT" monitor add amina
run_ok "$CONSTAT" monitor add bilal

# leaf 2: the station; leaf 3: an aid point open on Mondays 18:00-20:00
cat > reg.json <<'JSON'
{"entries": [
 {"id": "reg:place:coq", "register": "place", "name": "PAF station",
  "position": {"lat_e7": 509000000, "lon_e7": 18500000}},
 {"id": "reg:aid_point:meals", "register": "aid_point", "name": "Meals",
  "position": {"lat_e7": 509500000, "lon_e7": 18500000}, "radius_m": 100,
  "zone": "Europe/Paris", "schedule": [{"weekday": "mon", "start": "18:00", "end": "20:00"}]}]}
JSON
# a bad entry: nothing is written
sed 's/"18:00", "end": "20:00"/"20:00", "end": "18:00"/' reg.json > bad.json
before=$(vault_digest vault)
run_fails 2 "$CONSTAT" register add bad.json
expect_in err "entry 1: schedule[0]: start must be before end"
expect_eq "$(vault_digest vault)" "$before" "vault unchanged after a refused register file"
run_ok "$CONSTAT" register add reg.json
expect_in out "2 register entries added from leaf 2"
run_ok "$CONSTAT" register add reg.json
expect_in out "no register entry added (2 already logged)"
run_ok "$CONSTAT" register list
expect_in out "reg:aid_point:meals"
run_ok "$CONSTAT" register list --json
expect_in out '"command": "register list"'
expect_in out '"radius_m": 100'

# a monitor cannot log a register entry
cat > fake.json <<'JSON'
{"kind": "register", "id": "reg:place:fake", "register": "place", "name": "x"}
JSON
run_fails 2 "$CONSTAT" record fake.json --monitor amina
expect_in err "register entries are signed by the organisation key"

# leaf 4, 5: the same person checked at 18:30 and 19:10 on Monday 2026-11-23 at
# site S1, the first transported to the station (asylum seeker 2, undocumented
# 1); the second is a testimony by another monitor 40 min later, 11 m away
cat > i1.json <<'JSON'
{"occurred": {"start": "2026-11-23T18:30:00+01:00", "end": "2026-11-23T18:45:00+01:00",
              "precision": "minute"},
 "place": {"site": "S1", "name": "Meals", "lat_e7": 509500000, "lon_e7": 18500000},
 "categories": ["identity_check", "transport_to_station"],
 "affected": {"count": 3, "legal_status": {"asylum_seeker": 2, "undocumented": 1},
              "person_identifiers": ["Ali H."]},
 "transport": {"destination": "reg:place:coq", "released_at": "2026-11-23T23:00:00+01:00"},
 "source": {"type": "direct_observation"}}
JSON
cat > i2.json <<'JSON'
{"occurred": {"start": "2026-11-23T19:10:00+01:00", "end": "2026-11-23T19:20:00+01:00",
              "precision": "minute"},
 "place": {"site": "S1", "name": "Meals", "lat_e7": 509501000, "lon_e7": 18500000},
 "categories": ["identity_check"],
 "affected": {"count": 1, "person_identifiers": ["ali h."]},
 "source": {"type": "testimony"}}
JSON
# leaf 6: an eviction at S1 at 06:30 with HRO present; leaf 7: amina's shift
cat > e1.json <<'JSON'
{"occurred": {"start": "2026-11-24T06:30:00+01:00", "end": "2026-11-24T08:00:00+01:00",
              "precision": "minute"},
 "place": {"site": "S1", "name": "S1"},
 "categories": ["eviction", "living_site_visit"],
 "eviction": {"associations_present": ["HRO"]},
 "items": [{"kind": "tents", "action": "seized", "count": 4, "origin": "humanitarian"}],
 "source": {"type": "direct_observation"}}
JSON
cat > sh.json <<'JSON'
{"kind": "shift", "start": "2026-11-23T17:00:00+01:00", "end": "2026-11-23T21:30:00+01:00",
 "area": {"name": "Calais"}}
JSON
run_ok "$CONSTAT" record i1.json --monitor amina
expect_in out "leaf index 4"
run_ok "$CONSTAT" record i2.json --monitor bilal
run_ok "$CONSTAT" record e1.json --monitor amina
run_ok "$CONSTAT" record sh.json --monitor amina
expect_in out "leaf index 7"

run_ok "$CONSTAT" report --out rep
# row values, worked out by hand:
#  check_intervals: one interval 19:10 - 18:30 = 2400 s (leaves 4, 5), under 2 h
#  transported_by_legal_status: 2 of 3 stated lawful -> 666 per thousand
#  release_distance: station 50.90 -> incident 50.95 on one meridian:
#    6371008.8 * 0.05 * pi / 180 = 5559.75 -> 5560 m, band 5-10 km, with leaf 2
#  near_aid_during_distribution: both checks inside the 100 m area on a Monday
#    between 18:00 and 20:00; the period is 1 day (11-23: the eviction of 11-24
#    has no position and is excluded), 120 min of distribution -> 2 * 60000 / 120
#  visits_by_hour: 06:30 is not night (22:00-06:00): share 0
#  field_presence_by_org: 4.5 h -> 4
python3 - rep/figures.json <<'PY' > fig.txt
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["figures"]:
    for r in f["rows"]:
        print(f["id"], json.dumps(r["key"], separators=(",", ":")), r["value"],
              json.dumps(r["leaves"], separators=(",", ":")))
PY
expect_in fig.txt 'check_intervals ["median_s"] 2400 [4,5]'
expect_in fig.txt 'check_intervals ["under_2h_permille"] 1000 [4,5]'
expect_in fig.txt 'checks_same_place_same_day ["S1","2026-11-23"] 1 [4,5]'
expect_in fig.txt 'transported_by_legal_status ["share_lawfully_present_permille",null] 666 [4]'
expect_in fig.txt 'release_distance ["incidents","2_5_10km"] 1 [2,4]'
expect_in fig.txt 'release_distance ["median_m",null] 5560 [2,4]'
expect_in fig.txt 'near_aid_during_distribution ["incidents","reg:aid_point:meals","during"] 2 [3,4,5]'
expect_in fig.txt 'near_aid_during_distribution ["exposure_minutes","reg:aid_point:meals","during"] 120 [3]'
expect_in fig.txt 'near_aid_during_distribution ["per_1000_hours","reg:aid_point:meals","during"] 1000 [3,4,5]'
expect_in fig.txt 'near_aid_during_distribution ["excluded",null,null] 1 [6]'
expect_in fig.txt 'visits_by_hour ["visits","06"] 1 [6]'
expect_in fig.txt 'visits_by_hour ["night_share_permille",null] 0 []'
expect_in fig.txt 'evictions_by_site ["associations_present","S1"] 1 [6]'
expect_in fig.txt 'items_by_kind_and_origin ["humanitarian","tents","seized"] 4 [6]'
expect_in fig.txt 'field_presence_by_org ["hours","2026-11","hro"] 4 [7]'
expect_in fig.txt 'corroborated_incidents ["group_monitors","'
expect_in fig.txt 'corroborated_incidents ["groups",null] 1 [4,5]'
expect_in fig.txt 'source_share_by_figure ["check_intervals","first_hand_permille"] 500 [4]'
# one CSV per figure, and the HTML report shows each figure and its parameters
expect_in rep/figures/check_intervals.csv "median_s"
expect_in rep/figures/near_aid_during_distribution.csv "reg:aid_point:meals"
for id in check_intervals checks_same_place_same_day transported_by_legal_status \
    release_distance near_aid_during_distribution visits_by_hour evictions_by_site \
    eviction_interval_by_site items_by_kind_and_origin field_presence_by_org \
    corroborated_incidents source_share_by_figure; do
    [ -f "rep/figures/$id.csv" ] || fail "no rep/figures/$id.csv"
    expect_in rep/index.html "figures/$id.csv"
done
expect_in rep/index.html "under_short_s"

# --first-hand: the testimony (leaf 5) is left out of every figure, so there is
# no interval (one check of the person) and incidents_total is 2 (leaves 4, 6)
run_ok "$CONSTAT" report --out rep1 --first-hand
python3 - rep1/figures.json <<'PY' > fig1.txt
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["figures"]:
    for r in f["rows"]:
        print(f["id"], json.dumps(r["key"], separators=(",", ":")), r["value"],
              json.dumps(r["leaves"], separators=(",", ":")))
PY
expect_in fig1.txt 'incidents_total [] 2 [4,6]'
expect_in fig1.txt 'check_intervals ["intervals"] 0 []'
expect_in fig1.txt 'source_share_by_figure ["incidents_total","first_hand_permille"] 1000 [4,6]'
expect_in rep1/index.html "first-hand records only"

# the dossier carries the register entries and the shift, and verifies
run_ok "$CONSTAT" dossier --out d1
run_ok "$CONSTAT" verify d1
expect_in out "VERIFIED"
grep -c '"kind":"register"' d1/records.jsonl > n.txt
expect_eq "$(cat n.txt)" "2" "register entries in the dossier"
expect_in d1/records.jsonl '"kind":"shift"'

# a claimed findings figure that does not recount fails verification (the
# manifest is not re-signed here: the figure check and the manifest both fail)
cp -r d1 d2
python3 - d2/figures.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
for f in d["figures"]:
    if f["id"] == "check_intervals":
        for r in f["rows"]:
            if r["key"] == ["median_s"]:
                r["value"] = 86400
open(p, "w").write(json.dumps(d, separators=(",", ":"), sort_keys=True))
PY
run_fails 1 "$CONSTAT" verify d2
expect_in out 'figure check_intervals row ["median_s"]: value claimed 86400, recomputed 2400'

done_ok
