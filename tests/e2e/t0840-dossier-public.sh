#!/bin/sh
# constat dossier --public: a dossier whose leaves are fit to publish, with
# the public report of the same records under public/; constat verify
# recounts every public figure from the leaves, suppresses again with the
# declared k, and finds every snapped site among the logged register entries
# (docs/dossier.md "Public dossier"). Tampering by the organisation itself
# (re-signed manifest) is caught; a leaf with an exact position at a living
# site is refused.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
# living_site SLUG NAME LAT_E7 LON_E7: a living site entry in the registers
living_site() {
    printf '{"entries": [{"id": "reg:living_site:%s", "register": "living_site", "name": "%s", "commune": "Calais", "zone": "Europe/Paris", "position": {"lat_e7": %s, "lon_e7": %s}, "source": {"note": "test entry"}}]}\n' "$1" "$2" "$3" "$4" > "reg-$1.json"
    run_ok $CONSTAT register add "reg-$1.json"
}
# a living site on the 0.01 degree grid, so that coarse positions land on it
living_site dunes-test "Dunes site" 509600000 18500000
# inc N DAY LAT LON PRECISION
inc() {
    cat > p$1.json <<JSON
{"occurred": {"start": "2026-$2T07:40:00+01:00", "end": "2026-$2T08:00:00+01:00",
              "precision": "minute"}, "location_precision": "$5",
 "place": {"name": "spot $1", "lat_e7": $3, "lon_e7": $4},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
    run_ok $CONSTAT record p$1.json --monitor alice
}
# six evictions in November at the site, recorded coarse: 50.96012 N
# 1.85012 E rounds to 50.96 N 1.85 E, the site itself (0 m: snapped to it)
for n in 1 2 3 4 5 6; do inc $n 11-0${n} 50960123$n 1850123$n coarse; done
# two in October, exact, 3.4 km south-west at Coquelles: far from any living
# site, so allowed exact; their 500 m cell counts 2 < k: withheld
inc 7 10-01 509301234 18105678 exact
inc 8 10-02 509301234 18105678 exact
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --public --out d
expect_in out "public dossier: public/ holds the public report (k = 5)"
for f in public/figures.json public/index.html public/meta.json public/taxonomy.json public/keys/log.vkey; do
    [ -f d/$f ] || fail "d/$f missing"
    grep -q "\"$f\"" d/manifest.json || fail "$f not in the signed manifest"
done
ok
# the coarse leaves carry no exact position: 50.960123N is in no file
if grep -rq 5096012 d; then fail "an exact position is in the public dossier"; fi
python3 - d/public/figures.json <<'PY' || fail "public figures"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["disclosure"]["k"] == 5, p["disclosure"]
pos = p["positions"]
rows = [(r.get("site"), r["lat_e7"], r["lon_e7"], r["value"]) for r in pos["rows"]]
# 6 at the site; the Coquelles cell (2 incidents) withheld whole
assert rows == [("Dunes site", 509600000, 18500000, 6)], rows
assert pos["suppressed"] == 1, pos
assert [s["name"] for s in pos["sites"]] == ["Dunes site"], pos["sites"]
m = [f for f in p["figures"] if f["id"] == "incidents_by_month"][0]
shown = {tuple(r["key"]): r["value"] for r in m["rows"]}
supp = {tuple(s["key"]): s["rule"] for s in m["suppressed"]}
# October counts 2 (< 5): primary; November's 6 alone beside it would give
# it away from the total of 8: a secondary suppression hides one of them
assert supp.get(("2026-10",)) == "primary", (supp, shown)
assert ("2026-10",) not in shown, shown
assert "secondary" in supp.values(), (supp, shown)
PY
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
run_ok $CONSTAT verify d --json
python3 - out <<'PY' || fail "verify --json of a public dossier"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["ok"] is True and r["checks_failed"] == 0, r
PY

# a plain dossier of the same vault holds no public/
run_ok $CONSTAT dossier --out plain
[ ! -e plain/public ] || fail "a plain dossier has public/"
ok

# forged: the organisation puts in public/ a public report of a later state
# (one more eviction at the site, one more site) and re-signs the manifest.
# The public report verifies on its own; against the leaves it does not.
living_site other-test "Other site" 509700000 18700000
inc 9 11-09 509601239 18501239 coarse
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --public --out later
run_ok $CONSTAT verify later
cp -r d forged
rm -rf forged/public
cp -r later forged/public
resign_dossier forged "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify forged
expect_in out "manifest: signed by the organisation key"
expect_in out "FAIL: public/figures.json: incidents_total: differs from the figure recounted from the leaves and suppressed again with k = 5"
expect_in out "FAIL: public/figures.json: positions: differs from the figure recounted"
expect_in out "FAIL: public/figures.json: positions.sites[1] \"Other site\" at (509700000, 18700000): no register entry of the dossier's log has this name at this position"
expect_not_in out "FAIL: public/index.html"
expect_in out "FAIL: public/meta.json: field \"checkpoint\": not the dossier's checkpoint, byte for byte"

# forged: the declared k lowered to 2 and the page rendered to match: the
# recount under k = 2 shows October's 2, which the claimed figures hide
cp -r d lowk
rm -rf lowk/public
run_ok $CONSTAT report --public --k 2 --out lowk-pub
cp -r lowk-pub lowk/public
resign_dossier lowk "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify lowk
expect_in out "differs from the figure recounted from the leaves and suppressed again with k = 2"

# public/ removed and the manifest re-signed: a plain dossier, which is what
# it then claims to be (no public figure is vouched for)
cp -r d nopub
rm -rf nopub/public
resign_dossier nopub "$T/v/keys/org.key"
run_ok $CONSTAT verify nopub
expect_not_in out "public/"

# public/figures.json alone removed and the manifest re-signed: the pages
# left under public/ still make it a public dossier, one missing its figures
cp -r d nofig
rm nofig/public/figures.json
resign_dossier nofig "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify nofig
expect_in out "FAIL: public/figures.json: missing"

# a page added under public/ (listed and signed): no check vouches for it
cp -r d extra
printf '<p>47 evictions</p>\n' >extra/public/summary.html
resign_dossier extra "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify extra
expect_in out "FAIL: public/summary.html: is not part of the report rendered from the verified figures"

# public/ labelled with a taxonomy of its own, or carrying another log key:
# the public report inside a dossier shows the dossier's own
cp -r d tax
python3 - tax/public/taxonomy.json <<'PY'
import sys
p = sys.argv[1]
open(p, "ab").write(b"\n")
PY
resign_dossier tax "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify tax
expect_in out "FAIL: public/taxonomy.json: not the dossier's taxonomy.json, byte for byte"
cp -r d lkey
python3 - lkey/public/keys/log.vkey <<'PY'
import base64, sys
p = sys.argv[1]
name, kid_key = open(p).read().strip().split("+", 1)
kid, key = kid_key.split("+", 1)
raw = bytearray(base64.b64decode(key))
raw[-1] ^= 1
open(p, "w").write("%s+%s+%s\n" % (name, kid, base64.b64encode(bytes(raw)).decode()))
PY
resign_dossier lkey "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify lkey
expect_in out "FAIL: public/keys/log.vkey: not the dossier's keys/log.vkey, byte for byte"

# an exact position 40 m from the living site: refused before writing
inc 10 11-10 509603600 18500000 exact
run_ok $CONSTAT checkpoint
run_fails 2 $CONSTAT dossier --public --out refused
expect_in err "holds an exact position within 300 m of the living site \"Dunes site\""
expect_in err "nothing written"
[ ! -e refused ] || fail "a refused public dossier left a folder"
ok
# an insider adds public/ to a dossier of those leaves: verify names the leaf
run_ok $CONSTAT dossier --out withexact
cp -r d/public withexact/public
resign_dossier withexact "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify withexact
expect_in out "FAIL: records.jsonl: leaf 12 holds an exact position within 300 m of the living site \"Dunes site\": a public dossier must not publish it"
run_fails 2 $CONSTAT dossier --k 1 --out k1
expect_in err "--k: \"1\" is not an integer from 2 to 1000"

# the demo: the Calais registers and the published incidents (source.type
# publication: their positions were published by their sources, so they may
# stay exact); the public report carries no validation table, the full one does
export CONSTAT_DIR="$T/demo"
run_ok $CONSTAT init --no-passphrase --org demo --origin demo.example/log
run_ok $CONSTAT monitor add monitor-demo-1
run_ok $CONSTAT register add "$SRC/data/registers/calais.json"
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor monitor-demo-1
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --public --out demo-d
run_ok $CONSTAT verify demo-d
expect_in out "VERIFIED"
expect_in demo-d/report/index.html '<section id="validation">'
expect_not_in demo-d/public/index.html '<section id="validation">'
done_ok
