#!/bin/sh
# Rotation of the organisation key (docs/vault.md "Organisation key
# rotation"): a key_transition record signed by the old key (the leaf) and
# the new key (new_signature); organisation records after it are signed by
# the new key and the vault verifies across the change; private values and
# evidence files sealed before it still open; `keys history` shows the key
# in force at each leaf range; kill -9 while rotating loses nothing and
# leaves the old key in force; a transition signed by the old key only is
# refused by verify; a rotation while constat serve runs on the vault is
# refused (the server would go on with the old key). (`keys rotate --log`:
# t0740.)
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
run_ok $CONSTAT keys --dir v
org0=$(sed -n 's/^org \(hro-test+[0-9a-f]*\)+.*/\1/p' out)
[ -n "$org0" ] || fail "no org key id in: $(cat out)"
ok
mk() { # mk N NARRATIVE: incN.json, on 2026-11-0N, with a private narrative
    cat > "inc$1.json" <<EOF
{"occurred": {"start": "2026-11-0$1T07:40:00+01:00", "end": "2026-11-0$1T08:40:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"},
 "private": {"narrative": "$2"}}
EOF
}
mk 1 "PRIVNARR-1 shelter behind the depot"
run_ok $CONSTAT record inc1.json --monitor alice --dir v
id1=$(sed -n 's/^record //p' out)
printf 'EVIDCONTENT-7731 statement sealed before the rotation\n' > statement.txt
run_ok $CONSTAT attach "$id1" statement.txt --monitor alice --dir v
run_ok $CONSTAT checkpoint --dir v

# refused: no key named, both named, a vault without its passphrase;
# nothing changes
before=$(vault_digest v)
run_fails 2 $CONSTAT keys rotate --dir v
run_fails 2 $CONSTAT keys rotate --org --log --dir v
(unset CONSTAT_PASSPHRASE; run_fails 3 $CONSTAT keys rotate --org --dir v </dev/null)
# a server holding the vault would go on with the old key: refused while it runs
CONSTAT_USER_PASSWORD="chef password 1" run_ok $CONSTAT user add chef --role coordinator --dir v
before=$(vault_digest v)
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
run_fails 2 $CONSTAT keys rotate --org --dir v
expect_in err "constat serve is running on the vault"
run_fails 2 $CONSTAT vault seal --dir v
expect_in err "constat serve is running on the vault"
kill $spid
wait $spid || fail "the server did not stop cleanly"
trap 'rm -rf "$T"' EXIT
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused rotations"

# kill -9 after the new key file is written, then inside the transaction:
# nothing is logged, the old key still signs, the vault verifies
for point in file txn; do
    set +e
    CONSTAT_TEST_ORG_ROTATE=$point $CONSTAT keys rotate --org --dir v >out 2>err
    got=$?
    set -e
    expect_eq "$got" 137 "rotate killed by SIGKILL at $point"
    run_ok $CONSTAT log --dir v
    expect_not_in out "key_transition"
    run_ok $CONSTAT keys --dir v
    expect_in out "org $org0+"
    run_ok $CONSTAT verify v
done
expect_eq "$(vault_digest v)" "$before" "vault unchanged after interrupted rotations"

# the rotation
run_ok $CONSTAT keys rotate --org --reason "yearly rotation" --dir v
expect_in out "rotated the organisation key: new key hro-test+"
expect_in out "(key transition at leaf 3, signed by the old and the new key)"
org1=$(sed -n 's/.*new key \(hro-test+[0-9a-f]*\) .*/\1/p' out)
[ -n "$org1" ] && [ "$org1" != "$org0" ] || fail "no new key id (old $org0): $(cat out)"
ok
[ -f "v/keys/org-${org1#hro-test+}.key" ] && [ ! -e v/keys/org.key ] || fail "key files (the retired one destroyed after the re-seal): $(ls v/keys)"
ok
# the new key file is sealed like the others (no secret in clear)
expect_in "v/keys/org-${org1#hro-test+}.key" "constat-key-v1 sealed argon2id13"
run_ok $CONSTAT keys --dir v
expect_in out "org $org1+"
run_ok $CONSTAT log --dir v
expect_in out "key_transition"
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"

# organisation records after it are signed by the new key and verify
run_ok $CONSTAT monitor add bob --dir v
run_ok $CONSTAT monitor revoke alice --from 2026-11-29T10:00:01Z --reason lost-device --dir v
run_ok $CONSTAT verify v
run_ok $CONSTAT keys history --dir v
expect_in out "org key $org0: leaves 0 .. 3 (2 signed); in force from leaf 0 (the first organisation key); RETIRED by the key transition at leaf 3 (2026-11-29T10:00:00Z): new key $org1"
expect_in out "org key $org1: leaves 4 .. 5 (2 signed); in force from leaf 4 (key transition at leaf 3, 2026-11-29T10:00:00Z)"

# what was sealed before the rotation still opens (re-sealed to the new key)
run_ok $CONSTAT show "$id1" --private --dir v
expect_in out "PRIVNARR-1 shelter behind the depot"
mk 2 "PRIVNARR-2 recorded after the rotation"
run_ok $CONSTAT record inc2.json --monitor bob --dir v
id2=$(sed -n 's/^record //p' out)
run_ok $CONSTAT show "$id2" --private --dir v
expect_in out "PRIVNARR-2 recorded after the rotation"
# a dossier across the rotation: written, and verified along the chain
# (t0781 tampers with it)
run_ok $CONSTAT dossier --out d --dir v
run_ok $CONSTAT verify d
expect_in out "organisation key rotated at leaf 3: $org0 -> $org1, signed by both"
# verify re-hashes every evidence file: the one sealed before the rotation opens
run_ok $CONSTAT verify v
expect_in out "every evidence file re-hashed"
# no private string or evidence content in clear anywhere in the vault
expect_eq "$(grep -rl -e PRIVNARR -e EVIDCONTENT-7731 v | wc -l)" "0" "no clear text in the vault"

# the new key file is re-sealed by keys passwd like the others; a second
# rotation follows the chain
CONSTAT_NEW_PASSPHRASE=pw2 run_ok $CONSTAT keys passwd --dir v
export CONSTAT_PASSPHRASE=pw2
run_ok $CONSTAT keys rotate --org --dir v
org2=$(sed -n 's/.*new key \(hro-test+[0-9a-f]*\) .*/\1/p' out)
run_ok $CONSTAT show "$id1" --private --dir v
expect_in out "PRIVNARR-1"
run_ok $CONSTAT monitor add carol --dir v
run_ok $CONSTAT verify v
run_ok $CONSTAT keys history --dir v
expect_in out "RETIRED by the key transition at leaf 3 (2026-11-29T10:00:00Z): new key $org1"
expect_in out "org key $org2: leaves 8 .. 8 (1 signed); in force from leaf 8 (key transition at leaf 7"

# tamper: a transition whose new key did not sign (old key only) is not
# followed: verify fails naming it, and every record the new key signed
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir w
CONSTAT_TEST_ORG_ROTATE=newsig run_ok $CONSTAT keys rotate --org --dir w
run_ok $CONSTAT monitor add dan --dir w
run_fails 1 $CONSTAT verify w
expect_in out "leaf 0 (record transition-"
expect_in out "key transition of the organisation key not followed: new_signature does not verify under the new key: the transition is signed by the old key only"
expect_in out "FAIL: leaf 1 (record enrol:dan): enrolment not signed by the organisation key: key id mismatch"
expect_in out "is not the one its key transitions lead to"
done_ok
