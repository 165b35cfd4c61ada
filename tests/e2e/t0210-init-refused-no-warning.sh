#!/bin/sh
# A refused `constat init` (bad organisation name, bad origin, directory not
# empty) writes no key, so it must not warn that "the keys are NOT sealed":
# it prints only the reason and exits 2. A successful unsealed init still
# warns (docs/cli.md "init").
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE=
run_fails 2 $CONSTAT init --no-passphrase --dir v1 --org 'a b' --origin a.example/log
expect_in err "not a valid key name"
expect_not_in err "NOT sealed"
[ ! -e v1/keys ] || fail "refused init left v1/keys"
ok
run_fails 2 $CONSTAT init --no-passphrase --dir v2 --org a --origin ''
expect_in err "not a valid key name"
expect_not_in err "NOT sealed"

run_ok $CONSTAT init --no-passphrase --dir v3 --org a --origin a.example/log
expect_in err "NOT sealed"
run_fails 2 $CONSTAT init --no-passphrase --dir v3 --org a --origin a.example/log
expect_in err "not empty"
expect_not_in err "NOT sealed"
done_ok
