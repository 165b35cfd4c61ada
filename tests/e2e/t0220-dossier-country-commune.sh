#!/bin/sh
# `dossier --country CC --commune NAME` select as `report --country/--commune`
# do (docs/dossier.md "Selection"): the manifest's filter records the
# country's English name and the commune as typed, the verifier checks every
# incident against them, and a selection of no incident is an error that
# writes nothing.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log
run_ok $CONSTAT monitor add alice

# incident N PLACE (lib.sh)
incident 1 '{"name": "Rue des Verrotières", "commune": "Calais", "country": "France"}'
incident 2 '{"name": "Hangar", "commune": "Coquelles", "country": "France"}'
# no commune member: the commune is found in the place name (imported rows)
incident 3 '{"name": "Squat on rue Mouron, CALAIS", "country": "France"}'
incident 4 '{"name": "Bihać station", "commune": "Bihać", "country": "Bosnia and Herzegovina"}'
incident 5 '{"name": "Parc", "commune": "Calais", "country": "Italy"}'
run_ok $CONSTAT checkpoint

# summaries of the incidents in dossier D, in leaf order
summaries() {
    python3 -c 'import json,sys
print(" ".join(json.loads(l)["record"]["summary"] for l in open(sys.argv[1])
               if "summary" in json.loads(l)["record"]))' "$1/records.jsonl"
}

run_ok $CONSTAT dossier --out fr --country FR
expect_in out "4 records (3 incidents, 1 monitor enrolment)"
expect_eq "$(summaries fr)" "incident 1 incident 2 incident 3" "--country FR"
expect_in fr/manifest.json '"country":"France"'
expect_not_in fr/manifest.json '"commune"'
run_ok $CONSTAT verify fr
expect_in out "VERIFIED"
expect_in out "records: 4 (3 incidents, 1 monitor enrolment)"

# commune: accents and case aside; the name when there is no commune member
run_ok $CONSTAT dossier --out calais --country FR --commune calais
expect_in out "3 records (2 incidents, 1 monitor enrolment)"
expect_eq "$(summaries calais)" "incident 1 incident 3" "--country FR --commune calais"
expect_in calais/manifest.json '"country":"France"'
expect_in calais/manifest.json '"commune":"calais"'
expect_in calais/VERIFY.md "in commune calais"
run_ok $CONSTAT verify calais
expect_in out "VERIFIED"
run_ok $CONSTAT dossier --out bihac --commune BIHAC
expect_eq "$(summaries bihac)" "incident 4" "--commune BIHAC"
run_ok $CONSTAT dossier --out calais-any --commune Calais
expect_eq "$(summaries calais-any)" "incident 1 incident 3 incident 5" "--commune Calais"
run_ok $CONSTAT dossier --out ba --country BA
expect_in out "2 records (1 incident, 1 monitor enrolment)"
expect_in ba/manifest.json '"country":"Bosnia and Herzegovina"'

# the verifier holds the incidents to the filter: one who widens it in the
# manifest breaks its signature, one who narrows it is told which leaves
# fall outside
python3 - calais/manifest.json <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
assert '"commune":"calais"' in s
open(p, "w", encoding="utf-8").write(s.replace('"commune":"calais"', '"commune":"Coquelles"'))
PY
run_fails 1 $CONSTAT verify calais
expect_in out "incident does not match the filter stated in manifest.json"
# the manifest signature, the two incidents outside the narrowed filter, and
# the report whose scope line no longer matches the one rendered from it
expect_in out "report/index.html: line 17"
expect_in out "NOT VERIFIED: 4 failure(s)"

# bad flags and an empty selection: exit 2, nothing written, vault unchanged
before=$(vault_digest v)
run_fails 2 $CONSTAT dossier --out bad --country XX
expect_in err "--country: XX is not in the gazetteer"
run_fails 2 $CONSTAT dossier --out bad --country France
expect_in err "is not an ISO 3166-1 alpha-2 code"
run_fails 2 $CONSTAT dossier --out bad --commune ""
expect_in err "commune"
run_fails 2 $CONSTAT dossier --out bad --country FR --commune Bihać
expect_in err "no incident matches the selection"
expect_in err "in country France"
expect_in err "in commune Bihać"
expect_in err "no dossier written"
run_fails 2 $CONSTAT dossier --out bad --country RO
expect_in err "no incident matches the selection"
[ ! -e bad ] || fail "a refused dossier must not leave a folder"
ok
expect_eq "$(vault_digest v)" "$before" "vault unchanged by refused dossiers"

# the help names both flags
run_ok $CONSTAT dossier --help
expect_in out "--country CC"
expect_in out "--commune NAME"
done_ok
