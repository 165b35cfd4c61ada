#!/bin/sh
# A sceptic's dossier, tampered one way at a time: a record byte, a
# signature, a proof hash, the checkpoint, an enrolment, a figure. Each time
# `constat verify` exits 1 and names what broke; the untouched dossier passes.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
run_ok $CONSTAT init --org tamper-test --origin test.example/tamper/log
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
run_ok $CONSTAT init --org tamper-test --origin test.example/tamper/log --dir other
run_ok $CONSTAT keys --dir other
grep '^log ' out | cut -d' ' -f2 > t/keys/log.vkey
run_fails 1 $CONSTAT verify t --trust trust.txt
expect_in out "NOT VERIFIED"

# the original still verifies
run_ok $CONSTAT verify d --trust trust.txt
expect_in out "VERIFIED"
done_ok
