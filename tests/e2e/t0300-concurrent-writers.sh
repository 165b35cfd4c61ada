#!/bin/sh
# Four writer processes append to one log at once (on PostgreSQL in the pg/
# run of the suite, several processes on one database; on vault.db
# otherwise): every acknowledged record is in the one log exactly once, the
# log verifies, and every checkpoint a writer was given is a prefix of the
# final tree (its root is the final tree's root at its size), so each is
# consistent with the one before it. No fork: one sequencer (store.h begin).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
run_ok $CONSTAT init --no-passphrase --org conc-test --origin test.example/conc/log
run_ok $CONSTAT monitor add m0
writers="1 2 3 4"
per=12

# writer K: enrols wK-1 .. wK-$per, one process each, and asks for a
# checkpoint after every third; acknowledged names in acked.K, checkpoints
# (size root) in cps.K, refusals in errs.K
writer() {
    i=1
    while [ "$i" -le "$per" ]; do
        if $CONSTAT monitor add "w$1-$i" >"out.$1" 2>>"errs.$1"; then
            echo "w$1-$i" >>"acked.$1"
        fi
        if [ $((i % 3)) -eq 0 ] && $CONSTAT checkpoint >"cp.$1" 2>>"errs.$1"; then
            echo "$(sed -n 2p "cp.$1") $(sed -n 3p "cp.$1")" >>"cps.$1"
        fi
        i=$((i + 1))
    done
}
pids=""
for k in $writers; do
    : >"acked.$k"
    : >"cps.$k"
    : >"errs.$k"
    writer "$k" &
    pids="$pids $!"
done
for p in $pids; do wait "$p"; done

# no writer was refused: the sequencer queues them, it does not fail them
for k in $writers; do
    [ ! -s "errs.$k" ] || { cat "errs.$k" >&2; fail "writer $k was refused"; }
done
cat acked.1 acked.2 acked.3 acked.4 | sort >acked
expect_eq "$(wc -l <acked | tr -d ' ')" $((4 * per)) "acknowledged enrolments"

# every acknowledged record is in the log exactly once, and nothing else
run_ok $CONSTAT log --kind monitor_enrolment
sed -n 's/.*enrol:\([^ ]*\).*/\1/p' out | grep -v '^m0$' | sort >logged
expect_eq "$(uniq -d logged | wc -l | tr -d ' ')" 0 "records logged twice"
cmp -s acked logged || { diff acked logged >&2; fail "the log and the acknowledged records differ"; }
ok
expect_in err "$((4 * per + 1)) record(s)"
# dense leaf indices 0..48: one log, no fork
run_ok $CONSTAT log
awk '{print $1}' out | grep -E '^[0-9]+$' >idx
seq 0 $((4 * per)) >want
cmp -s idx want || fail "leaf indices are not 0..$((4 * per))"
ok

run_ok $CONSTAT verify "$T/v"
expect_in out "every leaf, tile, checkpoint and signature verified"

# every checkpoint handed out is a prefix of the final tree
cat cps.1 cps.2 cps.3 cps.4 | sort -n -u >cps
[ "$(wc -l <cps)" -ge 4 ] || fail "too few checkpoints: $(cat cps)"
while read -r size root; do
    run_ok $CONSTAT prove inclusion 0 --size "$size"
    expect_in out "root $root"
done <cps
# and checkpoints of one size agree (the same size never got two roots)
expect_eq "$(awk '{print $1}' cps | uniq -d | wc -l | tr -d ' ')" 0 "sizes with two roots"
done_ok
