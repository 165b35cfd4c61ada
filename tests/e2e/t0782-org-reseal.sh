#!/bin/sh
# Re-sealing after a rotation of the organisation key (docs/vault.md
# "Re-sealing after a rotation"): `keys rotate --org` re-seals every data key
# (private values, evidence files) to the new key's X25519 form, then
# destroys the retired key file, so the first key file and the passphrase no
# longer open anything: no data key anywhere in the vault is sealed to the
# old X25519 key. Killed with SIGKILL after each durable step of the re-seal
# in turn, every record and file stays readable with the passphrase and the
# vault verifies; `constat vault seal` finishes the job; a second rotation
# is refused while a re-seal is pending.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="reseal test"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add amina --dir v
for i in 1 2; do
    cat > inc$i.json <<EOF
{"occurred": {"start": "2026-10-0${i}T07:40:00+01:00", "end": "2026-10-0${i}T08:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"},
 "private": {"narrative": "RESEAL-$i kept behind the fence"}}
EOF
    run_ok $CONSTAT record inc$i.json --monitor amina --dir v
    sed -n 's/^record //p' out >> ids
done
printf 'RESEALFILE-1 a statement\n' > a.txt
printf 'RESEALFILE-2 a second statement\n' > b.txt
run_ok $CONSTAT attach "$(head -n 1 ids)" a.txt b.txt --monitor amina --dir v
run_ok $CONSTAT checkpoint --dir v

# the old organisation X25519 key, as every sealed file's header names it
# (magic 16 bytes, count 1 byte, then the organisation's key first)
evfile() { # evfile VAULT FILE: the stored copy of FILE
    h=$(sha256sum "$2" | cut -c1-64)
    echo "$1/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h"
}
oldpk=$(dd if="$(evfile v a.txt)" bs=1 skip=17 count=32 2>/dev/null | base64)
oldhex=$(dd if="$(evfile v a.txt)" bs=1 skip=17 count=32 2>/dev/null | od -An -tx1 | tr -d ' \n')
[ ${#oldhex} -eq 64 ] || fail "setup: no key in the sealed file header"
# sealed before the rotation: the old key is there (the check below can fail)
vault_dump v | grep -qaF "$oldpk" || fail "setup: private values not sealed to the old key"
ok
cp v/keys/org.key old-org.key
mv v base

# every record readable with the passphrase and the vault verified
check_whole() {
    for id in $(cat ids); do
        run_ok $CONSTAT show "$id" --private --dir "$1"
        expect_in out "kept behind the fence"
    done
    run_ok $CONSTAT verify "$1"
    expect_in out "every evidence file re-hashed"
}
# nothing sealed to the old key anywhere, the old key file gone
check_resealed() {
    if grep -rlaF -e "$oldpk" -e "$(sed -n 2p old-org.key)" "$1" > found; then
        cat found >&2
        fail "the old organisation key still opens something in $1"
    fi
    if vault_dump "$1" | grep -qaF "$oldpk"; then
        fail "a private value of $1 is still sealed to the old organisation key"
    fi
    for f in a.txt b.txt; do
        od -An -tx1 "$(evfile "$1" $f)" | tr -d ' \n' | grep -qF "$oldhex" &&
            fail "$f is still sealed to the old organisation key"
    done
    [ ! -e "$1/keys/org.key" ] || fail "the retired key file is left: $(ls "$1/keys")"
    expect_eq "$(ls "$1/keys" | grep -c '^org')" "1" "one organisation key file"
}

n=1
finished=0
while [ $n -le 12 ]; do
    rm -rf w
    vault_copy base w
    set +e
    CONSTAT_TEST_RESEAL_KILL_AT=$n $CONSTAT keys rotate --org --reason "laptop seized" --dir w > out 2> err
    rc=$?
    set -e
    if [ $rc -eq 0 ]; then
        finished=1
        break
    fi
    [ $rc -eq 137 ] || { cat out err >&2; fail "keys rotate stopped at step $n: exit $rc, not 137"; }
    # the rotation is logged; what the re-seal has not reached opens with the
    # retiring key, still loaded
    check_whole w
    if [ $n -lt 6 ]; then
        # a re-seal pending: a second rotation is refused, nothing changes
        before=$(vault_digest w)
        run_fails 2 $CONSTAT keys rotate --org --dir w
        expect_in err "the re-seal after the previous rotation of the organisation key is not finished: run 'constat vault seal' first; nothing changed"
        expect_eq "$(vault_digest w)" "$before" "vault unchanged by the refused rotation"
        [ -e w/keys/org.key ] || fail "the retiring key file was removed before the re-seal ended"
        run_ok $CONSTAT vault seal --dir w
        expect_in out "re-seal after the organisation key rotation finished: the retired key files are destroyed"
    else
        run_ok $CONSTAT vault seal --dir w
        expect_not_in out "re-seal after"
    fi
    check_whole w
    check_resealed w
    n=$((n + 1))
done
[ $finished -eq 1 ] || fail "keys rotate never finished within 12 steps"
# 1 private batch, 2 steps (written, renamed) for each of the 2 files, the
# end of the re-seal, the compaction
expect_eq "$n" "8" "the re-seal's durable steps"
expect_in out "re-sealed to the new key: 4 record(s) of private values, 2 evidence file(s); the retired key files are destroyed"
check_whole w
check_resealed w

# the old key file put back, with the passphrase, opens nothing: the vault
# refuses it as its organisation key, and no data key is sealed to it
cp old-org.key "w/keys/$(ls w/keys | grep '^org-')"
run_fails 3 $CONSTAT show "$(head -n 1 ids)" --private --dir w
ok

# a second rotation on the finished vault re-seals again
rm -rf w
vault_copy base w
run_ok $CONSTAT keys rotate --org --dir w
run_ok $CONSTAT keys rotate --org --dir w
expect_in out "re-sealed to the new key: 4 record(s) of private values, 2 evidence file(s)"
check_whole w
check_resealed w
run_ok $CONSTAT keys history --dir w
expect_in out "RETIRED by the key transition at leaf 5"
done_ok
