#!/bin/sh
# `constat init --store URL`: the vault folder keeps its keys and a 0600
# store.url naming a new schema; --store wins over CONSTAT_STORE; a named
# #SCHEMA is used as given and refused when it exists; a URL that is not
# postgresql://, a bad schema name or an unreachable server is refused
# leaving no vault. On the pg/ run's cluster, else on one of its own.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
if [ -z "${CONSTAT_STORE:-}" ]; then
    pgstate="$T/pg"
    trap 'sh "$SRC/tests/pg/cluster" stop "$pgstate" >/dev/null 2>&1; rm -rf "$T"' EXIT
    sh "$SRC/tests/pg/cluster" start "$pgstate"
    url=$(cat "$pgstate/url")
else
    url=$CONSTAT_STORE
fi
unset CONSTAT_STORE

run_ok $CONSTAT init --no-passphrase --org st-test --origin test.example/st/log --dir a --store "$url"
[ ! -e a/vault.db ] || fail "a PostgreSQL vault has no vault.db"
[ -d a/keys ] || fail "the keys stay in the folder"
expect_eq "$(stat -c %a a/store.url)" 600 "store.url mode"
loc=$(cat a/store.url)
expect_eq "${loc%#*}" "$url" "store.url names the database given"
case ${loc##*#} in
    vault_[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ok ;;
    *) fail "schema '${loc##*#}' is not vault_ and 16 hex digits" ;;
esac
run_ok $CONSTAT monitor add amina --dir a
expect_eq "$(vault_sql a "SELECT record_id FROM leaves ORDER BY idx")" "enrol:amina" "the leaf is in the schema"
run_ok $CONSTAT verify a
expect_in out "(1 leaves)"

# a second vault on the same database: its own schema, its own log
CONSTAT_STORE=$url run_ok $CONSTAT init --no-passphrase --org st-test --origin test.example/st2/log --dir b
on_pg b || fail "CONSTAT_STORE did not put the vault on PostgreSQL"
[ "$(cat b/store.url)" != "$loc" ] || fail "two vaults share a schema"
run_ok $CONSTAT log --dir b
expect_in err "0 record(s)"

# a schema named in the URL, used as given, and refused the second time
run_ok $CONSTAT init --no-passphrase --org st-test --origin test.example/st3/log --dir c --store "$url#st_named"
expect_eq "$(cat c/store.url)" "$url#st_named" "the named schema"
run_fails 2 $CONSTAT init --no-passphrase --org st-test --origin test.example/st4/log --dir d --store "$url#st_named"
expect_in err "already exists"
[ ! -e d ] || fail "a refused init left d behind"
run_ok $CONSTAT verify c

# --store wins over CONSTAT_STORE; "" keeps vault.db
CONSTAT_STORE=$url run_ok $CONSTAT init --no-passphrase --org st-test --origin test.example/st5/log --dir e --store ""
[ -f e/vault.db ] && [ ! -e e/store.url ] || fail "--store \"\" should make vault.db"
ok

# refusals: nothing left behind
run_fails 2 $CONSTAT init --no-passphrase --org st-test --origin test.example/x/log --dir f --store mysql://h/db
expect_in err "is not a postgresql:// URL"
run_fails 2 $CONSTAT init --no-passphrase --org st-test --origin test.example/x/log --dir f --store "$url#Bad-Name"
expect_in err "the schema must be 1-63 of a-z, 0-9, _"
run_fails 3 $CONSTAT init --no-passphrase --org st-test --origin test.example/x/log --dir f --store "postgresql:///constat?host=$T/nowhere"
expect_in err "cannot connect"
expect_not_in err "$(printf '\t')"
[ ! -e f ] || fail "a refused init left f behind"
ok

# a store.url that is not a URL is refused naming the file and line
echo "not a url" >a/store.url
run_fails 2 $CONSTAT log --dir a
expect_in err "store.url: line 1: not a postgresql:// URL"
done_ok
