# t0060-evidence.sh — evidence files as a monitor uses them: attach photos to
# an incident (one whose metadata conflicts with it), see the flags and the
# chain of custody in `constat show`, carry the files in a dossier or only
# their hashes, and catch a changed or missing evidence file in verification.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
M=$SRC/data/demo/media
export CONSTAT_DIR=$T/vault

run_ok "$CONSTAT" init --no-passphrase --org hro --origin hro.example/log
run_ok "$CONSTAT" monitor add amina

# An incident near where the gps_ photos were taken (Arezzo, 2008-10-22
# 16:00-17:00 local time), and one in Calais.
cat >"$T/arezzo.json" <<'EOF'
{"id": "INC-AREZZO", "occurred": {"start": "2008-10-22T16:00:00+02:00", "end": "2008-10-22T17:00:00+02:00", "precision": "hour"},
 "place": {"name": "Arezzo", "lat_e7": 434670000, "lon_e7": 118850000},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
EOF
cat >"$T/calais.json" <<'EOF'
{"id": "INC-CALAIS", "occurred": {"start": "2024-03-05T06:00:00+01:00", "end": "2024-03-05T07:00:00+01:00", "precision": "hour"},
 "place": {"name": "Calais, rue des Verrotières", "lat_e7": 509580000, "lon_e7": 18530000},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
EOF

# record --attach: the incident and its photo in one go
run_ok "$CONSTAT" record "$T/arezzo.json" --monitor amina --attach "$M/gps_DSCN0010.jpg"
expect_in "$T/out" "record ev-17307b1207eb6487-"
expect_in "$T/out" "161713 bytes, image/jpeg (stored)"
expect_in "$T/out" "no flag (time within 1 h of the incident, position within 2 km)"
run_ok "$CONSTAT" record "$T/calais.json" --monitor amina

# attach: two more; the Kodak photo was taken in Kenya in 2005
run_ok "$CONSTAT" attach INC-AREZZO "$M/gps_DSCN0042.jpg" "$M/Kodak_CX7530.jpg" --monitor amina
expect_in "$T/out" "FLAGGED: capture time"
expect_in "$T/out" "taken 5434 km from the incident's place"
# the same file for another incident: a second record, one stored file
run_ok "$CONSTAT" attach INC-CALAIS "$M/Kodak_CX7530.jpg" --monitor amina
expect_in "$T/out" "already in the store"
[ "$(find "$T/vault/evidence/sha256" -type f | wc -l)" -eq 3 ] || fail "expected 3 stored files"
ok
stored=$T/vault/evidence/sha256/ac/75/ac759931999a215ef78469a82bdfc382ccba96eb8d039ec9e81e53a9a419d35e
[ "$(stat -c %a "$stored")" = 400 ] || fail "stored evidence must be read-only, owner only"
ok
# again: nothing added
run_ok "$CONSTAT" attach INC-CALAIS "$M/Kodak_CX7530.jpg" --monitor amina
expect_in "$T/out" "already logged: nothing added"
# errors: no such incident, not an incident, no such file
run_fails 2 "$CONSTAT" attach INC-NOPE "$M/Canon_40D.jpg" --monitor amina
expect_in "$T/err" "INC-NOPE: no such record in the log"
run_fails 2 "$CONSTAT" attach INC-AREZZO "$T/missing.jpg" --monitor amina
run_fails 2 "$CONSTAT" attach INC-AREZZO --monitor amina

# custody
# evidence ids: "ev-" + 16 hex of the file's hash + "-" + 8 hex of SHA-256(incident id)
ev=ev-ac759931999a215e-$(printf INC-AREZZO | sha256sum | cut -c1-8)
run_ok "$CONSTAT" show "$ev"
run_ok "$CONSTAT" custody "$ev" --event copied --to "offline archive" --monitor amina
run_ok "$CONSTAT" custody "$ev" --event handed_over --to "Défenseur des droits" --note "USB key, sealed envelope 17" --monitor amina
expect_in "$T/out" "handed_over to Défenseur des droits"
run_fails 2 "$CONSTAT" custody "$ev" --event lost --to x --monitor amina
run_fails 2 "$CONSTAT" custody INC-AREZZO --event sealed --to x --monitor amina
expect_in "$T/err" "not an evidence"

run_ok "$CONSTAT" checkpoint
run_ok "$CONSTAT" show INC-AREZZO
expect_in "$T/out" "evidence files:"
expect_in "$T/out" "taken 2008-10-22T17:00:07 (camera clock, no offset), at 43.4644550, 11.8814783, camera NIKON COOLPIX P6000"
expect_in "$T/out" "FLAGGED: capture time"
expect_in "$T/out" "handed_over to Défenseur des droits, by amina"
expect_in "$T/out" "USB key, sealed envelope 17"
run_ok "$CONSTAT" show "$ev"
expect_in "$T/out" "chain of custody:"
expect_in "$T/out" "copied      to offline archive"

# dossiers: hashes only, then with the files
run_ok "$CONSTAT" keys
cp "$T/out" "$T/keys.txt"
run_ok "$CONSTAT" dossier --out "$T/d-hashes" --place arezzo
expect_in "$T/out" "with 5 evidence/custody records and 0 evidence files"
[ ! -e "$T/d-hashes/evidence" ] || fail "hashes-only dossier must not carry files"
ok
run_ok "$CONSTAT" verify "$T/d-hashes" --trust "$T/keys.txt"
expect_in "$T/out" "WARNING (flag, not a failure): evidence $ev for incident INC-AREZZO"
expect_in "$T/out" "VERIFIED"
run_ok "$CONSTAT" dossier --out "$T/d" --place arezzo --with-evidence
expect_in "$T/out" "with 5 evidence/custody records and 3 evidence files"
expect_in "$T/d/manifest.json" "evidence/sha256/ac/75/ac759931999a215ef78469a82bdfc382ccba96eb8d039ec9e81e53a9a419d35e"
expect_not_in "$T/d/records.jsonl" "INC-CALAIS"
# the flagged file is a row of the evidence_flagged figure, in the dossier and the report
expect_in "$T/d/figures.json" "{\"key\":[\"$ev\",\"place\"]"
expect_in "$T/d/report/index.html" "fig-evidence_flagged"
run_ok "$CONSTAT" verify "$T/d" --trust "$T/keys.txt"
expect_in "$T/out" "3 evidence files re-hashed"

# a changed evidence file: verify fails naming the record
cp -r "$T/d" "$T/d-tampered"
f=$T/d-tampered/evidence/sha256/ac/75/ac759931999a215ef78469a82bdfc382ccba96eb8d039ec9e81e53a9a419d35e
chmod u+w "$f"
flip_byte "$f" 3000
run_fails 1 "$CONSTAT" verify "$T/d-tampered" --trust "$T/keys.txt"
expect_in "$T/out" "(record $ev): evidence file evidence/sha256/ac/75/"
expect_in "$T/out" "the signed record says ac759931999a215e"
expect_in "$T/out" "NOT VERIFIED"

# a missing evidence file that the manifest lists
cp -r "$T/d" "$T/d-missing"
rm -f "$T/d-missing/evidence/sha256/17/30/"*
run_fails 1 "$CONSTAT" verify "$T/d-missing" --trust "$T/keys.txt"
expect_in "$T/out" "is listed in manifest.json but missing"
expect_in "$T/out" "(record ev-17307b1207eb6487-"

# an insider (holding the organisation key) adds an evidence file that no
# evidence record binds and re-signs the manifest: still refused, named
cp -r "$T/d" "$T/d-extra"
extra=$(sha256sum "$M/Canon_40D.jpg" | cut -c1-64)
mkdir -p "$T/d-extra/evidence/sha256/$(echo $extra | cut -c1-2)/$(echo $extra | cut -c3-4)"
cp "$M/Canon_40D.jpg" "$T/d-extra/evidence/sha256/$(echo $extra | cut -c1-2)/$(echo $extra | cut -c3-4)/$extra"
python3 - "$T/d-extra" "$T/vault/keys/org.key" "$T/orgkey.der" <<'PY'
import base64, hashlib, json, os, sys
d, keyfile, der = sys.argv[1:4]
lines = open(keyfile).read().split('\n')
assert lines[0] == 'constat-key-v1 plain', lines[0]
seed = base64.b64decode(lines[1])
# PKCS#8 wrapping of a raw Ed25519 seed, for openssl pkeyutl
open(der, 'wb').write(bytes.fromhex('302e020100300506032b657004220420') + seed)
m = json.load(open(os.path.join(d, 'manifest.json')))
for root, _, files in os.walk(d):
    for f in files:
        rel = os.path.relpath(os.path.join(root, f), d)
        if rel in ('manifest.json', 'manifest.sig'):
            continue
        m['files'][rel] = hashlib.sha256(open(os.path.join(root, f), 'rb').read()).hexdigest()
open(os.path.join(d, 'manifest.json'), 'w').write(
    json.dumps(m, separators=(',', ':'), sort_keys=True, ensure_ascii=False))
open(os.path.join(d, 'msg'), 'wb').write(b'constat-manifest-v1\n' + open(os.path.join(d, 'manifest.json'), 'rb').read())
PY
openssl pkeyutl -sign -rawin -keyform DER -inkey "$T/orgkey.der" -in "$T/d-extra/msg" -out "$T/sig.bin"
rm "$T/d-extra/msg"
python3 - "$T/d-extra" "$T/sig.bin" <<'PY'
import base64, json, os, sys
d, sig = sys.argv[1:3]
o = json.load(open(os.path.join(d, 'manifest.sig')))
o['signature'] = base64.b64encode(open(sig, 'rb').read()).decode()
open(os.path.join(d, 'manifest.sig'), 'w').write(json.dumps(o, separators=(',', ':'), sort_keys=True))
PY
run_fails 1 "$CONSTAT" verify "$T/d-extra" --trust "$T/keys.txt"
expect_in "$T/out" "manifest: signed by the organisation key"
expect_in "$T/out" "an evidence file that no evidence record in this dossier binds"

# a FIFO is refused, not waited on
mkfifo "$T/pipe.jpg"
run_fails 2 timeout 20 "$CONSTAT" attach INC-CALAIS "$T/pipe.jpg" --monitor amina
expect_in "$T/err" "not a regular file"

# the vault's own check re-hashes its evidence store
run_ok "$CONSTAT" verify "$T/vault"
expect_in "$T/out" "every evidence file re-hashed"
f=$(find "$T/vault/evidence/sha256" -type f | head -n 1)
chmod u+w "$f"
flip_byte "$f" 200
run_fails 1 "$CONSTAT" verify "$T/vault"
# stored sealed: a changed byte makes its segment refuse to open, named
expect_in "$T/out" "evidence store: evidence/sha256/"
expect_in "$T/out" "segment 0 does not open"

done_ok
