#!/bin/sh
# The report a reader opens (docs/cli.md "report"): on the bundled demo data,
# the summary comes before any cryptographic text, the scope flags
# (--country --commune --from --to) select what the figures count, source
# URLs are links, ids do not wrap, day-only dates show no midnight, and bad
# scope values are refused with nothing written.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
csv="$SRC/data/demo/incidents_public.csv"

# transports FIGURES.JSON: the incidents_by_category row transport_to_station
transports() {
    python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
for g in f["figures"]:
    if g["id"] == "incidents_by_category":
        print(sum(r["value"] for r in g["rows"] if r["key"] == ["transport_to_station"]))' "$1"
}
# line FILE TEXT: the first line number of FILE holding TEXT
line() {
    grep -nF -- "$2" "$1" | head -1 | cut -d: -f1
}

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$csv" --monitor m1
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out all
expect_in out "report of 170 incidents"
h=all/index.html

# the summary first, the checkpoint text in "How to verify" at the end
s=$(line $h '<section id="summary">')
v=$(line $h '<section id="verify">')
p=$(line $h '<pre>test.example/obs/log')
f=$(line $h '<section id="fig-')
[ -n "$s" ] && [ -n "$v" ] && [ -n "$p" ] && [ -n "$f" ] || fail "a section is missing in $h"
[ "$s" -lt "$f" ] && [ "$f" -lt "$v" ] && [ "$v" -lt "$p" ] ||
    fail "expected summary ($s) < figures ($f) < How to verify ($v) < checkpoint ($p)"
ok
expect_in $h "How to verify"
expect_in $h "tous les incidents du journal"
expect_in $h "from 2013-09-05 to"

# links, nowrap, a day-only date (no time in the import file: day precision)
expect_in $h '<a href="https://fr.squat.net/2014/05/26/calais-expulsions-annoncees-ou-en-est-on/" rel="noopener noreferrer">'
expect_in $h 'td.id,td.date{white-space:nowrap'
expect_in $h '<td class="id">SQUAT-2013-09-05-MOURON</td><td class="date">2013-09-05</td>'
expect_not_in $h '<td class="date">2013-09-05T00:00:00'
expect_in $h '<meta name="viewport" content="width=device-width, initial-scale=1">'
expect_in $h 'font-size="12"'
expect_not_in $h 'font-size="11"'

# the demo's 48 transports are 1 in France
all_t=$(transports all/figures.json)
expect_eq "$all_t" 48 "transports over all incidents"
run_ok $CONSTAT report --out fr --country FR
expect_in out "report of 49 incidents"
fr_t=$(transports fr/figures.json)
expect_eq "$fr_t" 1 "transports in France"
[ "$fr_t" -lt "$all_t" ] || fail "--country FR must count fewer transports than no scope"
ok
expect_in fr/index.html "incidents du pays France (FR)"
expect_in fr/index.html "incidents in France (FR)"
expect_not_in fr/index.html "(Croatia)</td>"
python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))
tot = [g for g in f["figures"] if g["id"] == "incidents_by_country"][0]["rows"]
assert [r["key"] for r in tot] == [["France"]], tot' fr/figures.json || fail "by_country of --country FR"
ok

# country, commune and period together
run_ok $CONSTAT report --out calais --country FR --commune Calais --from 2020-01-01 --to 2024-12-31
expect_in out "report of 24 incidents"
expect_in calais/index.html "incidents in France (FR), in commune Calais, that occurred (local date) from 2020-01-01 to 2024-12-31"
expect_in calais/index.html "de la commune Calais, survenus (date locale) du 2020-01-01 au 2024-12-31"
expect_not_in calais/index.html '<td class="date">2019-'

# bad values: exit 2, named, nothing written
before=$(vault_digest v)
run_fails 2 $CONSTAT report --out bad --country XX
expect_in err "--country: XX is not in the gazetteer"
run_fails 2 $CONSTAT report --out bad --country France
expect_in err "not an ISO 3166-1 alpha-2 code"
run_fails 2 $CONSTAT report --out bad --from 2020-02-30
expect_in err "--from: not a date of the form YYYY-MM-DD"
run_fails 2 $CONSTAT report --out bad --from 2021-01-01 --to 2020-01-01
expect_in err "after"
run_fails 2 $CONSTAT report --out bad --commune ""
expect_in err "--commune"
run_fails 2 $CONSTAT report --out bad --country FR --commune Nowhere
expect_in err "is in the selection: incidents in France (FR), in commune Nowhere"
[ ! -e bad ] || fail "a refused report must write nothing"
ok
expect_eq "$(vault_digest v)" "$before" "a refused report leaves the vault unchanged"

# the dossier's report has the same layout and still verifies
run_ok $CONSTAT dossier --out d
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
expect_in d/report/index.html '<section id="summary">'
done_ok
