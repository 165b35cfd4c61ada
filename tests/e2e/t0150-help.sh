#!/bin/sh
# Help: every command listed by `constat help` answers --help and -h
# (anywhere in its arguments) on stdout with exit 0, a usage line, its
# options, an example and its exit codes; unknown options still exit 2;
# `constat help record` explains the record fields.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

run_ok $CONSTAT help
cp out list
expect_in list "Usage"
expect_in list "Exit codes"
run_ok $CONSTAT --help
cmp -s out list || fail "constat --help differs from constat help"
ok
run_ok $CONSTAT -h
cmp -s out list || fail "constat -h differs from constat help"
ok
# the command names: the indented lines under "Commands:"
sed -n '/^Commands:/,/^$/p' list | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' > commands
n=$(wc -l < commands)
[ "$n" -ge 20 ] || fail "constat help lists only $n commands"
ok
for c in taxonomy record show verify help version; do
    grep -qx "$c" commands || fail "constat help does not list $c"
    ok
done
for c in $(cat commands); do
    for h in --help -h; do
        run_ok $CONSTAT "$c" "$h"
        expect_in out "Usage: constat $c"
        expect_in out "Options and arguments:"
        expect_in out "Example:"
        expect_in out "Exit codes:"
        expect_in out "  0  "
        [ -s err ] && fail "$c $h wrote to standard error"
        ok
    done
    cp out "help-$c"
    # anywhere among the arguments, even after others, and not only options
    run_ok $CONSTAT "$c" --dir nowhere-at-all -h
    cmp -s out "help-$c" || fail "constat $c --dir X -h differs from constat $c --help"
    ok
    run_ok $CONSTAT help "$c"
    cmp -s out "help-$c" || fail "constat help $c differs from constat $c --help"
    ok
    # an unknown option is still a usage error, with the usage on stderr
    run_fails 2 $CONSTAT "$c" --no-such-option
    expect_in err "usage: constat $c"
done
# a help request does not touch a vault: nothing was created
[ ! -e nowhere-at-all ] && [ ! -e constat-vault ] || fail "a help request created a vault"
ok

# the record fields, with their units and formats
run_ok $CONSTAT help record
for field in occurred start end precision place lat_e7 lon_e7 precision_m categories \
             authority officers affected minors legal_status person_identifiers items \
             action source reference summary private recorded_at; do
    grep -q "^ *$field" out || { cat out >&2; fail "help record does not explain $field"; }
    ok
done
expect_in out "x 10^7"
expect_in out "2026-11-28T07:40:00+01:00"
expect_in out "constat taxonomy"
expect_in out "--new"
# monitor subcommand with --help after it
run_ok $CONSTAT monitor add amina -h
expect_in out "Usage: constat monitor add NAME"
# after "--" an argument is an operand, not a help request
run_fails 2 $CONSTAT keys -- --help
run_fails 2 $CONSTAT help no-such-command
expect_in err "not a command"
run_fails 2 $CONSTAT no-such-command --help
done_ok
