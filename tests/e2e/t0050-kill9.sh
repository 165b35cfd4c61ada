#!/bin/sh
# Crash safety: an import killed with SIGKILL at a random moment leaves the
# vault either as before or with the whole batch, never half; what an earlier
# command acknowledged is still there and everything still verifies.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
run_ok $CONSTAT init --org crash-test --origin test.example/crash/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor m1
run_ok $CONSTAT checkpoint
python3 "$SRC/scripts/gen-incidents" 20000 big.csv
for delay in 0.3 0.8 1.5 2.5; do
    $CONSTAT import big.csv --monitor m1 --quiet >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    run_ok $CONSTAT verify "$T/v"
    run_ok $CONSTAT log --kind incident
    n=$(sed -n 's/^\([0-9]*\) record(s)$/\1/p' err)
    case "$n" in
        170|20170) ok ;;
        *) fail "after kill -9 at ${delay}s the log holds $n incidents: neither before (170) nor after (20170)" ;;
    esac
    run_ok $CONSTAT show HRO-2020-09-29-HOSPITAL
done
done_ok
