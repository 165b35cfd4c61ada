#!/bin/sh
# constat dossier --first-hand: a dossier of first-hand records only
# (source.type direct_observation), recorded as filter.source_type in the
# signed manifest; verify recounts its figures from those records alone and
# fails when a testimony is slipped in. Hand-made vault: incidents 1-3
# observed directly (1, 2 and 3 persons), 4 a testimony (4 persons).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
incident 1 '{"name": "Calais"}'
incident 2 '{"name": "Calais"}'
incident 3 '{"name": "Calais"}'
sed 's/"direct_observation"/"testimony"/' inc3.json | sed 's/2026-11-23/2026-11-24/g; s/"count": 3/"count": 4/; s/incident 3/incident 4/' > inc4.json
run_ok $CONSTAT record inc4.json --monitor alice
expect_in out "leaf index 4"
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --first-hand --out d
expect_in d/manifest.json '"source_type":"direct_observation"'
[ "$(wc -l <d/records.jsonl)" -eq 4 ] || fail "1 enrolment + 3 first-hand incidents: $(wc -l <d/records.jsonl) lines"
python3 - d/figures.json <<'PY' || fail "first-hand figures"
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["figures"]}
# 3 incidents, 1 + 2 + 3 = 6 persons; the testimony (4 persons) is not in
assert f["incidents_total"]["rows"][0]["value"] == 3, f["incidents_total"]
assert f["persons_affected_total"]["rows"][0]["value"] == 6, f["persons_affected_total"]
assert [r["key"] for r in f["incidents_by_source_type"]["rows"]] == [["direct_observation"]]
PY
expect_in d/report/index.html "of source type (source.type) direct_observation"
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
ok

# the whole log for comparison: 4 incidents, 10 persons
run_ok $CONSTAT dossier --out all
python3 -c "
import json
f = {x['id']: x for x in json.load(open('all/figures.json'))['figures']}
assert f['persons_affected_total']['rows'][0]['value'] == 10
" || fail "full dossier"
# a testimony leaf slipped into the first-hand dossier's records: the
# manifest's hashes and the filter check fail
cp -r d bad
grep "incident 4" all/records.jsonl >> bad/records.jsonl
run_fails 1 $CONSTAT verify bad
expect_in out "incident does not match the filter stated in manifest.json"
expect_in out "NOT VERIFIED"
done_ok
