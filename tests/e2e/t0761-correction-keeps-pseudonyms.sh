#!/bin/sh
# A correction keeps the pseudonyms of the record it corrects when it keeps
# its persons (docs/record.md "Person commitments and pseudonym bindings").
# Two records signed offline on a device (tests/e2e/offline_sign.py, the
# field app's protocol without a browser) check "Ali Hassan" twice at one
# station 70 minutes apart; the server binds their pseudonyms. A correction
# by dina (only the record's own monitor amends it), signed on the device
# the same way, whose replacement carries the same person commitments
# (in another order) leaves every figure counted by pseudonym as it was, at
# the correction's leaf, and the report and a dossier verified by `constat
# verify` give the same figures before and after. A second correction whose
# replacement commits to another set of persons gets no pseudonyms: the
# figures lose the repeated check, and the report and verify say so.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
OS=$SRC/tests/e2e/offline_sign.py
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite dina --dir v
code=$(sed -n 's/^enrolment code for monitor dina: //p' out)
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
U=http://127.0.0.1:$(cat port)
run_ok python3 "$OS" enrol "$U" "$code" dina "dina password 1" dina.key
cat > a.json <<'JSON'
{"id": "incident-00000000000000a1", "recorded_at": "2026-11-29T09:00:00Z",
 "occurred": {"start": "2026-11-20T08:00:00+01:00", "end": "2026-11-20T08:20:00+01:00",
              "precision": "minute"},
 "place": {"name": "Gare de Calais", "site": "gare-calais"}, "categories": ["identity_check"],
 "source": {"type": "direct_observation"}, "affected": {"count": 2}}
JSON
sed -e 's/00a1/00b2/' -e 's/08:00:00+01:00/09:10:00+01:00/' -e 's/08:20:00+01:00/09:30:00+01:00/' \
    -e 's/"count": 2/"count": 1/' a.json > b.json
run_ok python3 "$OS" record "$U" dina.key "dina password 1" a.json a.body "Ali Hassan" "Sara K."
expect_in out "201 "
run_ok python3 "$OS" record "$U" dina.key "dina password 1" b.json b.body "  ali   HASSAN "
expect_in out "201 "
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
# leaves: 0 dina's enrolment, 1 and 3 the records, 2 and 4 their bindings, 5 eve's enrolment
run_ok $CONSTAT monitor add eve --dir v
run_ok $CONSTAT log --json --dir v
python3 - out <<'PY' >log.txt
import json, sys
for it in json.load(open(sys.argv[1]))["items"]:
    print(it["index"], it["record"]["kind"], it["record"]["id"])
PY
expect_eq "$(cut -d' ' -f1,2 log.txt | tr '\n' ,)" \
    "0 monitor_enrolment,1 incident,2 pseudonym_binding,3 incident,4 pseudonym_binding,5 monitor_enrolment," \
    "the log"

# the figures that count persons by pseudonym: id|key|value|leaves
person_figures() {
    python3 - "$1" <<'PY'
import json, sys
figs = {f["id"]: f for f in json.load(open(sys.argv[1]))["figures"]}
want = {"repeated_checks_by_person": None, "checks_same_place_same_day": None,
        "check_intervals": {"persons_checked_twice_or_more", "intervals", "under_2h", "median_s"},
        "indicators": {"incidents_with_person_pseudonyms"}, "incidents_total": None,
        "records_corrected": {"incident"}}
for fid, keys in want.items():
    rows = figs[fid]["rows"]
    if not rows:
        print("%s|(no rows)||" % fid)
    for r in rows:
        if keys is None or r["key"][0] in keys:
            print("%s|%s|%d|%s" % (fid, "/".join(str(k) for k in r["key"]), r["value"],
                                   " ".join(map(str, r["leaves"]))))
PY
}
# a report, and a dossier of the same records verified: the same figures
report_and_dossier() { # NAME
    run_ok $CONSTAT checkpoint --dir v
    run_ok $CONSTAT report --dir v --out "rep-$1"
    cp err "rep-$1.err"
    person_figures "rep-$1/figures.json" > "$1.txt"
    run_ok $CONSTAT dossier --dir v --out "dos-$1"
    run_ok $CONSTAT verify "dos-$1"
    cp out "verify-$1.out"
    expect_in out "VERIFIED"
    expect_in out ", 0 failed"
    cmp "rep-$1/figures.json" "dos-$1/figures.json" ||
        fail "$1: the dossier's figures are not the report's"
    ok
    person_figures "dos-$1/figures.json" > "$1.dossier.txt"
    expect_eq "$(cat "$1.dossier.txt")" "$(cat "$1.txt")" "$1: dossier and report"
}

