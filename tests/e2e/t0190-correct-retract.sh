#!/bin/sh
# Corrections and retractions (docs/record.md): a second record with a logged
# id is refused naming its leaf; a correction makes the figures count the
# latest version once and say 1 corrected; a retraction leaves the incident
# (and its evidence) out and is counted; nothing is deleted; log and show say
# what was amended; a dossier of them verifies, and a tampered correction
# signature fails verification.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/vault

run_ok "$CONSTAT" init --no-passphrase --org hro --origin hro.example/log
run_ok "$CONSTAT" monitor add amina

cat > a.json <<'JSON'
{"id": "inc-a",
 "occurred": {"start": "2026-11-20T07:40:00+01:00", "end": "2026-11-20T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "affected": {"count": 10},
 "source": {"type": "direct_observation"}}
JSON
sed -e 's/"count": 10/"count": 25/' -e 's/"eviction"/"eviction", "property_seizure"/' \
    a.json > a-fixed-id.json
# a replacement may leave its id out: the corrected id is filled in
sed 's/"id": "inc-a",//' a-fixed-id.json > a-fixed.json
sed -e 's/inc-a/inc-b/' -e 's/"count": 10/"count": 4/' a.json > b.json

run_ok "$CONSTAT" record a.json --monitor amina
expect_in out "leaf index 1"
before=$(vault_digest vault)
# the same id again, same content or other content: refused, naming id and leaf
run_fails 2 "$CONSTAT" record a.json --monitor amina
expect_in err 'record id "inc-a" is already logged at leaf 1'
run_fails 2 "$CONSTAT" record a-fixed-id.json --monitor amina
expect_in err 'record id "inc-a" is already logged at leaf 1'
expect_in err "constat correct inc-a FILE"
expect_eq "$(vault_digest vault)" "$before" "vault unchanged after a refused record"
run_ok "$CONSTAT" record b.json --monitor amina
expect_in out "leaf index 2"
before=$(vault_digest vault)

# correcting or retracting what is not in the log is refused
run_fails 2 "$CONSTAT" correct inc-zz a-fixed.json --monitor amina
expect_in err 'no record "inc-zz" in the log to correct'
run_fails 2 "$CONSTAT" retract inc-zz --reason "typo" --monitor amina
expect_in err 'no record "inc-zz" in the log to retract'
run_fails 2 "$CONSTAT" correct inc-b a-fixed-id.json --monitor amina
expect_in err 'the replacement names another id than the corrected record "inc-b"'
run_fails 2 "$CONSTAT" retract enrol:amina --reason "x" --monitor amina
expect_in err 'is of kind "monitor_enrolment"'
run_fails 2 "$CONSTAT" retract inc-b --monitor amina
# a replacement that is not a valid incident names the field
sed 's/"count": 25/"count": -1/' a-fixed.json > a-bad.json
run_fails 2 "$CONSTAT" correct inc-a a-bad.json --monitor amina
expect_in err "a-bad.json: affected.count: must be an integer"
expect_eq "$(vault_digest vault)" "$before" "vault unchanged after refused amendments"

run_ok "$CONSTAT" correct inc-a a-fixed.json --monitor amina --reason "count was 25"
expect_in out "leaf index 3"
cor=$(sed -n 's/^record //p' out)
run_ok "$CONSTAT" retract inc-b --reason "recorded twice" --monitor amina
expect_in out "leaf index 4"
ret=$(sed -n 's/^record //p' out)
# once retracted: neither corrected nor retracted again
run_fails 2 "$CONSTAT" retract inc-b --reason "again" --monitor amina
expect_in err 'record "inc-b" (leaf 2) was retracted by leaf 4'
run_fails 2 "$CONSTAT" correct inc-b b.json --monitor amina
expect_in err "was retracted by leaf 4; it cannot be corrected"

# nothing deleted; log and show say what happened, by which leaf
run_ok "$CONSTAT" log
expect_in err "5 record(s)"
expect_in out "inc-a"
expect_in out "(corrected by leaf 3)"
expect_in out "(retracted by leaf 4)"
expect_in out "reason: recorded twice"
run_ok "$CONSTAT" show inc-a
expect_in out "CORRECTED: corrected by leaf 3"
expect_in out '"count": 10'
run_ok "$CONSTAT" show inc-b --json
expect_in out '"retracted_by": 4'
run_ok "$CONSTAT" show "$cor"
expect_in out '"corrects": "inc-a"'
expect_in out '"count": 25'
expect_in out "valid (key amina+"

# an evidence file attached to the wrong incident: retracting its record
# detaches it (the file and the leaf stay)
printf 'not a photo of inc-a\n' > wrong.txt
run_ok "$CONSTAT" attach inc-a wrong.txt --monitor amina
ev=ev-$(sha256sum wrong.txt | cut -c1-16)-$(printf inc-a | sha256sum | cut -c1-8)
expect_in out "$ev"
run_ok "$CONSTAT" retract "$ev" --reason "attached to the wrong incident" --monitor amina
expect_in out "leaf index 6"
run_ok "$CONSTAT" show "$ev"
expect_in out "RETRACTED: retracted by leaf 6"

# figures: the corrected version once, the retracted one left out, both counted
run_ok "$CONSTAT" checkpoint
run_ok "$CONSTAT" report --out r
expect_in out "1 record(s) counted in their corrected version, 2 retracted and left out"
python3 - r/figures.json <<'PY' || fail "figures"
import json, sys
f = {x["id"]: x["rows"] for x in json.load(open(sys.argv[1]))["figures"]}
def rows(i):
    return [(r["key"], r["value"], r["leaves"]) for r in f[i]]
assert rows("incidents_total") == [([], 1, [3])], rows("incidents_total")
assert rows("persons_affected_total") == [([], 25, [3])], rows("persons_affected_total")
assert (["property_seizure"], 1, [3]) in rows("incidents_by_category")
assert rows("records_corrected") == [(["evidence"], 0, []), (["incident"], 1, [3])]
assert rows("records_retracted") == [(["evidence"], 1, [6]), (["incident"], 1, [4])]
PY
ok
expect_in r/figures/records_retracted.csv "incident,1,4"
expect_not_in r/incidents.csv "inc-b"

# a dossier carries the incidents with their amendments, and verifies
run_ok "$CONSTAT" keys
cp out keys.txt
run_ok "$CONSTAT" dossier --out d --place verrotieres
expect_in out "with 3 correction/retraction records"
run_ok "$CONSTAT" verify d --trust keys.txt
expect_in out "VERIFIED"
expect_in d/records.jsonl "$cor"
expect_in d/records.jsonl "$ret"
cmp r/figures.json d/figures.json || fail "dossier figures differ from the report's"
ok

# a tampered correction signature fails verification, naming the leaf
cp -r d d-bad
python3 - d-bad/records.jsonl <<'PY'
import base64, json, sys
p = sys.argv[1]
lines = open(p).read().split("\n")
for i, l in enumerate(lines):
    if '"kind":"correction"' in l:
        sig = json.loads(l)["signature"]
        raw = bytearray(base64.b64decode(sig))
        raw[7] ^= 1
        lines[i] = l.replace(sig, base64.b64encode(bytes(raw)).decode())
open(p, "w").write("\n".join(lines))
PY
run_fails 1 "$CONSTAT" verify d-bad --trust keys.txt
expect_in out "leaf 3 (record $cor): signature by monitor key amina+"
expect_in out "does not verify"
# a replacement copied from `show --json` carries the leaf's commitments
# under private: refused, naming the field, not committed as if a value
sed -e 's/inc-a/inc-p/' -e 's/"count": 10}/"count": 10}, "private": {"narrative": "NARR-P"}/' a.json > p.json
run_ok "$CONSTAT" record p.json --monitor amina
pidx=$(sed -n 's/^leaf index //p' out)
run_ok "$CONSTAT" show inc-p --json
python3 - out > p-copy.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = dict(d.get("record", d))
for k in ("v", "kind", "id", "org", "monitor", "recorded_at"):
    r.pop(k, None)
r["affected"]["count"] = 11
print(json.dumps(r))
PY
before=$(vault_digest vault)
run_fails 2 "$CONSTAT" correct inc-p p-copy.json --monitor amina
expect_in err "private.narrative: is the commitment the logged record \"inc-p\" (leaf $pidx) holds, not a value"
expect_eq "$(vault_digest vault)" "$before" "vault unchanged after a refused correction"
python3 - p-copy.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["private"] = {"narrative": "NARR-P corrected"}
json.dump(r, open(sys.argv[1], "w"))
PY
run_ok "$CONSTAT" correct inc-p p-copy.json --monitor amina
cor2=$(sed -n 's/^record //p' out)
run_ok "$CONSTAT" show "$cor2" --private
expect_in out "NARR-P corrected"
# the guard holds in any case and against every commitment of the record:
# an UPPERCASE copy, or another field's commitment, is refused too
sed -e 's/inc-a/inc-q/' -e 's/"count": 10}/"count": 10}, "private": {"narrative": "NARR-Q", "contact": "C-Q"}/' a.json > q.json
run_ok "$CONSTAT" record q.json --monitor amina
qidx=$(sed -n 's/^leaf index //p' out)
run_ok "$CONSTAT" show inc-q --json
python3 - out q-up.json q-other.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = dict(d.get("record", d))
for k in ("v", "kind", "id", "org", "monitor", "recorded_at"):
    r.pop(k, None)
p = r["private"]
up = dict(r, private={"narrative": p["narrative"].upper()})
other = dict(r, private={"summary": p["contact"]})
json.dump(up, open(sys.argv[2], "w"))
json.dump(other, open(sys.argv[3], "w"))
PY
before=$(vault_digest vault)
run_fails 2 "$CONSTAT" correct inc-q q-up.json --monitor amina
expect_in err "private.narrative: is the commitment the logged record \"inc-q\" (leaf $qidx) holds, not a value (its private.narrative)"
run_fails 2 "$CONSTAT" correct inc-q q-other.json --monitor amina
expect_in err "private.summary: is the commitment the logged record \"inc-q\" (leaf $qidx) holds, not a value (its private.contact)"
# private.place_exact by hand, on a record that is not coarse: refused
sed -e 's/inc-a/inc-x/' -e 's/"count": 10}/"count": 10}, "private": {"place_exact": {"lat_e7": 509500000, "lon_e7": 18500000}}/' a.json > x.json
run_fails 2 "$CONSTAT" record x.json --monitor amina
expect_in err 'private.place_exact: is written by location_precision "coarse"'
expect_eq "$(vault_digest vault)" "$before" "vault unchanged after refused copies"
# only the monitor who recorded a record corrects or retracts it, and a
# replacement keeps that monitor
run_ok "$CONSTAT" monitor add carl
sed -e 's/inc-a/CARL-1/' a.json > c1.json
sed -e 's/inc-a/CARL-2/' a.json > c2.json
run_ok "$CONSTAT" record c1.json --monitor carl
c1idx=$(sed -n 's/^leaf index //p' out)
run_ok "$CONSTAT" record c2.json --monitor carl
c2idx=$(sed -n 's/^leaf index //p' out)
sed -e 's/"id": "inc-a",//' -e 's/"count": 10/"count": 99/' -e 's/^{/{"monitor": "amina", /' a.json > c2-amina.json
before=$(vault_digest vault)
run_fails 2 "$CONSTAT" retract CARL-1 --reason x --monitor amina
expect_in err "retracts: record \"CARL-1\" (leaf $c1idx) was recorded by monitor \"carl\"; only that monitor retracts it, not \"amina\""
run_fails 2 "$CONSTAT" correct CARL-2 c2-amina.json --monitor amina
expect_in err "corrects: record \"CARL-2\" (leaf $c2idx) was recorded by monitor \"carl\"; only that monitor corrects it, not \"amina\""
# carl cannot hand his record over to amina either
run_fails 2 "$CONSTAT" correct CARL-2 c2-amina.json --monitor carl
expect_in err "monitor: the record names another monitor than the signer ('carl')"
expect_eq "$(vault_digest vault)" "$before" "vault unchanged after refused amendments"
sed -e 's/"monitor": "amina", //' c2-amina.json > c2-carl.json
run_ok "$CONSTAT" correct CARL-2 c2-carl.json --monitor carl
run_ok "$CONSTAT" retract CARL-1 --reason "duplicate" --monitor carl
run_ok "$CONSTAT" verify vault
done_ok
