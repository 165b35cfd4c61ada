#!/bin/sh
# The validation table (our figures beside the published ones,
# docs/indicators.md "Validation against published figures") in a dossier's
# report: the dossier holds the published figures it was made from
# (published_figures.csv, in the signed manifest) and verify makes the table
# again from them and the leaves. Values worked out by hand.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
# three evictions in Calais in April 2020
for n in 1 2 3; do
    cat > e$n.json <<JSON
{"occurred": {"start": "2020-04-0${n}T07:40:00+02:00", "end": "2020-04-0${n}T08:00:00+02:00",
              "precision": "minute"},
 "place": {"name": "Calais", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
    run_ok $CONSTAT record e$n.json --monitor alice
done
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d
cmp -s d/published_figures.csv "$SRC/data/demo/published_figures.csv" || fail "the published figures are not the bundled ones"
grep -q '"published_figures.csv"' d/manifest.json || fail "published_figures.csv is not in the manifest"
# Human Rights Observers published 90 evictions in Calais in 2020-04: ours
# are 3, 3 / 90 = 3.3 %; in 2020 they published 967: 3 / 967 = 0.3 %
expect_in d/report/index.html '<tr><td>2020-04</td><td>Calais</td><td>evictions of informal living sites <code>eviction</code></td><td class="n">90 evictions</td><td class="n">3</td><td class="n">3.3 %</td></tr>'
expect_in d/report/index.html '<td class="n">967 evictions</td><td class="n">3</td><td class="n">0.3 %</td>'
# the same table as the full report's
run_ok $CONSTAT report --out r
python3 - r/index.html d/report/index.html <<'PY' || fail "the dossier's table differs from the report's"
import sys
def table(p):
    h = open(p, encoding="utf-8").read()
    i = h.index('<section id="validation">')
    return h[i:h.index("</section>", i)]
assert table(sys.argv[1]) == table(sys.argv[2])
PY
run_ok $CONSTAT verify d
expect_in out "VERIFIED"

# the published figure changed (90 -> 30) and the manifest re-signed: the
# table made again says 10.0 %, the page says 3.3 %
cp -r d bad
sed -i 's/,2020-04,Calais,evictions of informal living sites,90,/,2020-04,Calais,evictions of informal living sites,30,/' bad/published_figures.csv
grep -q ',30,evictions' bad/published_figures.csv || fail "the edit did not apply"
resign_dossier bad "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify bad
expect_in out "manifest: signed by the organisation key"
expect_in out "FAIL: report/index.html"

# a published figures file that is not one: named
cp -r d broken
printf 'not,a,csv\n' > broken/published_figures.csv
resign_dossier broken "$T/v/keys/org.key"
run_fails 1 $CONSTAT verify broken
expect_in out "FAIL: published_figures.csv: the validation table cannot be made again"

# incidents no published figure covers: no table, no file
export CONSTAT_DIR="$T/v2"
run_ok $CONSTAT init --no-passphrase --org o-test --origin t2.example/log
run_ok $CONSTAT monitor add alice
incident 1 '{"name": "Somewhere", "commune": "Nowhere"}'
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d2
[ ! -e d2/published_figures.csv ] || fail "a dossier with no covered figure holds the published figures"
expect_not_in d2/report/index.html 'id="validation"'
run_ok $CONSTAT verify d2
done_ok
