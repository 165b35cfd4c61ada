#!/bin/sh
# Selective disclosure: two incidents with private fields, a dossier, a
# recipient key pair; the narratives of two incidents disclosed sealed to the
# recipient and checked against the commitments in the signed leaves; in
# clear, then tampered: a changed value, a salt from another record, a
# disclosure claimed for another record, a record not in the dossier; a
# wrong key and a truncated sealed file cannot be decrypted.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
cat > a.json <<'JSON'
{"id": "inc-a",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"},
 "private": {"narrative": "Tents taken at dawn by the cleaning company.",
             "witness_contact": "+33 6 11 22 33 44"}}
JSON
sed 's/inc-a/inc-b/; s/Tents taken at dawn by the cleaning company./Sleeping bags sprayed./; s/+33 6 11 22 33 44/+33 7 99/' a.json > b.json
sed 's/inc-a/inc-c/; s/2026-11-28/2026-11-20/g; s/Tents taken at dawn by the cleaning company./Third narrative./' a.json > c.json
for f in a b c; do run_ok $CONSTAT record $f.json --monitor alice --dir v; done
# the dossier holds inc-a and inc-b (28 November), not inc-c (20 November)
run_ok $CONSTAT dossier --out d --from 2026-11-28 --to 2026-11-28 --dir v

run_ok $CONSTAT keys recipient-new ddd
[ "$(stat -c %a ddd.key)" = 600 ] || fail "the recipient's secret key must be mode 0600"
ok
expect_in ddd.pub "constat-recipient-v1 "
run_fails 2 $CONSTAT keys recipient-new ddd
expect_in err "already exists"

# sealed round trip: the narratives of two records, nothing else
run_ok $CONSTAT disclose inc-a inc-b --fields narrative --to ddd.pub --out dis --dir v
expect_in out "2 field value(s) of 2 record(s), sealed"
[ ! -e dis/disclosure.json ] || fail "a sealed disclosure must hold no clear file"
ok
for s in "Tents taken" "Sleeping bags" "+33 6 11" "+33 7 99"; do
    if grep -rqaF "$s" dis; then fail "the sealed disclosure holds '$s' in clear"; fi
    ok
done
run_ok $CONSTAT verify d --disclosure dis --key ddd.key
expect_in out "record inc-a (leaf 1), field narrative: revealed and matches the signed record"
expect_in out "Tents taken at dawn by the cleaning company."
expect_in out "record inc-b (leaf 2), field narrative: revealed and matches the signed record"
expect_in out "DISCLOSURE VERIFIED: 2 revealed field(s)"
expect_not_in out "+33 6 11"
# no key, another recipient's key, the public key given as --key, a truncated file
run_fails 1 $CONSTAT verify d --disclosure dis
expect_in out "cannot decrypt"
run_ok $CONSTAT keys recipient-new other
run_fails 1 $CONSTAT verify d --disclosure dis --key other.key
expect_in out "cannot decrypt with this key"
expect_not_in out "Tents taken"
run_fails 2 $CONSTAT verify d --disclosure dis --key ddd.pub
expect_in err "PUBLIC key"
cp -r dis dis-trunc
head -c 100 dis/disclosure.sealed > dis-trunc/disclosure.sealed
run_fails 1 $CONSTAT verify d --disclosure dis-trunc --key ddd.key
expect_in out "cannot decrypt"
# --key without --disclosure, --json with it: usage errors
run_fails 2 $CONSTAT verify d --key ddd.key
run_fails 2 $CONSTAT verify d --disclosure dis --key ddd.key --json

# in clear: two fields of inc-a
run_ok $CONSTAT disclose inc-a --fields narrative,witness_contact --clear --out clr/ --dir v
expect_in out "disclosure clr:"
expect_in out "IN CLEAR"
expect_in clr/disclosure.json "Tents taken at dawn"
run_ok $CONSTAT verify d --disclosure clr
expect_in out "field witness_contact: revealed and matches the signed record"
expect_in out "DISCLOSURE VERIFIED: 2 revealed field(s)"

# tampered: edit one item of the clear disclosure (python writes the JSON)
tamper() { # tamper OUT PYTHON-STATEMENT (on the list `it` of items)
    mkdir "$1"
    python3 - clr/disclosure.json "$1/disclosure.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
it = d["items"]
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(d))
PY
}
tamper t-value 'it[0]["value"] = "Nothing happened."'
run_fails 1 $CONSTAT verify d --disclosure t-value
expect_in out "FAIL: record inc-a (leaf 1), field narrative: WRONG VALUE: the revealed value and salt do not recompute the commitment"
expect_in out "field witness_contact: revealed and matches the signed record"
expect_in out "DISCLOSURE NOT VERIFIED: 1 of 2 revealed field(s) failed"
tamper t-salt 'it[0]["salt"] = "00" * 16'
run_fails 1 $CONSTAT verify d --disclosure t-salt
expect_in out "WRONG VALUE"
# claimed for inc-b while made for inc-a: named as another record's disclosure
tamper t-other 'it[0]["record"] = "inc-b"'
run_fails 1 $CONSTAT verify d --disclosure t-other
expect_in out "record inc-b (leaf 2), field narrative: OTHER RECORD: the disclosure was made for another record: its leaf hash is that of leaf 1 (record inc-a)"
# a disclosure of a record the dossier does not hold
run_ok $CONSTAT disclose inc-c --fields narrative --clear --out c-dis --dir v
run_fails 1 $CONSTAT verify d --disclosure c-dis
expect_in out "record inc-c, field narrative: NOT IN DOSSIER"
# a field the signed record does not commit to
tamper t-field 'it[0]["field"] = "place_exact"'
run_fails 1 $CONSTAT verify d --disclosure t-field
expect_in out "NO SUCH FIELD"
# malformed: a member added
tamper t-extra 'it[0]["note"] = "x"'
run_fails 1 $CONSTAT verify d --disclosure t-extra
expect_in out "items[0]: must hold exactly"

# writing: unknown record, a record without the field, an existing folder
run_fails 2 $CONSTAT disclose inc-zz --fields narrative --clear --out z --dir v
expect_in err "record \"inc-zz\" is not in the log"
[ ! -e z ] || fail "nothing is written for an unknown record"
ok
run_fails 2 $CONSTAT disclose inc-a --fields nosuch --clear --out z --dir v
expect_in err "commits to none of the fields"
# and says which fields it can reveal
expect_in err "it commits to: narrative"
run_fails 2 $CONSTAT disclose inc-a --fields narrative --clear --out clr --dir v
expect_in err "already exists"
run_fails 2 $CONSTAT disclose inc-a --fields narrative --out z --dir v
expect_in err "exactly one of --to"
ls -d z.tmp-* 2>/dev/null && fail "a temporary folder was left behind"
ok
done_ok
