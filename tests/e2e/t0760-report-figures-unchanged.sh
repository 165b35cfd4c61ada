#!/bin/sh
# The report's figures keep their exact values when its computation is made
# faster (issue 11, "report over 1,000,000 records"). A simulated vault is the
# same on every machine for one seed (docs/vault.md "Synthetic vaults"), so
# the figures of `simulate --records 4000 --seed 11` are a fixed vector: the
# digests below are those of figures.json, of every figures/<id>.csv (in
# name order) and of incidents.csv as the report wrote them before its hot
# path was rewritten (one read of the leaves, leaves parsed on every core,
# integers and CSV cells written without printf). Any change of a value, of
# a leaf list or of a byte of those files fails here; a deliberate change of
# a figure must come with new digests and say why.
# The HTML is not pinned here (other work changes its layout); that the
# HTML a verifier renders again is byte for byte the dossier's copy is
# checked at the end, on the same vault.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

digest() { sha256sum | cut -d' ' -f1; }

run_ok $CONSTAT simulate --records 4000 --seed 11 --dir sim
run_ok $CONSTAT report --dir sim --out rep
[ "$(digest < rep/figures.json)" = e3bd45776e16b088f5af82e71a0fc38c1e8e05527a174de7126f9a007e2b07fb ] ||
    fail "figures.json differs from the vector"
ok
[ "$(ls rep/figures | wc -l)" -eq 36 ] || fail "expected 36 figure CSVs, got $(ls rep/figures | wc -l)"
ok
[ "$(cat $(ls rep/figures/*.csv | LC_ALL=C sort) | digest)" = \
    c02c0f3a01fdddc12351814f9194ba995991f7ba79d0f1b33497b9a89b0b85aa ] ||
    fail "the figure CSVs differ from the vector"
ok
[ "$(digest < rep/incidents.csv)" = f32bebe84dcbd6b36b6af286cd3fd7cba73814c4c8968715e7f886d8068b13e7 ] ||
    fail "incidents.csv differs from the vector"
ok

# the CSVs say what figures.json says: every row's value and leaves, in order
python3 - rep <<'PY' || fail "figures.json and the figure CSVs disagree"
import csv, json, os, sys
d = sys.argv[1]
figs = json.load(open(os.path.join(d, "figures.json")))["figures"]
assert len(figs) == 36, len(figs)
for f in figs:
    rows = list(csv.reader(open(os.path.join(d, "figures", f["id"] + ".csv"), encoding="utf-8")))
    assert rows[0] == f["dimensions"] + ["value", "leaves"], (f["id"], rows[0])
    assert len(rows) - 1 == len(f["rows"]), (f["id"], len(rows), len(f["rows"]))
    for r, c in zip(f["rows"], rows[1:]):
        n = len(f["dimensions"])
        assert int(c[n]) == r["value"], (f["id"], c, r["value"])
        assert [int(x) for x in c[n + 1].split()] == r["leaves"], (f["id"], c[:n])
        assert r["leaves"] == sorted(set(r["leaves"])), (f["id"], "leaves not ascending")
PY
ok

# two runs, the same bytes (every file, the HTML included)
run_ok $CONSTAT report --dir sim --out rep2
diff -r rep rep2 >/dev/null || fail "two reports of one vault differ"
ok

# the dossier's report is rendered again by verify and found identical
run_ok $CONSTAT checkpoint --dir sim
run_ok $CONSTAT dossier --dir sim --out dos
run_ok $CONSTAT verify dos
expect_in out "VERIFIED"
expect_in out ", 0 failed"
[ "$(digest < dos/figures.json)" = e3bd45776e16b088f5af82e71a0fc38c1e8e05527a174de7126f9a007e2b07fb ] ||
    fail "the dossier's figures.json differs from the vector"
ok
echo "t0760: $checks checks passed"
