#!/bin/sh
# `constat show INCIDENT` lists evidence files by their current binding
# (docs/record.md "Corrections and retractions"): a retracted evidence record
# is no longer listed as attached (a line says which leaf detached it), and
# one whose correction names another incident is listed under that incident,
# at the correction's leaf, with a line under the first one saying where it
# went. Its chain of custody follows the file.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/vault

run_ok "$CONSTAT" init --no-passphrase --org hro --origin hro.example/log
run_ok "$CONSTAT" monitor add amina
for i in a b; do
    cat > $i.json <<JSON
{"id": "inc-$i",
 "occurred": {"start": "2026-11-20T07:40:00+01:00", "end": "2026-11-20T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "affected": {"count": 10},
 "source": {"type": "direct_observation"}}
JSON
    run_ok "$CONSTAT" record $i.json --monitor amina
done
# leaves: 0 enrolment, 1 inc-a, 2 inc-b
printf 'photo meant for inc-b\n' > moved.txt
printf 'not a photo of anything\n' > wrong.txt
printf 'the right photo of inc-a\n' > right.txt
run_ok "$CONSTAT" attach inc-a moved.txt wrong.txt right.txt --monitor amina
h() { sha256sum "$1" | cut -c1-16; }
ev_moved=ev-$(h moved.txt)-$(printf inc-a | sha256sum | cut -c1-8)
ev_wrong=ev-$(h wrong.txt)-$(printf inc-a | sha256sum | cut -c1-8)
ev_right=ev-$(h right.txt)-$(printf inc-a | sha256sum | cut -c1-8)
# leaves 3, 4, 5; a custody event of the moved file at leaf 6
run_ok "$CONSTAT" custody "$ev_moved" --event sealed --to "locker 2" --monitor amina
run_ok "$CONSTAT" show inc-a
expect_in out "$ev_moved (leaf 3)"
expect_in out "$ev_wrong (leaf 4)"
expect_in out "$ev_right (leaf 5)"
expect_in out "sealed      to locker 2"
run_ok "$CONSTAT" show inc-b
expect_in out "no evidence files attached"

# retract one, move another to inc-b with a correction of its record
run_ok "$CONSTAT" retract "$ev_wrong" --reason "attached by mistake" --monitor amina
expect_in out "leaf index 7"
run_ok "$CONSTAT" show "$ev_moved" --json
python3 - out > moved-fixed.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["record"]
# private holds the leaf's commitments, not values: left out (the
# replacement commits to no file name; docs/record.md "Corrections")
for k in ("org", "monitor", "recorded_at", "v", "kind", "private"):
    r.pop(k, None)
r["kind"] = "evidence"
assert r["incident"] == "inc-a", r
r["incident"] = "inc-b"
r["private"] = {"file_name": "moved.txt"}  # values, not the commitments show prints
print(json.dumps(r))
PY
run_ok "$CONSTAT" correct "$ev_moved" moved-fixed.json --monitor amina --reason "wrong incident"
expect_in out "leaf index 8"

run_ok "$CONSTAT" show inc-a
expect_in out "evidence files:"
expect_in out "$ev_right (leaf 5)"
expect_not_in out "$ev_wrong (leaf 4): text"
expect_in out "$ev_wrong (leaf 4): detached, retracted by leaf 7"
expect_in out "$ev_moved (leaf 3): moved to incident inc-b by the correction at leaf 8"
expect_not_in out "locker 2"
# exactly one file listed as attached
n=$(grep -c "^  ev-.*bytes, sha256" out)
expect_eq "$n" 1 "files attached to inc-a"

run_ok "$CONSTAT" show inc-b
expect_in out "evidence files:"
expect_in out "$ev_moved (leaf 8)"
expect_in out "sealed      to locker 2"
expect_not_in out "no evidence files attached"
expect_not_in out "$ev_wrong"
n=$(grep -c "^  ev-.*bytes, sha256" out)
expect_eq "$n" 1 "files attached to inc-b"

# all files retracted: none attached, each line says why
run_ok "$CONSTAT" retract "$ev_right" --reason "duplicate" --monitor amina
expect_in out "leaf index 9"
run_ok "$CONSTAT" show inc-a
expect_in out "no evidence files attached"
expect_in out "$ev_right (leaf 5): detached, retracted by leaf 9"
done_ok
