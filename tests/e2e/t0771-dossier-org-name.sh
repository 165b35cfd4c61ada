#!/bin/sh
# The organisation's display name (init --org-name, any UTF-8) in dossiers:
# the signed manifest carries it as org_name, the dossier's report shows
# "DISPLAY (KEY)" like `constat report`, and `constat verify` prints it and
# renders the report with it; a changed display name breaks the manifest
# signature and the report comparison (docs/dossier.md).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org-name "Auberge des migrants — Calais" --org auberge \
    --origin auberge.example/log
run_ok $CONSTAT monitor add alice
incident 1 '{"name": "Calais"}'
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d
expect_in d/manifest.json '"org":"auberge"'
expect_in d/manifest.json '"org_name":"Auberge des migrants — Calais"'
expect_in d/report/index.html "Auberge des migrants — Calais (auberge)"
run_ok $CONSTAT verify d
expect_in out "organisation:     Auberge des migrants — Calais"
expect_in out "VERIFIED"
run_ok $CONSTAT verify d --json
expect_in out '"org_name": "Auberge des migrants — Calais"'
ok

# the display name changed in the manifest: its signature and the report fail
cp -r d bad
sed -i 's/Auberge des migrants — Calais/Auberge des migrants — Dunkerque/' bad/manifest.json
run_fails 1 $CONSTAT verify bad
expect_in out "FAIL: manifest.sig: signature does not verify"
expect_in out 'the figures give "...uberge des migrants — Dunkerque (auberge)</title>"'
# an org_name with a bidirectional override is refused by name
cp -r d bidi
python3 - bidi/manifest.json <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read().replace("Auberge des migrants — Calais", "Auberge \u202eevil")
open(p, "w", encoding="utf-8").write(s)
PY
run_fails 1 $CONSTAT verify bidi
expect_in out "FAIL: manifest.json: org_name: "
expect_in out "U+202E"

# without a display name the manifest has no org_name and verify prints none
export CONSTAT_DIR="$T/v2"
run_ok $CONSTAT init --no-passphrase --org plain --origin plain.example/log
run_ok $CONSTAT monitor add alice
incident 1 '{"name": "Calais"}'
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d2
expect_not_in d2/manifest.json "org_name"
run_ok $CONSTAT verify d2
expect_not_in out "organisation:     "
done_ok
