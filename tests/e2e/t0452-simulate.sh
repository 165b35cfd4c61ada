#!/bin/sh
# constat simulate (docs/vault.md "Synthetic vaults"): a synthetic vault
# drawn from the real incidents; the same seed gives the same records and
# figures, another seed others; synthetic and real records never mix; the
# report says SYNTHETIC DATA.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

run_ok $CONSTAT simulate --records 3000 --seed 42 --dir s1
expect_in out "synthetic vault s1: "
expect_in out " shifts by 4 monitors, 150 recurring persons, drawn from "
expect_in out "(seed 42)"
run_ok $CONSTAT simulate --records 3000 --seed 42 --dir s2
run_ok $CONSTAT simulate --records 3000 --seed 43 --dir s3
run_ok $CONSTAT verify s1
for v in s1 s2 s3; do run_ok $CONSTAT report --dir $v --out r-$v; done
expect_in r-s1/index.html 'id="synthetic"'
expect_in r-s1/index.html "SYNTHETIC DATA"
cmp -s r-s1/figures.json r-s2/figures.json || fail "one seed, two sets of figures"
ok
cmp -s r-s1/figures.json r-s3/figures.json && fail "two seeds, the same figures"
ok

# what the records hold, worked out from the vault: counts add up, every
# record is marked, persons recur, shifts are there
python3 - r-s1/figures.json r-s1/incidents.csv <<'PY' || fail "synthetic records"
import csv, json, sys
f = {g["id"]: g for g in json.load(open(sys.argv[1]))["figures"]}
total = f["incidents_total"]["rows"][0]["value"]
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
assert len(rows) == total, (len(rows), total)
# about one in ten records is a shift: 3000 records, 2600 to 2800 incidents
assert 2600 <= total <= 2800, total
assert all(r["id"].startswith("SYN-42-") for r in rows)
assert all(r["summary"].startswith("[synthetic] ") for r in rows)
assert all(r["country"] == "France" for r in rows), "templates are the French incidents"
# a recurring person: someone checked at least 5 times
rep = f["repeated_checks_by_person"]["rows"]
assert rep and max(r["value"] for r in rep) >= 5, rep
# evictions early in the morning are the most common category, as in the data
cats = {r["key"][0]: r["value"] for r in f["incidents_by_category"]["rows"]}
assert max(cats, key=cats.get) == "eviction", cats
PY
ok

# no mixing: real rows into the synthetic vault, a synthetic record into a real one
run_fails 2 $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor synthetic-monitor-1 --dir s1
expect_in err "this vault is synthetic (origin synthetic.invalid/constat/seed-42, made by constat simulate): a real record never enters it"
run_ok $CONSTAT init --no-passphrase --org real-org --origin real.example/log --dir real
run_ok $CONSTAT monitor add m1 --dir real
python3 - "$SRC/data/examples/observation.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["id"] = "SYN-42-00000001"
d.pop("private", None)
json.dump(d, open("syn.json", "w"))
PY
run_fails 2 $CONSTAT record syn.json --monitor m1 --dir real
expect_in err "id SYN-42-00000001: a synthetic record (constat simulate) never enters a real vault"

# the records a synthetic vault derives are synthetic too: an erasure of a
# synthetic incident is logged there (as SYN-erasure-...), and the vault verifies
run_ok $CONSTAT erase SYN-42-00000000 --reason "test of erasure" --monitor synthetic-monitor-1 --dir s1
expect_in out "erased incident SYN-42-00000000"
run_ok $CONSTAT log --kind erasure --dir s1
expect_in out "SYN-erasure-"
run_ok $CONSTAT verify s1

# bad input
run_fails 2 $CONSTAT simulate --records 0 --seed 1 --dir s4
run_fails 2 $CONSTAT simulate --records ten --seed 1 --dir s4
expect_in err "--records: \"ten\" is not an integer"
run_fails 2 $CONSTAT simulate --records 10 --seed 1 --dir s1
[ ! -e s4 ] || fail "nothing written on bad input"
echo "t0452: $checks checks passed"
