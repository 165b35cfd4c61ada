#!/bin/sh
# --place selects on the place's name, commune and site, accents and case
# aside (docs/dossier.md "Selection"), the same for `log` and `dossier`; a
# selection of no incident is an error that writes nothing.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log
run_ok $CONSTAT monitor add alice

# incident N PLACE (lib.sh)
incident 1 '{"name": "Rue des Verrotières living site", "commune": "Calais", "country": "France"}'
incident 2 '{"site": "hangar-bmx", "name": "Hangar", "commune": "Coquelles", "country": "France"}'
incident 3 '{"name": "ÉVACUATION du camp de l’Œuvre", "commune": "Loon-Plage", "country": "France"}'
incident 4 '{"site": "Straße 7", "commune": "Grande-Synthe", "country": "France"}'
incident 5 '{"name": "مخيم الغابة", "commune": "Dunkerque", "country": "France"}'

# place P selects exactly the summaries S... (one line each)
selects() {
    p=$1
    shift
    run_ok $CONSTAT log --kind incident --place "$p" --json
    got=$(python3 -c 'import json,sys; print("".join(i["record"]["summary"] + " " for i in json.load(open(sys.argv[1]))["items"]), end="")' out)
    expect_eq "$got" "$*" "--place $p"
}
# the commune: "Calais" was only ever found inside a name before
selects calais "incident 1 "
selects "coquelles" "incident 2 "
selects "COQUELLES" "incident 2 "
# the site
selects bmx "incident 2 "
selects strasse "incident 4 "
selects "STRASSE 7" "incident 4 "
# accents and case folded on both sides
selects "éVACUATION" "incident 3 "
selects "evacuation" "incident 3 "
selects "ÉVACUATION" "incident 3 "
selects "oeuvre" "incident 3 "
selects "verrotieres" "incident 1 "
selects "VERROTIÈRES" "incident 1 "
# Arabic as written
selects "الغابة" "incident 5 "
# a common substring selects several
selects "grande" "incident 4 "
selects "e" "incident 1 incident 2 incident 3 incident 4 incident 5 "
selects "lille" ""
run_ok $CONSTAT log --place "Lille"
expect_in err "0 record(s)"
run_ok $CONSTAT log --place "calais"
expect_in err "1 record(s)"

# the dossier selects the same way, and its verifier agrees
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d --place "COQUELLES"
expect_in out "2 records (1 incident, 1 monitor enrolment)"
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
expect_in d/manifest.json '"place":"COQUELLES"'
expect_in d/records.jsonl '"commune":"Coquelles"'
expect_not_in d/records.jsonl '"commune":"Calais"'
run_ok $CONSTAT dossier --out d2 --place "evacuation"
expect_in out "2 records (1 incident, 1 monitor enrolment)"
expect_in d2/records.jsonl '"summary":"incident 3"'

# an empty selection: non-zero, the message names the filters, nothing written
before=$(vault_digest v)
run_fails 2 $CONSTAT dossier --out e --place lille-lesquin --from 2026-11-21
expect_in err "no incident matches the selection"
expect_in err "from 2026-11-21 to the end"
expect_in err 'containing "lille-lesquin"'
expect_in err "no dossier written"
[ ! -e e ] || fail "an empty selection must not leave a folder"
ok
ls -d e.tmp-* >/dev/null 2>&1 && fail "temporary folder left behind"
ok
run_fails 2 $CONSTAT dossier --out e --category arrest
expect_in err "in category arrest"
[ ! -e e ] || fail "an empty selection must not leave a folder"
ok
mkdir e
run_fails 2 $CONSTAT dossier --out e --from 2027-01-01
expect_eq "$(ls -A e)" "" "an existing empty folder stays empty"
expect_eq "$(vault_digest v)" "$before" "vault unchanged by refused dossiers"
done_ok
