#!/bin/sh
# Records signed offline on the device (docs/api.md "Submitting a record",
# docs/record.md "Person commitments and pseudonym bindings"): the app's own
# JavaScript (web/js/crypto.js) signs records in a real browser and posts them;
# the server logs a good one with its organisation-signed pseudonym binding in
# the same batch, answers a replay with the first receipt, and refuses, naming
# the field, a recorded_at in the future, commitments that do not open, missing
# or extra sealed pairs, private values that do not open, persons beside
# commitments, and a record signed after its key was revoked; the vault is
# unchanged by each refusal; the binding's pseudonyms are those `constat record`
# makes of the same identifiers.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW
need_browser t0810

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite dina --dir v
code=$(sed -n 's/^enrolment code for monitor dina: //p' out)
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
run_ok timeout 180 $PY "$SRC/tests/e2e/field_app.py" refusals "http://127.0.0.1:$(cat port)" "$code" dina \
    "dina password 1" "$CONSTAT" "$T/v" "$T"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
# status, field and the start of the message of each case, worked out from docs/api.md
$PY - refusals.json <<'PY' >got.txt
import json, sys
d = json.load(open(sys.argv[1]))
for k in sorted(d):
    r = d[k]
    print(k, r.get("status"), r.get("field"), (r.get("error") or "")[:60], r.get("index"))
PY
cat got.txt
expect_in got.txt "good 201 None  1"
expect_in got.txt "replay 200 None  1"
expect_in got.txt "future 400 recorded_at recorded_at: "
expect_in got.txt "is in the future"
expect_in got.txt "wrong_salt 400 sealed_persons sealed_persons: [0] does not open any of the record's"
expect_in got.txt "no_sealed 400 sealed_persons sealed_persons: the record commits to 1 person ident"
expect_in got.txt "short 400 sealed_persons sealed_persons: 1 opened for 2 person commitments"
expect_in got.txt "extra 400 sealed_persons sealed_persons: the record has no affected.person_com"
expect_in got.txt "private 400 sealed_private sealed_private.narrative: does not open the record"
expect_in got.txt "both 400 affected.person_commitments affected.person_commitments: a record carries"
expect_in got.txt "plain 201 None  3"
expect_in got.txt "revoked 403"
# leaves: 0 enrolment, 1 good, 2 its binding, 3 plain (no persons: no binding), 4 revocation
run_ok $CONSTAT log --json --dir v
$PY - out <<'PY' >log.txt
import json, sys
for it in json.load(open(sys.argv[1]))["items"]:
    print(it["index"], it["record"]["kind"], it["record"]["id"])
PY
cat log.txt
expect_eq "$(sed -n 's/^\([0-9]*\) \([a-z_]*\) .*/\1 \2/p' log.txt | tr '\n' ,)" \
    "0 monitor_enrolment,1 incident,2 pseudonym_binding,3 incident,4 revocation," "the log"
good=$(sed -n 's/^1 incident //p' log.txt)
run_ok $CONSTAT show "$(sed -n 's/^2 pseudonym_binding //p' log.txt)" --json --dir v
cp out binding.json
# the same identifiers through `constat record`: "Ali Hassan" and "  ali   HASSAN "
# normalise alike (docs/record.md "Person pseudonyms"), so two pseudonyms
run_ok $CONSTAT monitor add eve --dir v
cat > inc.json <<'JSON'
{"occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00", "precision": "minute"},
 "place": {"name": "Gare de Calais"}, "categories": ["identity_check"], "source": {"type": "direct_observation"},
 "affected": {"person_identifiers": ["Sara K.", "Ali Hassan"]}}
JSON
run_ok $CONSTAT record inc.json --monitor eve --dir v
run_ok $CONSTAT show "$(sed -n 's/^record //p' out)" --json --dir v
$PY - binding.json out "$good" <<'PY' >cmp.txt
import json, sys
b, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
b = b.get("record", b); r = r.get("record", r)
print("record", b["record"] == sys.argv[3], "persons", len(b["persons"]), b["persons"] == r["affected"]["persons"])
PY
expect_in cmp.txt "record True persons 2 True"
run_ok $CONSTAT verify v
done_ok
