#!/bin/sh
# A large report (docs/cli.md "report"): 2,500 generated incidents
# (scripts/gen-incidents) give an index.html without incident rows and the
# list in incidents-1.html .. incidents-3.html of 1,000 each; figure rows
# link at most 5 leaves, to the page listing them. The dossier carrying such
# a report still verifies.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

python3 "$SRC/scripts/gen-incidents" 2500 gen.csv
run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import gen.csv --monitor m1
expect_in out "2500 new record(s) logged at leaves 1..2500"
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out r
expect_in out "report of 2500 incidents"
for k in 1 2 3; do
    [ -s r/incidents-$k.html ] || fail "r/incidents-$k.html missing"
    ok
done
[ ! -e r/incidents-4.html ] || fail "2,500 incidents make 3 pages, not 4"
ok
expect_not_in r/index.html '<tr id="leaf-'
expect_in r/index.html '<a href="incidents-3.html">page 3</a>'
expect_in r/index.html '2001–2500 (500)'
expect_in r/index.html '<a href="incidents-1.html#leaf-1">1</a>'
expect_in r/index.html 'and 2495 more</span>: <a href="figures/incidents_total.csv">'
expect_in r/incidents-2.html '<tr id="leaf-1001">'
expect_in r/incidents-2.html '<tr id="leaf-2000">'
expect_not_in r/incidents-2.html '<tr id="leaf-2001">'
expect_in r/incidents-2.html '<a href="incidents-3.html">page 3 &rarr;</a>'
expect_in r/incidents-3.html '<tr id="leaf-2500">'
# every leaf link of the index points at a page that lists that leaf
python3 - r <<'EOF' || fail "a leaf link of index.html points at the wrong page"
import re, sys
d = sys.argv[1]
html = open(d + "/index.html", encoding="utf-8").read()
pages = {}
for page, leaf in set(re.findall(r'href="(incidents-\d+\.html)#leaf-(\d+)"', html)):
    if page not in pages:
        pages[page] = open(d + "/" + page, encoding="utf-8").read()
    assert '<tr id="leaf-%s">' % leaf in pages[page], (page, leaf)
assert pages, "no leaf links"
EOF
ok
# index.html is small beside the list (measured: docs/cli.md "report")
isz=$(wc -c < r/index.html)
psz=$(cat r/incidents-1.html r/incidents-2.html r/incidents-3.html | wc -c)
[ $((isz * 2)) -lt "$psz" ] || fail "index.html ($isz bytes) should be under half of the pages ($psz)"
ok
# a narrower scope over the same folder: one page, the old pages removed
run_ok $CONSTAT report --out r --from 2013-01-01 --to 2016-12-31
n=$(sed -n 's/^report of \([0-9]*\) incidents.*/\1/p' out)
[ "$n" -le 1000 ] || fail "expected at most 1000 incidents in 2013-2016, got $n"
ok
[ ! -e r/incidents-1.html ] || fail "stale incident pages must be removed"
ok
expect_in r/index.html '<tr id="leaf-'
# the dossier (its report paged too) verifies
run_ok $CONSTAT dossier --out d
[ -s d/report/incidents-3.html ] || fail "the dossier's report is paged"
ok
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
done_ok
