#!/bin/sh
# A sceptic's dossier, tampered one way at a time: a record byte, a
# signature, a proof hash, the checkpoint, an enrolment, a figure. Each time
# `constat verify` exits 1 and names what broke; the untouched dossier passes.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
run_ok $CONSTAT init --no-passphrase --org tamper-test --origin test.example/tamper/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor m1
run_ok $CONSTAT dossier --out d --place calais
run_ok $CONSTAT keys
cp out trust.txt
run_ok $CONSTAT verify d --trust trust.txt

fresh() {
    rm -rf t
    cp -r d t
}

# tampered DIR must fail with each TEXT in the output
must_fail() {
    run_fails 1 $CONSTAT verify t --trust trust.txt
    for text in "$@"; do expect_in out "$text"; done
    expect_in out "NOT VERIFIED"
}

# 1. one byte of a record's content (line 3 = an incident), keeping valid JSON
fresh
python3 - <<'PY'
lines = open('t/records.jsonl', 'rb').read().split(b'\n')
l = lines[2]
i = l.index(b'"persons_affected"') if b'"persons_affected"' in l else l.index(b'"name":"') + 8
lines[2] = l[:i] + bytes([l[i] ^ 0x01]) + l[i + 1:]
open('t/records.jsonl', 'wb').write(b'\n'.join(lines))
PY
must_fail "leaf" "leaf_hash in proofs.jsonl line 3 is not SHA-256"

# 2. a signature: change one base64 character of the last record's signature
fresh
python3 - <<'PY'
lines = open('t/records.jsonl', 'rb').read().rstrip(b'\n').split(b'\n')
l = lines[-1]
i = l.index(b'"signature":"') + len(b'"signature":"') + 5
c = b'A' if l[i:i+1] != b'A' else b'B'
lines[-1] = l[:i] + c + l[i + 1:]
open('t/records.jsonl', 'wb').write(b'\n'.join(lines) + b'\n')
PY
must_fail "signature does not verify"

# 3. a proof hash
fresh
python3 - <<'PY'
lines = open('t/proofs.jsonl', 'rb').read().rstrip(b'\n').split(b'\n')
l = lines[1]
i = l.index(b'"proof":["') + len(b'"proof":["') + 3
c = b'A' if l[i:i+1] != b'A' else b'B'
lines[1] = l[:i] + c + l[i + 1:]
open('t/proofs.jsonl', 'wb').write(b'\n'.join(lines) + b'\n')
PY
must_fail "leaf 1 (record SQUAT-2013-09-05-MOURON): inclusion proof does not lead to the checkpoint root"

# 4. the checkpoint: its root line
fresh
python3 - <<'PY'
b = bytearray(open('t/checkpoint', 'rb').read())
lines = b.split(b'\n')
r = bytearray(lines[2]); r[4] = ord('A') if r[4] != ord('A') else ord('B')
lines[2] = bytes(r)
open('t/checkpoint', 'wb').write(b'\n'.join(lines))
PY
must_fail "checkpoint"

# 5. an enrolment: the first line of records.jsonl is the monitor's enrolment
fresh
python3 - <<'PY'
lines = open('t/records.jsonl', 'rb').read().split(b'\n')
assert b'monitor_enrolment' in lines[0]
lines[0] = lines[0].replace(b'"enrolled_at":"2026', b'"enrolled_at":"2025')
open('t/records.jsonl', 'wb').write(b'\n'.join(lines))
PY
must_fail "(record enrol:m1): enrolment is not signed by the organisation key" "which no valid enrolment in this dossier enrols"

# 6. a figure: add one to the first row's value of the first figure
fresh
python3 - <<'PY'
import json
f = json.load(open('t/figures.json'))
f['figures'][0]['rows'][0]['value'] += 1
open('t/figures.json', 'w').write(json.dumps(f, separators=(',', ':'), ensure_ascii=False))
PY
must_fail "figure"

# 7. a record removed together with its proof line: the figures and the
#    manifest no longer add up
fresh
sed -i '5d' t/records.jsonl
sed -i '5d' t/proofs.jsonl
run_fails 1 $CONSTAT verify t --trust trust.txt
expect_in out "NOT VERIFIED"

# 8. keys replaced by another organisation's, consistently: pinned keys catch it
fresh
run_ok $CONSTAT init --no-passphrase --org tamper-test --origin test.example/tamper/log --dir other
run_ok $CONSTAT keys --dir other
grep '^log ' out | cut -d' ' -f2 > t/keys/log.vkey
run_fails 1 $CONSTAT verify t --trust trust.txt
expect_in out "NOT VERIFIED"

