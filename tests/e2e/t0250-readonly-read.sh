#!/bin/sh
# Every reading command works on a vault that cannot be written (chmod -R
# a-w, run as another user): the open path writes nothing (docs/vault.md
# "Read-only vaults"), and the results equal those on the writable vault.
# A write-ahead log left by a process that did not close (its changes not
# yet in vault.db) is read with it while vault.db-shm is there; without
# vault.db-shm it cannot be read, and the message says so (exit 3). Commands
# that change the vault are refused, naming the reason, vault unchanged.
# The one write of a reading command is documented: `dossier` adds an
# `export` row to the audit table (docs/api.md "Audit"); a read-only
# vault.db cannot take it (a warning says so), a PostgreSQL vault, whose
# database is writable whatever the folder's mode, takes it, and nothing
# else changes.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

as_user=
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || { echo "SKIP: root without setpriv"; exit 0; }
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
export CONSTAT_PASSPHRASE=pw-for-tests
chmod 755 "$T"
mkdir w && chmod 777 w
# the source tree may be where nobody cannot read (a clone in /root): the
# taxonomy every command reads is a copy here
cp "$SRC/data/taxonomy/calais.json" w/taxonomy.json
chmod 644 w/taxonomy.json
export CONSTAT_TAXONOMY="$T/w/taxonomy.json"
V=$T/v
run_ok $CONSTAT init --dir v --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina --dir v
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor amina --dir v
run_ok $CONSTAT checkpoint --dir v
# what each reading command prints on the writable vault
reads="audit|log|show 12|show VP-8061-2024-05-30-CALAIS --json|checkpoint|keys|monitor list|prove inclusion 12|prove consistency 10 171|log --place calais --json|taxonomy"
IFS='|'
i=0
for c in $reads; do
    i=$((i + 1))
    IFS=' '
    # shellcheck disable=SC2086
    run_ok $CONSTAT $c --dir "$V"
    cp out "want$i"
    IFS='|'
done
IFS=' '
before=$(vault_digest v)
if on_pg v; then
    before_rest=$(vault_digest v audit)
    before_audit=$(vault_sql v "SELECT action, detail FROM audit ORDER BY id")
fi
chmod -R a+rX,a-w v

IFS='|'
i=0
for c in $reads; do
    i=$((i + 1))
    IFS=' '
    # shellcheck disable=SC2086
    run_ok $as_user $CONSTAT $c --dir "$V"
    cmp -s out "want$i" || { diff "want$i" out >&2; fail "read-only '$c' differs from the writable vault"; }
    ok
    IFS='|'
done
IFS=' '
run_ok $as_user $CONSTAT show 12 --private --dir "$V"
run_ok $as_user $CONSTAT verify "$V"
expect_in out "every leaf, tile, checkpoint and signature verified"
run_ok $as_user $CONSTAT report --out "$T/w/r" --dir "$V"
expect_in out "report of 170 incidents (tree size 171)"
run_ok $as_user $CONSTAT dossier --out "$T/w/d" --place calais --dir "$V"
if on_pg v; then
    expect_not_in err "warning"
else
    expect_in err "constat: warning: the export is not in the audit table: vault.db: cannot be written"
fi
run_ok $as_user $CONSTAT verify "$T/w/d"
expect_in out "VERIFIED"
run_ok $as_user $CONSTAT tiles export "$T/w/tiles" --dir "$V"
expect_eq "$(cat "$T/w/tiles/checkpoint" | sed -n 2p)" 171 "tiles of a read-only vault"

cp "$SRC/data/examples/observation.json" w/obs.json
if on_pg v; then
    # on PostgreSQL the folder holds only keys and store.url: the reads
    # above changed nothing in the database but the audit table, which
    # gained the dossier's export and nothing else; a write goes to the
    # database (its role's grants decide, not the folder's mode)
    expect_eq "$(vault_digest v audit)" "$before_rest" "vault unchanged by the read-only commands"
    expect_eq "$(vault_sql v "SELECT action, detail FROM audit ORDER BY id")" \
        "$before_audit
export|$T/w/d" "audit table: the dossier's export added, nothing else"
    [ "$(vault_digest v)" != "$before" ] || fail "the audit table did not change"
    ok
    run_ok $as_user $CONSTAT record "$T/w/obs.json" --monitor amina --dir "$V"
    run_ok $as_user $CONSTAT log --dir "$V"
    expect_in err "172 record(s)"
    run_ok $as_user $CONSTAT verify "$V"
    echo "SKIP (PostgreSQL): the vault.db-wal and vault.db-shm cases are SQLite's files; a PostgreSQL vault has none"
    done_ok
    exit 0
fi
# writing is refused, with the reason; nothing changes
run_fails 3 $as_user $CONSTAT record "$T/w/obs.json" --monitor amina --dir "$V"
expect_in err "vault.db: cannot be written (read-only file or folder): this command changes the vault"
expect_not_in err "readonly database"
run_fails 3 $as_user $CONSTAT retract VP-8061-2024-05-30-CALAIS --reason "test" --monitor amina --dir "$V"
expect_in err "cannot be written"
[ ! -e v/vault.db-wal ] || fail "a read-only open left a vault.db-wal"
ok
chmod -R u+w v
expect_eq "$(vault_digest v)" "$before" "vault unchanged by the read-only commands"

# a write-ahead log with changes: a reader (python) holds the database open
# while constat records, then exits without closing, so the record's frames
# stay in vault.db-wal
python3 - "$CONSTAT" "$V" "$T/w/obs.json" <<'PY' || fail "leaving a write-ahead log"
import os, sqlite3, subprocess, sys
c = sqlite3.connect(sys.argv[2] + "/vault.db")
c.execute("select count(*) from meta").fetchall()
r = subprocess.run([sys.argv[1], "record", sys.argv[3], "--monitor", "amina", "--dir", sys.argv[2]],
                   capture_output=True)
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode())
    os._exit(1)
os._exit(0)
PY
[ -s v/vault.db-wal ] && [ -e v/vault.db-shm ] || fail "no write-ahead log left"
ok
chmod -R a+rX,a-w v
run_ok $as_user $CONSTAT log --dir "$V"
expect_in err "172 record(s)"
expect_in out "inc-"
# without its -shm file the log cannot be read by one who cannot write
chmod u+w v
rm v/vault.db-shm
chmod a-w v
run_fails 3 $as_user $CONSTAT log --dir "$V"
expect_in err "its write-ahead log vault.db-wal holds changes that cannot be read without write access"
chmod -R u+w v
# with write access again, all is there
run_ok $CONSTAT log --dir v
expect_in err "172 record(s)"
run_ok $CONSTAT verify v
done_ok
