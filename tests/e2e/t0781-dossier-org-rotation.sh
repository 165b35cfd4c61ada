#!/bin/sh
# Dossiers across a rotation of the organisation key (docs/dossier.md
# "Across an organisation key rotation"): `constat dossier` writes them with
# the key_transition records; `constat verify` follows the chain from the
# pinned first key (or the dossier's keys/org.vkey), says so, checks each
# organisation-signed leaf against the key in force at its leaf, and the
# manifest against the key in force last; a trust file may pin the first key
# or a later one of the chain. Tampered: a trust file pinning a key the
# chain does not hold, a transition signed by the
# old key only (no dossier is written), a transition line removed.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
run_ok $CONSTAT keys --dir v
cp out trust-first
org0=$(sed -n 's/^org \(hro-test+[0-9a-f]*\)+.*/\1/p' out)
cat > inc.json <<EOJ
{"occurred": {"start": "2026-11-01T07:40:00+01:00", "end": "2026-11-01T08:40:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"}}
EOJ
run_ok $CONSTAT record inc.json --monitor alice --dir v
run_ok $CONSTAT keys rotate --org --dir v
org1=$(sed -n 's/.*new key \(hro-test+[0-9a-f]*\) .*/\1/p' out)
# enrolled after the rotation: signed by the new key
run_ok $CONSTAT monitor add bob --dir v
run_ok $CONSTAT record inc.json --monitor bob --dir v
run_ok $CONSTAT keys rotate --org --dir v
org2=$(sed -n 's/.*new key \(hro-test+[0-9a-f]*\) .*/\1/p' out)
run_ok $CONSTAT keys --dir v
cp out trust-now
run_ok $CONSTAT checkpoint --dir v

run_ok $CONSTAT dossier --out d --dir v
# keys/org.vkey is the first key; the manifest is signed by the last
expect_eq "$(cut -d+ -f1,2 d/keys/org.vkey)" "$org0" "the dossier's organisation key is the first"
expect_in d/manifest.sig "\"key_id\":\"$org2\""
expect_eq "$(grep -c '"kind":"key_transition"' d/records.jsonl)" "2" "both transitions travel"
run_ok $CONSTAT verify d --trust trust-first
expect_in out "organisation key rotated at leaf 2: $org0 -> $org1, signed by both"
expect_in out "organisation key rotated at leaf 5: $org1 -> $org2, signed by both"
expect_in out "manifest: signed by the organisation key (manifest.sig valid)"
expect_in out "checks: "
expect_in out ", 0 failed"

# a trust file pinning the key in force now (what `constat keys` prints after
# the rotations): a later key of the chain from keys/org.vkey, which signed
# the transition that brought it in: accepted, and said
run_ok $CONSTAT verify d --trust trust-now
expect_in out "organisation key rotated at leaf 5: $org1 -> $org2, signed by both"
orgline=$(grep -n '^org ' trust-now | cut -d: -f1)
expect_in out "the organisation key pinned in trust-now line $orgline is $org2: reached from keys/org.vkey through the transitions above"
expect_in out ", 0 failed"
# a trust file pinning a key no transition of the dossier leads to: refused
python3 - trust-now > trust-other <<'PY'
import base64, hashlib, sys
for line in open(sys.argv[1]):
    if line.startswith("org "):
        name = line.split()[1].split("+", 1)[0]
        pk = hashlib.sha256(b"another organisation key").digest()
        kid = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pk).hexdigest()[:8]
        line = "org %s+%s+%s\n" % (name, kid, base64.b64encode(b"\x01" + pk).decode())
    sys.stdout.write(line)
PY
run_fails 1 $CONSTAT verify d --trust trust-other
expect_in out "nor does a key transition of this dossier lead from it to the pinned key"
# a transition line removed (and the manifest re-listed as the organisation
# would not sign it): the chain stops at the first key, bob's enrolment and
# the manifest no longer verify
cp -a d e
python3 - e <<'PY'
import sys
d = sys.argv[1]
r = open(d + "/records.jsonl").read().splitlines(True)
p = open(d + "/proofs.jsonl").read().splitlines(True)
keep = [i for i, l in enumerate(r) if '"kind":"key_transition"' not in l or '"retires":"' not in l or i != [j for j, m in enumerate(r) if '"kind":"key_transition"' in m][0]]
open(d + "/records.jsonl", "w").write("".join(r[i] for i in keep))
open(d + "/proofs.jsonl", "w").write("".join(p[i] for i in keep))
PY
run_fails 1 $CONSTAT verify e --trust trust-first
expect_in out "enrolment is not signed by the organisation key"
expect_in out "manifest.sig"
expect_not_in out "organisation key rotated at leaf 2"

# a transition signed by the old key only: the vault's chain does not
# verify, so no dossier is written
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir w
run_ok $CONSTAT monitor add dan --dir w
CONSTAT_TEST_ORG_ROTATE=newsig run_ok $CONSTAT keys rotate --org --dir w
run_fails 1 $CONSTAT dossier --out dw --dir w
expect_in err "the chain of organisation keys of this log does not verify"
[ ! -e dw ] || fail "a refused dossier left dw/"
ok
done_ok
