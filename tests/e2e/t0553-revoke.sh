#!/bin/sh
# Revocation of a monitor key (lost device), a signed record in the log: at
# the boundary second, a record recorded one second before --from still
# verifies and one recorded at --from fails with a message naming the
# revocation; the revoked key signs nothing more (record, import);
# revoking twice, an unknown monitor or a future time are refused.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
run_ok $CONSTAT monitor add bob --dir v
mk() { # mk ID RECORDED_AT
    cat > "$1.json" <<JSON
{"id": "$1", "recorded_at": "$2",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
}
mk inc-before 2026-11-29T10:59:59+01:00
mk inc-at 2026-11-29T11:00:00+01:00
mk inc-bob 2026-11-29T11:00:00+01:00
sed -i 's/2026-11-28T/2026-11-27T/g' inc-bob.json
mk inc-late 2026-11-29T09:00:00+01:00
run_ok $CONSTAT record inc-before.json --monitor alice --dir v
expect_in out "leaf index 2"
run_ok $CONSTAT record inc-at.json --monitor alice --dir v
expect_in out "leaf index 3"
run_ok $CONSTAT verify v

# refused: unknown monitor, a time in the future, no reason, bad time
before=$(vault_digest v)
run_fails 2 $CONSTAT monitor revoke carol --from 2026-11-29T10:00:00Z --reason lost-device --dir v
expect_in err 'no monitor "carol" is enrolled'
run_fails 2 $CONSTAT monitor revoke alice --from 2026-11-30T10:00:00Z --reason lost-device --dir v
expect_in err "in the future"
run_fails 2 $CONSTAT monitor revoke alice --from 2026-11-29T10:00:00Z --dir v
run_fails 2 $CONSTAT monitor revoke alice --from yesterday --reason lost-device --dir v
expect_in err "not an RFC 3339 time"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused revocations"

# 10:00:00Z is 11:00:00+01:00: inc-at is recorded at the first revoked second
run_ok $CONSTAT monitor revoke alice --from 2026-11-29T10:00:00Z --reason lost-device --dir v
expect_in out "revoked the key of monitor alice from 2026-11-29T10:00:00Z (revocation record at leaf 4"
run_fails 1 $CONSTAT verify v
expect_in out "FAIL: leaf 3 (record inc-at): signed by alice+"
expect_in out "whose key was REVOKED by leaf 4 from 2026-11-29T10:00:00Z (reason: lost-device): its recorded_at is at or after that time"
expect_not_in out "record inc-before"
expect_in out "1 check(s) FAILED"
run_ok $CONSTAT log --dir v
expect_in out "revocation"
run_ok $CONSTAT keys history --dir v
expect_in out "log key test.example/hro/log+"
expect_in out "org key hro-test+"
expect_in out ": leaves 0 .. 4 (3 signed)"
expect_in out ": leaves 2 .. 3 (2 signed); REVOKED from 2026-11-29T10:00:00Z by leaf 4 (reason: lost-device)"

# the revoked key signs nothing more; bob's does
before=$(vault_digest v)
run_fails 2 $CONSTAT record inc-late.json --monitor alice --dir v
expect_in err "the key alice+"
expect_in err "was revoked by leaf 4 (from 2026-11-29T10:00:00Z, reason: lost-device)"
printf 'source_id,date\n' > empty.csv
run_fails 2 $CONSTAT import empty.csv --monitor alice --dir v
expect_in err "was revoked by leaf 4"
run_fails 2 $CONSTAT monitor revoke alice --from 2026-11-29T09:00:00Z --reason again --dir v
expect_in err "is already revoked by leaf 4"
expect_eq "$(vault_digest v)" "$before" "nothing logged with a revoked key"
run_ok $CONSTAT record inc-bob.json --monitor bob --dir v
# dossiers carry the revocations: one holding inc-at is refused by its own
# verification; one of bob's day verifies and holds the revocation
run_fails 1 $CONSTAT dossier --out d-bad --from 2026-11-28 --to 2026-11-28 --dir v
expect_in err "whose key was REVOKED by leaf 4"
[ ! -e d-bad ] || fail "a dossier that does not verify was written"
ok
run_ok $CONSTAT dossier --out d --from 2026-11-27 --to 2026-11-27 --dir v
expect_in d/records.jsonl '"kind":"revocation"'
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
done_ok