report_and_dossier before
cat before.txt
ali="p:$(sed -n 's/^repeated_checks_by_person|p:\([0-9a-f]*\)|.*/\1/p' before.txt)"
[ ${#ali} -eq 66 ] || fail "no repeated checks of one pseudonym before the correction"
ok
expect_in before.txt "repeated_checks_by_person|$ali|2|1 3"
expect_in before.txt "check_intervals|persons_checked_twice_or_more|1|1 3"
expect_in before.txt "check_intervals|intervals|1|1 3"
expect_in before.txt "check_intervals|under_2h|1|1 3"
expect_in before.txt "check_intervals|median_s|4200|1 3"
expect_in before.txt "checks_same_place_same_day|gare-calais/2026-11-20|1|1 3"
expect_in before.txt "indicators|incidents_with_person_pseudonyms|2|1 3"
expect_in before.txt "records_corrected|incident|0|"
expect_not_in rep-before.err "warning"

# correction 1: a summary added, the same persons, their commitments in
# another order (private commitments are not input: the replacement's
# `private` would be committed to afresh)
run_ok $CONSTAT show incident-00000000000000a1 --json --dir v
python3 - out <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d.get("record", d)
r.pop("private", None)
def corr(n, reason, rep):
    return {"id": "correction-00000000000000c%d" % n, "kind": "correction",
            "recorded_at": "2026-11-29T09:0%d:00Z" % n, "corrects": r["id"],
            "reason": reason, "replacement": rep}
r["summary"] = "two men checked at the station"
r["affected"]["person_commitments"].reverse()
json.dump(corr(1, "summary", r), open("a-fix.json", "w"))
r["affected"]["person_commitments"] = r["affected"]["person_commitments"][:1] # Sara K. only
r["affected"]["count"] = 1
json.dump(corr(2, "one", r), open("a-fix2.json", "w"))
PY
by_dina() { # by_dina DRAFT: dina signs DRAFT on the device and submits it
    $CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
    spid=$!
    trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
    rm -f port
    wait_port port serve.log
    run_ok python3 "$OS" record "http://127.0.0.1:$(cat port)" dina.key "dina password 1" "$1" "$1.body"
    kill $spid
    wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
    trap 'rm -rf "$T"' EXIT
}
by_dina a-fix.json
expect_in out '201 '
expect_in out '"index": 6'
report_and_dossier after
cat after.txt
# the same values, the corrected record counted at the correction's leaf 6
expect_eq "$(cut -d'|' -f1-3 after.txt | grep -v '^records_corrected')" \
    "$(cut -d'|' -f1-3 before.txt | grep -v '^records_corrected')" "values before and after"
expect_in after.txt "repeated_checks_by_person|$ali|2|3 6"
expect_in after.txt "check_intervals|persons_checked_twice_or_more|1|3 6"
expect_in after.txt "checks_same_place_same_day|gare-calais/2026-11-20|1|3 6"
expect_in after.txt "indicators|incidents_with_person_pseudonyms|2|3 6"
expect_in after.txt "records_corrected|incident|1|6"
expect_not_in rep-after.err "warning"
expect_not_in verify-after.out "WARNING (persons"

# correction 2: one of the two persons only: another set, no pseudonyms
by_dina a-fix2.json
expect_in out '"index": 7'
cor=correction-00000000000000c2
report_and_dossier changed
cat changed.txt
expect_in changed.txt "repeated_checks_by_person|(no rows)||"
expect_in changed.txt "check_intervals|persons_checked_twice_or_more|0|"
expect_in changed.txt "indicators|incidents_with_person_pseudonyms|1|3"
expect_in changed.txt "records_corrected|incident|1|7"
msg="correction $cor (leaf 7) of record incident-00000000000000a1: its replacement's 1 person commitment(s) are not the 2 of the record that the pseudonym binding at leaf 2 gives pseudonyms to, so it does not get them: the persons of this version are not counted by pseudonym"
expect_in rep-changed.err "constat: warning: $msg"
expect_in verify-changed.out "WARNING (persons not counted, not a failure): $msg"
run_ok $CONSTAT verify --json dos-changed
python3 - out <<'PY' >pn.txt
import json, sys
print(json.dumps(json.load(open(sys.argv[1]))["persons_not_counted"]))
PY
expect_in pn.txt '"index": 7'
expect_in pn.txt "its replacement's 1 person commitment(s) are not the 2"
run_ok $CONSTAT verify v
done_ok
