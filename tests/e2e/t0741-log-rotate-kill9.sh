#!/bin/sh
# kill -9 during `keys rotate --log` (docs/vault.md "Log key rotation"):
# killed after the new key file is written, or inside the transaction,
# nothing is logged and the old key signs on (the vault unchanged but for an
# unused key file, which the next rotation destroys); killed after the
# commit, before the retired key file is destroyed, the new key is in force
# and `constat vault seal` destroys the retired file. The vault verifies at
# every step.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="kill test"
kid() { # the hex key id of the log signature line of a signed note
    python3 - "$1" <<'PY'
import base64, sys
note = open(sys.argv[1], encoding="utf-8").read()
line = note.split("\n\n", 1)[1].split("\n")[0]
print(base64.b64decode(line.rsplit(" ", 1)[1])[:4].hex())
PY
}
nlog() { ls v/keys | grep -c '^log' || true; }

run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
cat > inc.json <<EOF
{"occurred": {"start": "2026-11-01T07:40:00+01:00", "end": "2026-11-01T08:40:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"], "source": {"type": "direct_observation"}}
EOF
run_ok $CONSTAT record inc.json --monitor alice --dir v
run_ok $CONSTAT checkpoint --dir v
run_ok $CONSTAT keys --dir v
log0=$(sed -n 's/^log \(test.example\/hro\/log+[0-9a-f]*\)+.*/\1/p' out)
[ -n "$log0" ] || fail "no log key id: $(cat out)"
ok
before=$(vault_digest v)

# killed before the commit: the old state
for point in file txn; do
    set +e
    CONSTAT_TEST_LOG_ROTATE=$point $CONSTAT keys rotate --log --dir v >out 2>err
    got=$?
    set -e
    expect_eq "$got" 137 "rotate --log killed by SIGKILL at $point"
    run_ok $CONSTAT log --dir v
    expect_not_in out "key_transition"
    run_ok $CONSTAT keys --dir v
    expect_in out "log $log0+"
    [ -f v/keys/log.key ] || fail "the key in force is gone after a kill at $point"
    ok
    run_ok $CONSTAT verify v
    expect_in out "every leaf, tile, checkpoint and signature verified"
done
expect_eq "$(vault_digest v)" "$before" "vault unchanged after interrupted rotations"
expect_eq "$(nlog)" "2" "log.key and the unused key file of the last killed rotation (each rotation destroys those of the ones before)"
# the old key goes on signing
run_ok $CONSTAT monitor add bob --dir v
run_ok $CONSTAT checkpoint --dir v
expect_eq "$(kid out)" "${log0#*+}" "the old key signs after the killed rotations"

# killed after the commit, before the retired key file is destroyed: the new
# state (the unused files of the killed rotations are gone first)
set +e
CONSTAT_TEST_LOG_ROTATE=shred $CONSTAT keys rotate --log --dir v >out 2>err
got=$?
set -e
expect_eq "$got" 137 "rotate --log killed by SIGKILL after the commit"
run_ok $CONSTAT log --dir v
expect_in out "key_transition"
run_ok $CONSTAT keys --dir v
log1=$(sed -n 's/^log \(test.example\/hro\/log+[0-9a-f]*\)+.*/\1/p' out)
[ -n "$log1" ] && [ "$log1" != "$log0" ] || fail "the new key is not in force: $(cat out)"
ok
[ -f v/keys/log.key ] && [ -f "v/keys/log-${log1#*+}.key" ] || fail "key files after the kill: $(ls v/keys)"
ok
expect_eq "$(nlog)" "2" "the retired and the new key file"
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"
run_ok $CONSTAT checkpoint --dir v
expect_eq "$(sed -n 2p out)" "4" "the checkpoint that holds the transition"
expect_eq "$(kid out)" "${log1#*+}" "signed by the new key"
run_ok $CONSTAT monitor add carol --dir v
run_ok $CONSTAT checkpoint --dir v
expect_eq "$(kid out)" "${log1#*+}" "the new key signs on"
# the next `vault seal` destroys the retired key file
run_ok $CONSTAT vault seal --dir v
[ ! -e v/keys/log.key ] || fail "the retired log key file survives vault seal"
ok
expect_eq "$(nlog)" "1" "only the new key file"
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"
run_ok $CONSTAT keys history --dir v
expect_in out "log key $log0: signs the checkpoints of tree sizes 0 .. 3; the first log key; RETIRED by the key transition at leaf 3"
expect_in out "log key $log1: signs the checkpoints of tree sizes 4 .. 5 (the current key)"
# and a dossier across the change verifies
run_ok $CONSTAT dossier --out d --dir v
run_ok $CONSTAT verify d
expect_in out "log key rotated at leaf 3: $log0 -> $log1"
expect_in out ", 0 failed"
done_ok
