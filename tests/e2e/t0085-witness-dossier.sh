#!/bin/sh
# A dossier carries the witnesses' cosignatures, and a verifier requires k of
# n named witnesses with a policy file (constat verify --witness-policy):
# 2-of-2 holds; a third witness with quorum 3 fails; an altered cosignature
# fails naming its witness; a dossier written before publishing says it is
# not cosigned and fails a 1-of-1 policy.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="witness dossier test"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

run_ok $CONSTAT init --org log.example --origin log.example/log --dir L
logkey=$($CONSTAT keys --dir L | sed -n 's/^log //p')
for w in 1 2 3; do
    run_ok $CONSTAT init --org wit$w.example --origin wit$w.example/log --dir W$w
    run_ok $CONSTAT witness init --dir W$w
    run_ok $CONSTAT witness key --dir W$w
    cp out W$w.vkey
    grep -q "^wit$w.example+[0-9a-f]\{8\}+" W$w.vkey || fail "witness key prints no vkey"
done
for w in W1 W2; do
    run_ok $CONSTAT witness add-log log.example/log "$logkey" --dir $w
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
run_ok $CONSTAT publish add "$(cat W1.vkey)" "http://127.0.0.1:$(cat W1.port)" --dir L
run_ok $CONSTAT publish add "$(cat W2.vkey)" "http://127.0.0.1:$(cat W2.port)" --dir L
run_ok $CONSTAT monitor add alice --dir L
cat > inc.json <<'JSON'
{
  "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
               "precision": "minute"},
  "place": {"name": "Rue des Verrotières living site", "commune": "Calais",
            "country": "France"},
  "categories": ["eviction"],
  "source": {"type": "direct_observation"}
}
JSON
run_ok $CONSTAT record inc.json --monitor alice --dir L

{
    echo "# the two witnesses we trust, both required"
    echo "witness wit1.example $(cat W1.vkey)"
    echo "witness wit2.example $(cat W2.vkey)"
    echo "quorum 2"
} >policy2.txt
echo "witness wit1.example $(cat W1.vkey)" >policy1.txt
{
    cat policy2.txt | grep -v quorum
    echo "witness wit3.example $(cat W3.vkey)"
    echo "quorum 3"
} >policy3.txt

# before publishing: the dossier says it is not cosigned, a 1-of-1 policy fails
run_ok $CONSTAT dossier --out D0 --dir L
expect_in out "checkpoint NOT YET COSIGNED by the 2 configured witness(es): run \`constat publish\`"
expect_in D0/VERIFY.md "The checkpoint is **not cosigned** by any witness"
[ "$(grep -c '^— ' D0/checkpoint)" -eq 1 ] || fail "an uncosigned checkpoint has one signature"
ok
run_ok $CONSTAT verify D0
run_fails 1 $CONSTAT verify D0 --witness-policy policy1.txt
expect_in out "witnesses: 0 of 1 listed in policy1.txt cosigned this checkpoint; 1 required — QUORUM NOT MET"
expect_in out "    wit1.example: no cosignature"
expect_in out "FAIL: checkpoint: witness policy not met: 0 valid cosignature(s), 1 of the 1 listed witnesses required; missing: wit1.example (no cosignature)"

# published: the next dossier carries both cosignatures and holds under 2-of-2
run_ok $CONSTAT publish --dir L
expect_in out "wit1.example: cosigned size 2 (from size 0)"
run_ok $CONSTAT dossier --out D --dir L
expect_in out "checkpoint cosigned by 2 witness(es)"
[ "$(grep -c '^— ' D/checkpoint)" -eq 3 ] || fail "the cosigned checkpoint carries 3 signatures"
ok
expect_in D/checkpoint "— wit1.example "
expect_in D/checkpoint "— wit2.example "
expect_in D/VERIFY.md "- wit1.example, at 2026-"
expect_in D/VERIFY.md "    witness wit2.example $(cat W2.vkey)"
run_ok $CONSTAT keys --dir L
sed -n 's/^\(log\|org\) /\1 /p' out >trusted.txt
run_ok $CONSTAT verify D --trust trusted.txt --witness-policy policy2.txt
expect_in out "witnesses: 2 of 2 listed in policy2.txt cosigned this checkpoint; 2 required — quorum met"
expect_in out "    wit1.example: cosigned at 2026-"
expect_in out "    wit2.example: cosigned at 2026-"
expect_in out "The checkpoint is cosigned by 2 of the witnesses policy2.txt names (2 required)"
run_ok $CONSTAT verify D --witness-policy policy2.txt --json
expect_in out '"met": true'
expect_in out '"state": "valid"'
# the policy VERIFY.md suggests is the same
sed -n '/^## Witnesses/,/^## What/p' D/VERIFY.md | sed -n 's/^    \(witness .*\|quorum .*\)$/\1/p' >suggested.txt
[ "$(wc -l <suggested.txt)" -eq 3 ] || fail "VERIFY.md suggests a 3-line policy"
ok
run_ok $CONSTAT verify D --witness-policy suggested.txt

# a third witness that never saw the log: quorum 3 fails, naming it
run_fails 1 $CONSTAT verify D --witness-policy policy3.txt
expect_in out "missing: wit3.example (no cosignature)"
expect_in out "QUORUM NOT MET"

# one cosignature altered: a failure naming that witness, even at quorum 1
cp -r D Dbad
python3 - Dbad/checkpoint <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding='utf-8').read().split('\n')
for i, l in enumerate(lines):
    if l.startswith('\u2014 wit2.example '):
        c = l[-10]
        lines[i] = l[:-10] + ('A' if c != 'A' else 'B') + l[-9:]
open(p, 'w', encoding='utf-8').write('\n'.join(lines))
PY
run_fails 1 $CONSTAT verify Dbad --witness-policy policy2.txt
expect_in out "FAIL: checkpoint: cosignature by witness wit2.example does not verify"
expect_in out "wit2.example: cosignature INVALID"
expect_in out "    wit1.example: cosigned at"
run_fails 1 $CONSTAT verify Dbad --witness-policy policy1.txt
expect_not_in out "wit2.example"

# a bad policy file is bad input, not a verdict
echo "witness wit1.example $logkey" >badpolicy.txt
run_fails 2 $CONSTAT verify D --witness-policy badpolicy.txt
expect_in err "badpolicy.txt: line 1: witness wit1.example: the vkey is of type 0x01, not a cosignature/v1 witness key"
run_fails 2 $CONSTAT verify D --witness-policy nosuch.txt
done_ok
