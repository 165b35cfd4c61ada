#!/bin/sh
# constat vault seal (docs/vault.md "Sealing an existing vault"): a vault as
# an earlier version left it (private values in clear, evidence files stored
# as plain copies, loose modes) is sealed in place; killed with SIGKILL after
# each of its durable steps in turn (CONSTAT_TEST_KILL_AT), every record and
# file stays readable and verifiable, and running it again finishes the job:
# nothing lost, nothing left in clear, nothing to do on a third run.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="migration test"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add amina --dir v
for i in 1 2 3; do
    cat > inc$i.json <<EOF
{"occurred": {"start": "2026-10-0${i}T07:40:00+01:00", "end": "2026-10-0${i}T08:00:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"},
 "private": {"narrative": "OLDCLEAR-$i kept behind the fence", "witness_contact": "+33 7 99 88 7$i"}}
EOF
    run_ok $CONSTAT record inc$i.json --monitor amina --dir v
    sed -n 's/^record //p' out >> ids
done
printf 'OLDFILE-5512 a statement\n' > a.txt
head -c 3000000 /dev/urandom > b.bin
printf 'OLDFILE-5513 end of the video' >> b.bin
run_ok $CONSTAT attach "$(head -n 1 ids)" a.txt b.bin --monitor amina --dir v
run_ok $CONSTAT checkpoint --dir v

# what an earlier version wrote: values as clear JSON objects, plain copies
for id in $(cat ids); do
    run_ok $CONSTAT show "$id" --private --json --dir v
    # one UPDATE valid on both backends (vault_sql): the JSON as an SQL literal
    sql=$(python3 - "$id" out <<'PY'
import json, sys
pv = json.load(open(sys.argv[2]))["private_values"]
lit = lambda t: "'" + t.replace("'", "''") + "'"
print("UPDATE private_values SET value_json=%s WHERE record_id=%s" %
      (lit(json.dumps(pv, separators=(",", ":"), sort_keys=True, ensure_ascii=False)), lit(sys.argv[1])))
PY
)
    vault_sql v "$sql" > /dev/null
done
for f in a.txt b.bin; do
    h=$(sha256sum $f | cut -c1-64)
    p=v/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h
    chmod 0600 "$p"
    cp $f "$p"
    chmod 0444 "$p"
done
chmod 0755 v v/evidence
on_pg v || chmod 0644 v/vault.db
vault_dump v | grep -qaF "OLDCLEAR-1" || fail "setup: no clear value in the old vault"
grep -qraF "OLDFILE-5512" v/evidence || fail "setup: no clear file in the old vault"
ok
mv v old

# every record readable and the vault verified, files re-hashed, whatever
# state the store is in
check_whole() {
    for id in $(cat ids); do
        run_ok $CONSTAT show "$id" --private --dir "$1"
        expect_in out "kept behind the fence"
    done
    run_ok $CONSTAT verify "$1"
    expect_in out "every evidence file re-hashed"
}
# nothing in clear anywhere in the folder
check_sealed() {
    if grep -rlaF -e OLDCLEAR -e OLDFILE-5512 -e OLDFILE-5513 -e "+33 7 99 88" "$1" > found; then
        cat found >&2
        fail "clear data left in $1 after vault seal"
    fi
    # the database too, whichever backend (vault_dump)
    if vault_dump "$1" | grep -qaF -e OLDCLEAR -e "+33 7 99 88"; then
        fail "clear data left in the database of $1 after vault seal"
    fi
    ok
    expect_eq "$(find "$1/evidence" -name '.*' | wc -l)" "0" "no temporary file left"
    if on_pg "$1"; then
        expect_eq "$(stat -c %a "$1")" "700" "mode fixed"
    else
        expect_eq "$(stat -c %a "$1" "$1/vault.db" | tr '\n' ' ')" "700 600 " "modes fixed"
    fi
}

n=1
finished=0
while [ $n -le 20 ]; do
    rm -rf w
    vault_copy old w
    set +e
    CONSTAT_TEST_KILL_AT=$n $CONSTAT vault seal --dir w > out 2> err
    rc=$?
    set -e
    if [ $rc -eq 0 ]; then
        finished=1
        break
    fi
    [ $rc -eq 137 ] || { cat out err >&2; fail "vault seal stopped at step $n: exit $rc, not 137 (SIGKILL)"; }
    check_whole w
    run_ok $CONSTAT vault seal --dir w
    check_whole w
    check_sealed w
    n=$((n + 1))
done
[ $finished -eq 1 ] || fail "vault seal never finished within 20 steps"
# 1 private batch, 4 steps for each of the 2 files, the compaction (the
# evidence records' own private values, their file names, were sealed already)
expect_eq "$n" "11" "the migration's durable steps"
expect_in out "private values: 3 record(s) sealed now, 2 already sealed"
expect_in out "evidence files: 2 sealed now, 0 already sealed"
check_whole w
check_sealed w
# idempotent: a second run has nothing to do
run_ok $CONSTAT vault seal --dir w
expect_in out "private values: 0 record(s) sealed now, 5 already sealed"
expect_in out "evidence files: 0 sealed now, 2 already sealed"
# the dossier carries the original files
run_ok $CONSTAT dossier --out d --with-evidence --dir w
h=$(sha256sum b.bin | cut -c1-64)
cmp b.bin "d/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h" || fail "dossier file differs"
ok
run_ok $CONSTAT verify d
# killed at moments no step chooses (mid-write of a sealed copy, mid-batch)
for delay in 0.02 0.05 0.1 0.2; do
    rm -rf w
    vault_copy old w
    $CONSTAT vault seal --dir w > out 2> err &
    pid=$!
    sleep $delay
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    check_whole w
    run_ok $CONSTAT vault seal --dir w
    check_whole w
    check_sealed w
done
# without the passphrase it refuses, changing nothing
before=$(vault_digest old)
(unset CONSTAT_PASSPHRASE; run_fails 3 $CONSTAT vault seal --dir old </dev/null)
expect_eq "$(vault_digest old)" "$before" "a refused migration changes nothing"
done_ok
