#!/bin/sh
# The main job on the bundled real data: import the 170 published incidents,
# re-import (nothing added), report, dossier, and verification with pinned keys.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
csv="$SRC/data/demo/incidents_public.csv"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
expect_in err "NOT sealed"
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$csv" --monitor m1
expect_in out "170 rows read, 170 records signed by m1"
expect_in out "170 new record(s) logged at leaves 1..170"
before=$(vault_digest v)
run_ok $CONSTAT import "$csv" --monitor m1
expect_in out "170 record(s) already in the log"
expect_not_in out "new record"
expect_eq "$(vault_digest v)" "$before" "re-import leaves the vault unchanged"
run_ok $CONSTAT log --kind incident
expect_in err "170 record(s)"
run_ok $CONSTAT log --place calais --from 2020-01-01
expect_in out "HRO-"
run_ok $CONSTAT show AYS-NNK-2018-07-11 --json
expect_in out "\"type\": \"publication\""
# a report cites a signed checkpoint and never signs one itself
run_fails 2 $CONSTAT report --out report
expect_in err "no signed checkpoint yet"
# the vault is at fault, not the report folder that was never written
expect_in err "constat: report: "
expect_not_in err "constat: report: report:"
[ ! -e report ] || fail "a refused report must write nothing"
ok
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out report
expect_in report/index.html "<svg"
expect_in report/index.html "lang=\"fr\""
[ -s report/figures.json ] || fail "figures.json missing"
ok
run_ok $CONSTAT dossier --out d
expect_in out "171 records (170 incidents, 1 monitor enrolment)"
run_ok $CONSTAT keys
cp out trust.txt
run_ok $CONSTAT verify d --trust trust.txt
expect_in out "VERIFIED"
expect_in out "pinned by --trust and matched"
run_ok $CONSTAT verify d
expect_in out "taken from the dossier itself"
run_ok $CONSTAT dossier --out d2 --place calais --category eviction
run_ok $CONSTAT verify d2 --trust trust.txt
run_ok $CONSTAT verify "$T/v"
# a key the verifier trusts that is not the dossier's: refused
run_ok $CONSTAT init --no-passphrase --org other-org --origin test.example/other/log --dir other
run_ok $CONSTAT keys --dir other
cp out other-trust.txt
run_fails 1 $CONSTAT verify d --trust other-trust.txt
expect_in out "FAIL"
done_ok
