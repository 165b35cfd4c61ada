#!/bin/sh
# t0142-dossier-evidence-listing.sh — a dossier with evidence files lists
# them in evidence/files.tsv beside their hash names, with the record, the
# media type and a file name with that type's extension; the listing is in
# the manifest and verified against the evidence records (a changed listing
# fails verify, naming its line); VERIFY.fr.md holds the whole text in French.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
M=$SRC/data/demo/media
export CONSTAT_DIR=$T/v

run_ok $CONSTAT init --no-passphrase --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina \
    --attach "$M/gps_DSCN0010.jpg"
inc=$(sed -n 's/^record \(inc-[0-9a-f]*\).*/\1/p' out | head -1)
[ -n "$inc" ] || { cat out >&2; fail "no incident id in the receipt"; }
printf 'statement of the witness\n' > statement.txt
run_ok $CONSTAT attach "$inc" statement.txt --monitor amina
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d --with-evidence
[ -f d/evidence/files.tsv ] || fail "no evidence/files.tsv"
ok
python3 - "$inc" <<'PY' || { cat d/evidence/files.tsv >&2; fail "the listing"; }
import json, sys, os, hashlib
inc = sys.argv[1]
lines = open("d/evidence/files.tsv", encoding="utf-8").read().split("\n")
assert lines[0] == "file\trecord\tincident\tmedia_type\tsuggested_name", lines[0]
assert lines[-1] == "", "no final newline"
rows = [l.split("\t") for l in lines[1:-1]]
recs = [json.loads(l)["record"] for l in open("d/records.jsonl")]
ev = [r for r in recs if r["kind"] == "evidence"]
assert len(rows) == len(ev) == 2, (rows, ev)
ext = {"image/jpeg": ".jpg", "text/plain": ".txt"}
for row, r in zip(rows, ev):
    assert len(row) == 5, row
    path, rid, rinc, media, name = row
    h = r["sha256"]
    assert path == "evidence/sha256/%s/%s/%s" % (h[:2], h[2:4], h), (path, h)
    assert hashlib.sha256(open("d/" + path, "rb").read()).hexdigest() == h
    assert rid == r["id"] and rinc == inc == r["incident"], (row, r)
    assert media == r["media_type"], (media, r["media_type"])
    assert name == r["id"] + ext[media], name
assert [row[3] for row in rows] == ["image/jpeg", "text/plain"], rows
man = json.load(open("d/manifest.json"))
assert man["files"]["evidence/files.tsv"] == hashlib.sha256(
    open("d/evidence/files.tsv", "rb").read()).hexdigest()
assert "VERIFY.fr.md" in man["files"], sorted(man["files"])
PY
ok
run_ok $CONSTAT verify d
expect_in out "VERIFIED"

# a listing that names another extension: verify fails on the manifest
# hash and on the listing itself, naming its line
cp -R d bad
chmod -R u+w bad
sed -i 's/\.jpg$/.exe/' bad/evidence/files.tsv
run_fails 1 $CONSTAT verify bad
expect_in out "FAIL: evidence/files.tsv: SHA-256 is "
expect_in out "FAIL: evidence/files.tsv: line 2 does not match the evidence records"
expect_in out "ev-"
expect_in out ".jpg"
# a listing with a line of its own
cp -R d bad2
chmod -R u+w bad2
printf 'evidence/sha256/00/00/0000\tev-x\tinc-x\timage/png\tev-x.png\n' >> bad2/evidence/files.tsv
run_fails 1 $CONSTAT verify bad2
expect_in out "FAIL: evidence/files.tsv: line 4: a line no evidence file of this dossier accounts for"
# a removed listing: the manifest lists it
cp -R d bad3
chmod -R u+w bad3
rm bad3/evidence/files.tsv
run_fails 1 $CONSTAT verify bad3
expect_in out "FAIL: evidence/files.tsv: listed in manifest.json but missing"
# without the files, no listing (only the hashes travel)
run_ok $CONSTAT dossier --out nofiles
[ ! -e nofiles/evidence/files.tsv ] || fail "a listing without evidence files"
ok
run_ok $CONSTAT verify nofiles

# VERIFY.fr.md: the whole text in French, as long as the English one
[ -f d/VERIFY.fr.md ] || fail "no VERIFY.fr.md"
ok
expect_in d/VERIFY.fr.md "# Vérifier ce dossier"
expect_in d/VERIFY.fr.md "- Organisation : hro"
expect_in d/VERIFY.fr.md "- Sélection : tous les incidents"
expect_in d/VERIFY.fr.md "## Ce que ce dossier prouve"
expect_in d/VERIFY.fr.md "1. **Qui a enregistré chaque incident.**"
expect_in d/VERIFY.fr.md "7. **Que l'organisation a publié exactement cette sélection et ces fichiers.**"
expect_in d/VERIFY.fr.md "## Ce qu'il ne prouve PAS"
expect_in d/VERIFY.fr.md "**Que les faits se sont déroulés comme décrits.**"
expect_in d/VERIFY.fr.md "## Vérifier à la main, avec d'autres outils"
expect_in d/VERIFY.fr.md "**Preuve d'inclusion** (RFC 9162 section 2.1.3.2)"
expect_in d/VERIFY.fr.md "## Témoins"
expect_in d/VERIFY.fr.md "evidence/files.tsv"
expect_not_in d/VERIFY.fr.md "## What this dossier proves"
expect_in d/VERIFY.md "The same text in French is in \`VERIFY.fr.md\`."
en=$(grep -c '^## ' d/VERIFY.md)
fr=$(grep -c '^## ' d/VERIFY.fr.md)
# the English file keeps its short French section; the French one has every other section
expect_eq "$fr" "$((en - 1))" "sections of VERIFY.fr.md"
python3 - <<'PY' || fail "VERIFY.fr.md is not complete"
en = open("d/VERIFY.md", encoding="utf-8").read()
fr = open("d/VERIFY.fr.md", encoding="utf-8").read()
en = en[:en.index("## En français")]
assert len(fr) > 0.9 * len(en), (len(fr), len(en))
PY
ok
# a filtered selection is described in French too
run_ok $CONSTAT dossier --out dc --category eviction
expect_in dc/VERIFY.fr.md "- Sélection : les incidents de la catégorie eviction"
# a changed VERIFY.fr.md fails verify
cp -R d bad4
chmod -R u+w bad4
sed -i 's/Qui a enregistré/Qui a écrit/' bad4/VERIFY.fr.md
run_fails 1 $CONSTAT verify bad4
expect_in out "FAIL: VERIFY.fr.md: SHA-256 is "
echo "t0142: $checks checks"
