#!/bin/sh
# The report a reader sees is the report that verifies (docs/dossier.md
# "The report is rendered again"): the same vault gives the same report
# bytes whatever the time zone, locale or run; a dossier's report/ is
# rendered again by `constat verify`, which passes on the untouched dossier
# and names the file and line of a rewritten page or CSV.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor m1
run_ok $CONSTAT checkpoint

# same input, same bytes: another zone, another locale, another run
run_ok $CONSTAT report --out r1
TZ=Pacific/Chatham LC_ALL=fr_FR.UTF-8 LANG=fr_FR.UTF-8 run_ok $CONSTAT report --out r2
run_ok $CONSTAT report --out r3
diff -r r1 r2 >/dev/null || fail "the report differs between time zones or locales"
diff -r r1 r3 >/dev/null || fail "two runs of the report differ"
ok
[ "$(find r1 -type f | wc -l)" -ge 10 ] || fail "expected index.html, figures.json, CSVs in r1"

# the dossier: verify renders report/ again
run_ok $CONSTAT dossier --out D --from 2018-07-01 --to 2018-12-31
run_ok $CONSTAT verify D
expect_not_in out "FAIL"
grep -qE '"generated_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z"' D/manifest.json || fail "manifest.json states when the report was generated"
ok

# a number rewritten in the page: the manifest's hash no longer matches,
# and the page no longer matches the figures (both said)
cp -r D Dh
python3 - Dh/report/index.html <<'PY'
import re, sys
p = sys.argv[1]
s = open(p, encoding='utf-8').read()
s2 = re.sub(r'(counted</span></dt><dd>)(\d+)(</dd>)', lambda m: m.group(1) + str(int(m.group(2)) + 1) + m.group(3), s, count=1)
assert s2 != s
open(p, 'w', encoding='utf-8').write(s2)
PY
run_fails 1 $CONSTAT verify Dh
expect_in out "FAIL: report/index.html: SHA-256 is"
expect_in out "FAIL: report/index.html: line 19, byte "
expect_in out "differs from the report rendered from the verified figures"

# a CSV cell rewritten
cp -r D Dc
sed -i '2s/^\([0-9]*\),/9\1,/' Dc/report/figures/incidents_total.csv
run_fails 1 $CONSTAT verify Dc
expect_in out "FAIL: report/figures/incidents_total.csv: line 2, byte 1 differs"

# the report removed from a copy: its files are missing (the manifest lists them)
cp -r D Dr
rm Dr/report/incidents.csv
run_fails 1 $CONSTAT verify Dr
expect_in out "FAIL: report/incidents.csv: missing"
echo "t0450: $checks checks passed"
