#!/bin/sh
# Three organisations: two witness the third's log over loopback HTTP
# (C2SP tlog-witness). The log publishes and gets two cosignatures; then it
# rewrites history from a backup (two forks: one longer, one of the same
# size) and both witnesses refuse and keep the evidence; an old checkpoint
# (a rollback) is refused with 409 and the size the witness holds.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="witness test"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

run_ok $CONSTAT init --org log.example --origin log.example/log --dir L
run_ok $CONSTAT init --org wit1.example --origin wit1.example/log --dir W1
run_ok $CONSTAT init --org wit2.example --origin wit2.example/log --dir W2
logkey=$($CONSTAT keys --dir L | sed -n 's/^log //p')
[ -n "$logkey" ] || fail "no log key"
for w in W1 W2; do
    run_ok $CONSTAT witness init --dir $w
    grep -q '^wit[12].example+[0-9a-f]\{8\}+' out || fail "witness init prints no vkey"
    cp out $w.vkey
    run_ok $CONSTAT witness add-log log.example/log "$logkey" --dir $w
    expect_in out "witnessing log.example/log"
done
run_fails 2 $CONSTAT witness add-log log.example/log "$logkey" --dir W1
# the witness key is sealed like the others
expect_in W1/keys/witness.key "sealed"

# two witness servers on free ports
for w in W1 W2; do
    $CONSTAT witness serve --listen 127.0.0.1:0 --port-file $w.port --dir $w \
        >$w.serve.out 2>$w.serve.log &
    pids="$pids $!"
done
for w in W1 W2; do
    i=0
    while [ ! -s $w.port ]; do
        i=$((i + 1))
        [ $i -le 100 ] || { cat $w.serve.log >&2; fail "$w server did not start"; }
        sleep 0.05
    done
done
url1=http://127.0.0.1:$(cat W1.port)
url2=http://127.0.0.1:$(cat W2.port)
ok

# the log configures its witnesses and publishes
run_ok $CONSTAT publish add "$(tail -n 1 W1.vkey)" "$url1" --dir L
expect_in out "added witness wit1.example"
run_ok $CONSTAT publish add "$(tail -n 1 W2.vkey)" "$url2/" --dir L
run_fails 2 $CONSTAT publish add "$logkey" "$url1" --dir L
run_ok $CONSTAT monitor add alice --dir L
run_ok $CONSTAT publish --dir L
expect_in out "wit1.example: cosigned size 1 (from size 0)"
expect_in out "wit2.example: cosigned size 1 (from size 0)"
run_ok $CONSTAT publish cosigned --dir L
cp out cp1
[ "$(grep -c '^— ' cp1)" -eq 3 ] || fail "cosigned checkpoint should carry 3 signatures"
ok
expect_in cp1 "— wit1.example "
expect_in cp1 "— wit2.example "
run_ok $CONSTAT publish --dir L
expect_in out "already cosigned size 1"

# backups of the vault at size 1, later used to rewrite history
vault_copy L Lfork
vault_copy L Lsame

run_ok $CONSTAT monitor add bob --dir L
run_ok $CONSTAT monitor add carol --dir L
run_ok $CONSTAT publish --dir L
expect_in out "wit1.example: cosigned size 3 (from size 1)"
expect_in out "wit2.example: cosigned size 3 (from size 1)"
run_ok $CONSTAT publish witnesses --dir L
expect_in out "cosigned size 3"
root3=$($CONSTAT publish cosigned --dir L | sed -n 3p)

# fork 1: other records appended to the backup, a longer log: 409 then 422
run_ok $CONSTAT monitor add mallory --dir Lfork
run_ok $CONSTAT monitor add eve --dir Lfork
run_ok $CONSTAT monitor add trent --dir Lfork
run_fails 1 $CONSTAT publish --dir Lfork
expect_in out "wit1.example: FAILED: witness wit1.example ($url1/add-checkpoint) refused with 422"
expect_in out "wit2.example: FAILED"
rootf=$($CONSTAT checkpoint --dir Lfork | sed -n 3p)

# fork 2: same size as the cosigned log, another root: 409, no size to retry
run_ok $CONSTAT monitor add mallory --dir Lsame
run_ok $CONSTAT monitor add eve --dir Lsame
run_fails 2 $CONSTAT publish --dir Lsame
expect_in out "refused with 409"
roots=$($CONSTAT checkpoint --dir Lsame | sed -n 3p)
[ "$roots" != "$root3" ] || fail "the same-size fork should have another root"
ok

# both witnesses kept the evidence: both signed notes of each pair
for w in W1 W2; do
    run_ok $CONSTAT witness alerts --dir $w
    expect_in out "alert 1: log log.example/log"
    expect_in out "inconsistent: no valid consistency proof from size 3 to 4"
    expect_in out "alert 2: log log.example/log"
    expect_in out "fork: two different signed roots for size 3"
    expect_in out "$root3"
    expect_in out "$rootf"
    expect_in out "$roots"
    expect_in out "--- checkpoint refused:"
    run_ok $CONSTAT witness logs --dir $w
    expect_in out "cosigned size 3"
done
expect_in W1.serve.log "-> 422"
expect_in W1.serve.log "-> 409"

# a rollback: the checkpoint of size 1 again, claiming old size 1: 409 + size 3
{ printf 'old 1\n\n'; cat cp1; } >rollback.body
run_fails 2 $CONSTAT witness cosign cp1 --dir W1
expect_in err "refused (HTTP 400)"
printf 'old 1\n' >old1
run_fails 2 $CONSTAT witness cosign cp1 --proof old1 --dir W1
expect_in err "refused (HTTP 409)"
expect_in err "this witness holds size 3"
# curl is installed by scripts/install-deps: the raw HTTP answers are checked
command -v curl >/dev/null 2>&1 || fail "curl is needed (scripts/install-deps installs it)"
code=$(curl -s -o resp -w '%{http_code} %{content_type}' --data-binary @rollback.body \
    "$url1/add-checkpoint")
expect_eq "$code" "409 text/x.tlog.size" "rollback answer"
expect_eq "$(cat resp)" "3" "size held by the witness"
code=$(curl -s -o resp -w '%{http_code}' "$url1/add-checkpoint")
expect_eq "$code" "405" "GET add-checkpoint"
code=$(curl -s -o resp -w '%{http_code}' --data-binary 'old 01' "$url1/add-checkpoint")
expect_eq "$code" "400" "malformed body"
# a checkpoint of a log this witness does not know: 404
$CONSTAT checkpoint --dir W2 >w2cp 2>/dev/null
{ printf 'old 0\n\n'; cat w2cp; } >unknown.body
code=$(curl -s -o resp -w '%{http_code}' --data-binary @unknown.body "$url1/add-checkpoint")
expect_eq "$code" "404" "unknown log"

# the real log still publishes after all this
run_ok $CONSTAT monitor add dave --dir L
run_ok $CONSTAT publish --dir L
expect_in out "wit1.example: cosigned size 4 (from size 3)"
expect_in out "wit2.example: cosigned size 4 (from size 3)"

# a witness that is down is named with its URL; the other still cosigns
w1pid=$(echo $pids | cut -d' ' -f1)
kill "$w1pid"
wait "$w1pid" 2>/dev/null || true
run_ok $CONSTAT monitor add erin --dir L
run_fails 3 $CONSTAT publish --dir L
expect_in out "wit1.example: FAILED: witness wit1.example ($url1/add-checkpoint)"
expect_in out "wit2.example: cosigned size 5 (from size 4)"
done_ok
