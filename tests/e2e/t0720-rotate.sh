#!/bin/sh
# Rotation of a monitor key (docs/vault.md "Rotation"): a monitor_rotation
# record signed by the organisation key; records after it are signed by the
# new key and verify, in the vault and in a dossier across the change;
# `keys history` shows which key is in force at which leaves; kill -9 while
# rotating (after the new key file is written, inside the transaction)
# loses nothing and leaves the old key in force; refused rotations change
# nothing; a lost device: revoke the old key, rotate, go on recording.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
old=$(sed -n 's/^monitor key: \(alice+[0-9a-f]*\)+.*/\1/p' out)
[ -n "$old" ] || fail "no key id in: $(cat out)"
mk() { # mk ID RECORDED_AT
    cat > "$1.json" <<JSON
{"id": "$1", "recorded_at": "$2",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
}
mk inc-1 2026-11-29T10:30:00+01:00
mk inc-2 2026-11-29T10:59:00+01:00
mk inc-3 2026-11-29T10:59:30+01:00
run_ok $CONSTAT record inc-1.json --monitor alice --dir v
expect_in out "leaf index 1"

# refused: unknown monitor, no name; nothing changes
before=$(vault_digest v)
run_fails 2 $CONSTAT monitor rotate carol --dir v
expect_in err 'no monitor "carol" is enrolled'
run_fails 2 $CONSTAT monitor rotate --dir v
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused rotations"

# kill -9 after the new key file is written, then inside the transaction:
# nothing is logged, the old key still signs, the vault verifies
for point in file txn; do
    set +e
    CONSTAT_TEST_ROTATE_KILL=$point $CONSTAT monitor rotate alice --dir v >out 2>err
    got=$?
    set -e
    expect_eq "$got" 137 "rotate killed by SIGKILL at $point"
    run_ok $CONSTAT log --dir v
    expect_not_in out "monitor_rotation"
    run_ok $CONSTAT verify v
done
run_ok $CONSTAT record inc-2.json --monitor alice --dir v
expect_in out "leaf index 2"
run_ok $CONSTAT keys history --dir v
expect_in out "monitor key $old: leaves 1 .. 2 (2 signed)"

# the rotation
run_ok $CONSTAT monitor rotate alice --dir v
expect_in out "rotated the key of monitor alice: new key alice+"
expect_in out "(rotation record at leaf 3, signed by the organisation key)"
new=$(sed -n 's/.*new key \(alice+[0-9a-f]*\) .*/\1/p' out)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "no new key id (old $old): $(cat out)"
ok
[ -f "v/keys/monitors/$new.key" ] || fail "no key file for $new"
ok
# neither the interrupted runs' keys nor the retired key are left: only the new one
expect_eq "$(ls v/keys/monitors)" "$new.key" "key files after the rotation"
run_ok $CONSTAT record inc-3.json --monitor alice --dir v
expect_in out "leaf index 4"
run_ok $CONSTAT log --dir v
expect_in out "monitor_rotation"
run_ok $CONSTAT verify v
run_ok $CONSTAT show inc-3 --dir v
expect_in out "signed by $new: valid (key $new)"
run_ok $CONSTAT show inc-1 --dir v
expect_in out "signed by $old: valid (key $old)"
# the rotated key file is re-sealed by keys passwd like the others
CONSTAT_NEW_PASSPHRASE=pw2 run_ok $CONSTAT keys passwd --dir v
export CONSTAT_PASSPHRASE=pw2
mk inc-3b 2026-11-29T10:59:40+01:00
run_ok $CONSTAT record inc-3b.json --monitor alice --dir v
run_ok $CONSTAT show inc-3b --dir v
expect_in out "valid (key $new)"
run_ok $CONSTAT keys history --dir v
expect_in out "monitor key $old: leaves 1 .. 2 (2 signed); RETIRED by the rotation at leaf 3 (2026-11-29T10:00:00Z): new key $new"
expect_in out "monitor key $new: leaves 4 .. 5 (2 signed); in force from leaf 3 (2026-11-29T10:00:00Z), rotated in for $old"
expect_in out ": leaves 0 .. 3 (2 signed)"

# a dossier across the change carries the rotation and verifies
run_ok $CONSTAT dossier --out d --from 2026-11-28 --to 2026-11-28 --dir v
expect_in d/records.jsonl '"kind":"monitor_rotation"'
expect_in d/records.jsonl "\"retires\":\"$old\""
run_ok $CONSTAT verify d
expect_in out "VERIFIED"

# a dossier whose rotation record was taken out no longer verifies the
# records the new key signed
mkdir d2
cp -r d/. d2/
grep -v '"kind":"monitor_rotation"' d/records.jsonl > d2/records.jsonl
run_fails 1 $CONSTAT verify d2
expect_in out "which no valid enrolment in this dossier enrols"

# a lost device: revoke the current key, rotate to a new one, go on
run_ok $CONSTAT monitor revoke alice --from 2026-11-29T09:59:00Z --reason lost-device --dir v
mk inc-4 2026-11-29T11:00:00+01:00
run_fails 2 $CONSTAT record inc-4.json --monitor alice --dir v
expect_in err "was revoked by leaf 6"
run_ok $CONSTAT monitor rotate alice --dir v
expect_in out "(rotation record at leaf 7"
run_ok $CONSTAT record inc-4.json --monitor alice --dir v
expect_in out "leaf index 8"
run_ok $CONSTAT keys history --dir v
expect_in out "REVOKED from 2026-11-29T09:59:00Z by leaf 6"
# the vault fails exactly the revoked key's records, naming the revocation
run_fails 1 $CONSTAT verify v
expect_in out "FAIL: leaf 4 (record inc-3): signed by $new, whose key was REVOKED by leaf 6"
expect_in out "FAIL: leaf 5 (record inc-3b): signed by $new, whose key was REVOKED by leaf 6"
expect_in out "2 check(s) FAILED"
done_ok