# the dossier's files, every one listed; manifest.sig present
for f in VERIFY.md report/index.html figures.json taxonomy.json checkpoint keys/log.vkey \
         keys/org.vkey records.jsonl proofs.jsonl; do
    grep -q "\"$f\":" d/manifest.json || { echo "manifest.json does not list $f"; exit 1; }
done
test -s d/manifest.sig || { echo "no manifest.sig"; exit 1; }

# refix: recompute manifest.json's hashes (and record count) for what is now
# in t/, listing exactly the files present, as an attacker without the
# organisation key can; manifest.sig is left as it was
cat > refix.py <<'PY'
import hashlib, json, os
m = json.load(open('t/manifest.json'))
files = {}
for root, dirs, names in os.walk('t'):
    for n in names:
        p = os.path.relpath(os.path.join(root, n), 't')
        if p in ('manifest.json', 'manifest.sig'):
            continue
        files[p] = hashlib.sha256(open(os.path.join(root, n), 'rb').read()).hexdigest()
m['files'] = files
m['records'] = sum(1 for _ in open('t/records.jsonl', 'rb'))
open('t/manifest.json', 'w').write(json.dumps(m, separators=(',', ':'), sort_keys=True,
                                              ensure_ascii=False))
PY

# 9. C1: the report rewritten, manifest hashes fixed: the signature catches it
fresh
sed -i 's/<body/<body data-x="rewritten"/' t/report/index.html
python3 refix.py
must_fail "manifest.sig" "not signed by the organisation key"

# 10. C1: VERIFY.md rewritten, manifest fixed
fresh
echo "Everything here is proven true." >> t/VERIFY.md
python3 refix.py
must_fail "manifest.sig" "not signed by the organisation key"

# 11. C1: VERIFY.md and report/ deleted and dropped from the manifest
fresh
rm -rf t/VERIFY.md t/report
python3 refix.py
must_fail "manifest.sig" "does not verify"

# 12. C1: a file the manifest does not list
fresh
echo "note" > t/extra.txt
must_fail "extra.txt: is in the dossier but not listed in manifest.json"

# 13. C2: a record dropped, manifest record count and hashes fixed
fresh
sed -i '5d' t/records.jsonl
sed -i '5d' t/proofs.jsonl
python3 refix.py
must_fail "manifest.sig"

# 14. manifest.sig missing
fresh
rm t/manifest.sig
must_fail "manifest.sig: missing: manifest.json is not signed by the organisation key"

# 15. H6: a FIFO in place of records.jsonl: refused, named, no hang
fresh
rm t/records.jsonl
mkfifo t/records.jsonl
set +e
timeout 20 $CONSTAT verify t --trust trust.txt > out 2>&1
rc=$?
set -e
test $rc -eq 1 || { echo "FIFO: exit $rc, expected 1"; cat out; exit 1; }
expect_in out "records.jsonl: is a FIFO (named pipe), not a regular file"

# 16. H6: a symbolic link (to a file outside the dossier) refused, named
fresh
rm t/taxonomy.json
ln -s /etc/hostname t/taxonomy.json
set +e
timeout 20 $CONSTAT verify t --trust trust.txt > out 2>&1
rc=$?
set -e
test $rc -eq 1 || { echo "symlink: exit $rc, expected 1"; cat out; exit 1; }
expect_in out "taxonomy.json: is a symbolic link: refused"

# 17. M1: a pinned key that differs is reported as differing in the summary
fresh
run_ok $CONSTAT keys --dir other
grep '^log ' out | cut -d' ' -f2 > t/keys/log.vkey
run_fails 1 $CONSTAT verify t --trust trust.txt
expect_in out "the dossier's copy DIFFERS"
grep -A1 "log key:" out > logline
expect_not_in logline "pinned by --trust and matched"

# 18. M2: an empty trust file is an error (exit 2)
: > empty.txt
run_fails 2 $CONSTAT verify d --trust empty.txt
expect_in err "the trust file pins no key"

# 19. M3: a trust file with only the log line: the verdict says the
#     organisation key is not pinned, in text and JSON
grep '^log ' trust.txt > half.txt
run_ok $CONSTAT verify d --trust half.txt
expect_in out "VERIFIED (organisation key NOT pinned"
run_ok $CONSTAT verify d --trust half.txt --json
expect_in out '"org_key_pinned": false'
expect_in out "organisation key NOT pinned"

# the original still verifies
run_ok $CONSTAT verify d --trust trust.txt
expect_in out "VERIFIED: every record"
expect_in out "as the organisation signed them"
done_ok
