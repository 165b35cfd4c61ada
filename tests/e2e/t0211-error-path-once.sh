#!/bin/sh
# An error about a file names the file once: `constat attach` of a missing
# file says "constat: FILE: No such file or directory", not
# "constat: FILE: FILE: ..."; `constat record` of a missing file, a bad
# `log` filter and a `report --out` that is a file likewise.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE=pw-for-tests
run_ok $CONSTAT init --dir v --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina --dir v
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina --dir v
id=$(sed -n 's/^record //p' out)
[ -n "$id" ] || fail "no record id in the receipt"
ok
run_fails 2 $CONSTAT attach "$id" "$T/no-such-photo.jpg" --monitor amina --dir v
expect_in err "constat: $T/no-such-photo.jpg: No such file or directory"
expect_not_in err "no-such-photo.jpg: $T/no-such-photo.jpg"
run_fails 2 $CONSTAT record "$T/no-such.json" --monitor amina --dir v
expect_in err "constat: $T/no-such.json: No such file or directory"
expect_not_in err "no-such.json: $T/no-such.json"
# the same for a filter and for an output path that is a file
run_fails 2 $CONSTAT log --from 2023-01-01 --to 2022-01-01 --dir v
expect_in err "constat: filter: from 2023-01-01 is after to 2022-01-01"
expect_not_in err "filter: filter:"
: > afile
set +e
$CONSTAT report --out afile --dir v >out 2>err
set -e
expect_in err "constat: afile: exists and is not a directory"
expect_not_in err "afile: afile"
# a folder given with a trailing slash, which the library names without it
run_ok $CONSTAT dossier --out d1/ --dir v
run_fails 2 $CONSTAT dossier --out d1/ --dir v
expect_in err "constat: d1: exists and is not empty"
expect_not_in err "d1/: d1"
done_ok
