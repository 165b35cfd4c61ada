#!/bin/sh
# Faults under load on a PostgreSQL store, on a cluster of the test's own
# (tests/pg/cluster, so restarting it disturbs no other test): four writers
# append while one writer is killed with SIGKILL mid-command and then the
# server is restarted (immediate shutdown: a crash, recovered from its WAL).
# Not one acknowledged record is lost, the log verifies, every refusal is a
# clear one-line error, and the writers carry on once the server is back.
# Bounded: about five seconds of load.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
command -v psql >/dev/null || fail "psql missing: scripts/install-deps test installs postgresql"
pgstate="$T/pg"
trap 'sh "$SRC/tests/pg/cluster" stop "$pgstate" >/dev/null 2>&1; rm -rf "$T"' EXIT
sh "$SRC/tests/pg/cluster" start "$pgstate"
CONSTAT_STORE=$(cat "$pgstate/url")
export CONSTAT_STORE
export CONSTAT_DIR="$T/v"
run_ok $CONSTAT init --no-passphrase --org fault-test --origin test.example/fault/log
on_pg v || fail "the vault is not on PostgreSQL"
run_ok $CONSTAT monitor add m0

# writer K: enrols wK-1, wK-2, ... until ./stop exists, each in its own
# process whose pid is in cur.K; an exit 0 is an acknowledgement (acked.K),
# anything else a refusal (its exit code in codes.K, stderr in errs.K)
writer() {
    i=1
    while [ ! -f stop ]; do
        $CONSTAT monitor add "w$1-$i" >/dev/null 2>"err.$1" &
        echo $! >"cur.$1"
        if wait $!; then
            echo "w$1-$i" >>"acked.$1"
        else
            echo "$?" >>"codes.$1"
            cat "err.$1" >>"errs.$1"
        fi
        i=$((i + 1))
    done
}
pids=""
for k in 1 2 3 4; do
    : >"acked.$k"; : >"codes.$k"; : >"errs.$k"
    writer "$k" &
    pids="$pids $!"
done
sleep 0.7
# SIGKILL writer 1's command in flight (it may hold the sequencer's lock)
kill -9 "$(cat cur.1)" 2>/dev/null || true
sleep 0.7
# crash and restart the server under load
sh "$SRC/tests/pg/cluster" restart --immediate "$pgstate"
sleep 1.2
touch stop
for p in $pids; do wait "$p"; done

cat acked.1 acked.2 acked.3 acked.4 | sort >acked
n=$(wc -l <acked | tr -d ' ')
[ "$n" -ge 20 ] || fail "only $n acknowledged records under load"
ok
# the killed command shows as 137 unless it had finished (then it is acked)
grep -qx 137 codes.1 || grep -q . acked.1 || fail "writer 1 neither killed nor acknowledged"
ok
# every refusal is one clear line from constat, never a crash
for k in 1 2 3 4; do
    while read -r code; do
        case $code in
            137 | 3) ok ;;
            *) cat "errs.$k" >&2; fail "writer $k exited $code" ;;
        esac
    done <"codes.$k"
    if grep -v '^constat: ' "errs.$k" | grep -q .; then
        cat "errs.$k" >&2
        fail "writer $k printed something else than constat's error lines"
    fi
    ok
done
cat errs.1 errs.2 errs.3 errs.4 >errs
[ ! -s errs ] || { echo "refusals during the faults:"; sort errs | uniq -c | head -5; }

# not one acknowledged record lost, none twice
run_ok $CONSTAT log --kind monitor_enrolment
sed -n 's/.*enrol:\([^ ]*\).*/\1/p' out | grep -v '^m0$' | sort >logged
expect_eq "$(uniq -d logged | wc -l | tr -d ' ')" 0 "records logged twice"
comm -23 acked logged >lost
[ ! -s lost ] || { cat lost >&2; fail "acknowledged records lost"; }
ok
run_ok $CONSTAT verify "$T/v"
expect_in out "every leaf, tile, checkpoint and signature verified"
# the writers recover: after the faults the next append and checkpoint work
run_ok $CONSTAT monitor add after-faults
run_ok $CONSTAT checkpoint
run_ok $CONSTAT verify "$T/v"
echo "$n acknowledged records, $(cat codes.* | wc -l | tr -d ' ') refusals"
done_ok
