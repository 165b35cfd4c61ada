#!/bin/sh
# A vault whose folder and files cannot be written (a copy on read-only
# media, wrong owner) is read as usual (docs/vault.md "Read-only vaults");
# a command that would change it (here: a record; a checkpoint when the
# tree grew) is refused with a message that says so and
# what to do, exit 3, not SQLite's "attempt to write a readonly database".
# As root, permissions do not bind, so the commands run as nobody (setpriv).
# t0250 covers every reading command and the write-ahead log cases.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE=pw-for-tests
run_ok $CONSTAT init --dir v --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina --dir v
run_ok $CONSTAT checkpoint --dir v
chmod 755 "$T"
chmod -R a+rX,a-w v
as_user=
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || { echo "SKIP: root without setpriv"; exit 0; }
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
# the source tree may be where nobody cannot read (a clone in /root): the
# files the command reads are copied
cp "$SRC/data/examples/observation.json" "$T/obs.json"
cp "$SRC/data/taxonomy/calais.json" "$T/taxonomy.json"
chmod 644 "$T/obs.json" "$T/taxonomy.json"
if on_pg v; then
    # on PostgreSQL the folder keeps only keys and store.url, which are
    # read: a read-only copy of the folder works as it is, and a record
    # goes to the database (whose own grants decide, not the folder's mode)
    run_ok $as_user $CONSTAT log --dir "$T/v"
    expect_in out "enrol:amina"
    before=$(wc -l <"$T/out")
    run_ok $as_user $CONSTAT checkpoint --dir "$T/v"
    expect_in out "hro.example/log"
    run_ok $as_user $CONSTAT record "$T/obs.json" --monitor amina --taxonomy "$T/taxonomy.json" \
        --dir "$T/v"
    run_ok $as_user $CONSTAT log --dir "$T/v"
    expect_in out "enrol:amina"
    [ "$(wc -l <"$T/out")" -eq $((before + 1)) ] || fail "the record is not in the log: $(cat "$T/out")"
else
    for c in log checkpoint; do
        run_ok $as_user $CONSTAT $c --dir "$T/v"
        expect_not_in err "journal_mode"
    done
    run_ok $as_user $CONSTAT log --dir "$T/v"
    expect_in out "enrol:amina"
    run_fails 3 $as_user $CONSTAT record "$T/obs.json" --monitor amina --taxonomy "$T/taxonomy.json" \
        --dir "$T/v"
    expect_in err "vault.db: cannot be written (read-only file or folder): this command changes the vault"
    expect_not_in err "readonly database"
fi
chmod -R u+w v
run_ok $CONSTAT log --dir v
expect_in out "enrol:amina"
done_ok
