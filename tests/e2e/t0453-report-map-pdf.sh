#!/bin/sh
# The report's map of incidents by place (docs/cli.md "report"), worked out
# by hand on a vault of four incidents at two places of Calais; and
# `constat report --pdf`, tested where chromium is installed (skipped, with
# the exit code and message checked, where it is not).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
# place(NAME, LAT_E7, LON_E7, N): an incident at NAME, the N-th of the day
place() {
    cat >"i-$1-$4.json" <<EOF2
{"occurred": {"start": "2026-11-2${4}T07:00:00+01:00", "end": "2026-11-2${4}T08:00:00+01:00", "precision": "minute"},
 "place": {"name": "$1", "commune": "Calais", "country": "France", "lat_e7": $2, "lon_e7": $3},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
EOF2
    run_ok $CONSTAT record "i-$1-$4.json" --monitor m1
}
place Verrotieres 509500000 18500000 1
place Verrotieres 509500000 18500000 2
place Verrotieres 509500000 18500000 3
place Fort-Nieulay 509400000 18000000 4
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out r
h=r/index.html
expect_in $h '<section id="map">'
# all four in the Calais area (50.85..51.05 N, 1.70..2.00 E): equirectangular
# at the middle latitude 50.95 (cos = 0.629953), fitted into 648 x 408:
# x scale 648 / (0.30 * 0.629953) = 3428.8, y scale 408 / 0.20 = 2040: the
# smaller, 2040 px a degree of latitude and 2040 * 0.629953 = 1285.1 a degree
# of longitude. Verrotieres (50.95, 1.85): x = 36 + 0.15 * 1285.1 = 228.8,
# y = 444 - 0.10 * 2040 = 240.0, r = 2.5 + 28 = 30.5 (the largest);
# Fort-Nieulay (50.94, 1.80): x = 36 + 0.10 * 1285.1 = 164.5,
# y = 444 - 0.09 * 2040 = 260.4, r = 2.5 + 28 * sqrt(1/3) = 18.7.
expect_in $h '<circle cx="228.8" cy="240.0" r="30.5"'
expect_in $h '<title>Verrotieres: 3</title>'
expect_in $h '<circle cx="164.5" cy="260.4" r="18.7"'
expect_in $h '<title>Fort-Nieulay: 1</title>'
expect_in $h '>Verrotieres (3)</text>'
[ "$(grep -o '<circle ' $h | wc -l)" -eq 2 ] || fail "two places, two circles"
ok
# a public report lists no incident: no map
run_ok $CONSTAT report --public --out pub
expect_not_in pub/index.html '<section id="map">'

if command -v chromium >/dev/null 2>&1; then
    run_ok $CONSTAT report --out rp --pdf
    expect_in out "printed to rp/report.pdf (headless Chromium)"
    [ "$(head -c 5 rp/report.pdf)" = "%PDF-" ] || fail "rp/report.pdf is not a PDF"
    ok
else
    echo "t0453: chromium is not installed: --pdf checked for its message only (skip)"
    PATH=/usr/bin:/bin run_fails 3 $CONSTAT report --out rp --pdf
    expect_in err "--pdf: chromium is not installed (sh scripts/install-deps pdf installs it): rp/index.html is written, no PDF"
    [ -f rp/index.html ] || fail "the report is written without chromium"
    ok
fi
echo "t0453: $checks checks passed"
