#!/bin/sh
# The report's map when most incidents are outside the Calais area: the map
# of all places on a graticule, then an inset of the Calais area over the
# bundled base map (docs/cli.md "report"); values worked out by hand. The
# demo's incidents (most of them elsewhere) get the inset too.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add alice
paris='{"name": "Paris", "country": "France", "lat_e7": 488500000, "lon_e7": 23500000}'
verrotieres='{"name": "Verrotieres", "country": "France", "lat_e7": 509500000, "lon_e7": 18500000}'
incident 1 "$paris"
incident 2 "$paris"
incident 3 "$paris"
incident 4 "$verrotieres"
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out r
h=r/index.html
# 1 of 4 placed incidents in the Calais area: the main map is the box of all
# places (48.80..51.00 N, 1.80..2.40 E), with no base map
expect_in $h '<section id="map">'
expect_in $h '<title id="map-t">Incidents by place, 48.800..51.000 N, 1.800..2.400 E</title>'
expect_in $h '<section id="map-calais">'
expect_in $h '<title id="map-calais-t">Incidents by place, 50.850..51.050 N, 1.700..2.000 E</title>'
# the inset is the Calais view that t0453 works out by hand (2040 px a
# degree of latitude, 1285.1 of longitude): Verrotieres (50.95 N, 1.85 E)
# at x 228.8, y 240.0; sized on the main map's scale, where Paris counts 3:
# r = 2.5 + 28 * sqrt(1/3) = 18.7. Paris is outside the inset.
python3 - $h <<'PY' || fail "the Calais inset"
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
inset = h[h.index('<section id="map-calais">'):]
inset = inset[:inset.index('</section>')]
assert '<circle cx="228.8" cy="240.0" r="18.7"' in inset, inset[:2000]
assert inset.count("<circle") == 1, inset.count("<circle")
assert "Verrotieres (1)</text>" in inset and "Paris" not in inset
assert "<title>Natural Earth 1:50m</title></polygon>" in inset
assert "Natural Earth" in inset[inset.index("</svg>"):], "the base map is credited under the inset"
main = h[h.index('<section id="map">'):]
main = main[:main.index('</section>')]
assert "Natural Earth 1:50m</title></polygon>" not in main
assert main.count("<circle") == 2
PY
ok
# all in the Calais area: one map, the Calais view itself, no inset
export CONSTAT_DIR="$T/v2"
run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add alice
incident 1 "$verrotieres"
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out r2
expect_not_in r2/index.html 'id="map-calais"'
expect_in r2/index.html '<title id="map-t">Incidents by place, 50.850..51.050 N, 1.700..2.000 E</title>'
# a dossier's report has the same maps and verify renders them again
export CONSTAT_DIR="$T/v"
run_ok $CONSTAT dossier --out d
expect_in d/report/index.html '<section id="map-calais">'
run_ok $CONSTAT verify d

# the demo's incidents: most are outside the Calais area, the inset shows it
export CONSTAT_DIR="$T/demo"
run_ok $CONSTAT init --no-passphrase --org demo --origin demo.example/log
run_ok $CONSTAT monitor add monitor-demo-1
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor monitor-demo-1
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out rd
expect_in rd/index.html '<section id="map-calais">'
python3 - rd/index.html <<'PY' || fail "demo inset"
import sys
h = open(sys.argv[1], encoding="utf-8").read()
inset = h[h.index('<section id="map-calais">'):]
inset = inset[:inset.index('</section>')]
assert inset.count("<circle") >= 1, "the demo's Calais incidents are drawn in the inset"
PY
done_ok
