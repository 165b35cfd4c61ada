#!/bin/sh
# A vault whose folder and files cannot be written (a copy on read-only
# media, wrong owner) is refused with a message that says so and what to do,
# exit 3, not SQLite's "journal_mode: attempt to write a readonly database".
# As root, permissions do not bind, so the commands run as nobody (setpriv).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE=pw-for-tests
run_ok $CONSTAT init --dir v --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina --dir v
chmod 755 "$T"
chmod -R a+rX,a-w v
as_user=
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || { echo "SKIP: root without setpriv"; exit 0; }
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
if on_pg v; then
    # on PostgreSQL the folder keeps only keys and store.url, which are
    # read: a read-only copy of the folder works as it is
    run_ok $as_user $CONSTAT log --dir "$T/v"
    expect_in out "enrol:amina"
    run_ok $as_user $CONSTAT checkpoint --dir "$T/v"
    expect_in out "hro.example/log"
else
    for c in log checkpoint; do
        run_fails 3 $as_user $CONSTAT $c --dir "$T/v"
        expect_in err "vault.db: cannot be written (read-only file or folder)"
        expect_not_in err "journal_mode"
    done
fi
chmod -R u+w v
run_ok $CONSTAT log --dir v
expect_in out "enrol:amina"
done_ok
