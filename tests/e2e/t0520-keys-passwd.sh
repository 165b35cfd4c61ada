#!/bin/sh
# constat keys passwd: every key file re-sealed under the new passphrase in
# one atomic swap of the keys folder; the old passphrase no longer opens it,
# the new one does (signing, private values); a wrong current passphrase, a
# missing new one, or a vault without a passphrase change nothing.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

keys_digest() {
    find "$1/keys" -type f | sort | xargs cat | sha256sum | cut -d' ' -f1
}

export CONSTAT_PASSPHRASE="first pass"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add amina --dir v
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina --dir v
id=$(sed -n 's/^record //p' out)
salt_before=$(sed -n 2p v/keys/org.key | cut -c1-22)
before=$(keys_digest v)

# refused: no new passphrase, a wrong current one; nothing changed
run_fails 2 $CONSTAT keys passwd --dir v
expect_in err "CONSTAT_NEW_PASSPHRASE"
CONSTAT_PASSPHRASE=wrong CONSTAT_NEW_PASSPHRASE=second run_fails 3 $CONSTAT keys passwd --dir v
expect_in err "wrong passphrase"
expect_eq "$(keys_digest v)" "$before" "a refused passwd changes no key file"

# a keys.new/ left by a run cut short is removed, never used
mkdir v/keys.new
echo junk > v/keys.new/log.key
CONSTAT_NEW_PASSPHRASE="second pass" run_ok $CONSTAT keys passwd --dir v
expect_in out "passphrase of v changed"
[ ! -e v/keys.new ] || fail "keys.new must be gone after passwd"
ok
[ "$(sed -n 2p v/keys/org.key | cut -c1-22)" != "$salt_before" ] || fail "a fresh salt was expected"
ok
for k in log org pseudonym monitors/amina; do
    head -n 1 v/keys/$k.key > line
    expect_in line "constat-key-v1 sealed argon2id13 "
done
expect_eq "$(stat -c %a v/keys v/keys/monitors v/keys/org.key | tr '\n' ' ')" "700 700 600 " "modes"

# the old passphrase no longer opens it; the new one signs and reads
run_fails 3 $CONSTAT monitor add bob --dir v
expect_in err "wrong passphrase"
CONSTAT_PASSPHRASE="second pass" run_ok $CONSTAT monitor add bob --dir v
CONSTAT_PASSPHRASE="second pass" run_ok $CONSTAT show "$id" --private --dir v
expect_in out "Observers were kept 50 m away"
CONSTAT_PASSPHRASE="second pass" run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"

# a vault whose keys are not sealed has no passphrase to change
unset CONSTAT_PASSPHRASE
run_ok $CONSTAT init --no-passphrase --org plain --origin test.example/plain/log --dir p
CONSTAT_PASSPHRASE=x CONSTAT_NEW_PASSPHRASE=y run_fails 2 $CONSTAT keys passwd --dir p
expect_in err "not sealed"
done_ok
