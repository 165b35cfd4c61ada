#!/bin/sh
# The report does not count what verification fails (docs/cli.md "report",
# docs/vault.md "Revocation"): once `constat monitor revoke alice --from T` is
# under the report's checkpoint, alice's incident recorded at T and her
# correction (recorded at T too) of her incident inc-b2 recorded before T
# (only a record's own monitor corrects it) are left out of the report and
# its figures, each named in a warning in the words of `constat verify`; her
# incidents recorded before T (inc-b2 in its first version), and bob's
# record, still count.
# The figures before and after are checked value by value, and the report's
# figures are byte for byte those of a dossier of the same records, which
# verifies.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
export CONSTAT_DIR=$T/v
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log
run_ok $CONSTAT monitor add alice
run_ok $CONSTAT monitor add bob
mk() { # mk ID RECORDED_AT DAY COUNT CATEGORIES
    cat > "$1.json" <<JSON
{"id": "$1", "recorded_at": "$2",
 "occurred": {"start": "2026-11-$3T07:40:00+01:00", "end": "2026-11-$3T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": [$5], "affected": {"count": $4}, "source": {"type": "direct_observation"}}
JSON
}
# the revocation is from 2026-11-29T10:00:00Z = 11:00:00+01:00 (CONSTAT_NOW: the correction's time)
mk inc-a1 2026-11-29T10:59:59+01:00 20 3 '"eviction"'
mk inc-b1 2026-11-29T10:30:00+01:00 20 2 '"eviction"'
mk inc-a2 2026-11-29T11:00:00+01:00 21 5 '"eviction", "physical_violence"'
mk inc-b2 2026-11-29T10:40:00+01:00 22 4 '"eviction"'
n=2
for r in a1:alice b1:bob a2:alice b2:alice; do
    run_ok $CONSTAT record "inc-${r%%:*}.json" --monitor "${r#*:}"
    expect_in out "leaf index $n"
    n=$((n + 1))
done
sed -e 's/"count": 4/"count": 40/' -e 's/"recorded_at": "[^"]*", //' inc-b2.json > b2-fix.json
run_ok $CONSTAT correct inc-b2 b2-fix.json --monitor alice --reason "forty, not four"
expect_in out "leaf index 6"
cor=$(sed -n 's/^record //p' out)

# id|key|value|leaves of the figures these records move
figs() {
    python3 - "$1" <<'PY'
import json, sys
figs = {f["id"]: f for f in json.load(open(sys.argv[1]))["figures"]}
want = {"incidents_total": None, "persons_affected_total": None, "incidents_by_category": None,
        "records_corrected": {"incident"}, "indicators": {"physical_violence"}}
for fid, keys in want.items():
    for r in figs[fid]["rows"]:
        if keys is None or r["key"][0] in keys:
            print("%s|%s|%d|%s" % (fid, "/".join(str(k) for k in r["key"]), r["value"],
                                   " ".join(map(str, r["leaves"]))))
PY
}

run_ok $CONSTAT report --out r-before
expect_not_in err "warning"
figs r-before/figures.json > before.txt
cat before.txt
expect_in before.txt "incidents_total||4|2 3 4 6"
expect_in before.txt "persons_affected_total||50|2 3 4 6"
expect_in before.txt "incidents_by_category|eviction|4|2 3 4 6"
expect_in before.txt "incidents_by_category|physical_violence|1|4"
expect_in before.txt "records_corrected|incident|1|6"
expect_in before.txt "indicators|physical_violence|1|4"

run_ok $CONSTAT monitor revoke alice --from 2026-11-29T10:00:00Z --reason lost-device
expect_in out "revocation record at leaf 7"
run_ok $CONSTAT checkpoint
run_fails 1 $CONSTAT verify v
expect_in out "FAIL: leaf 4 (record inc-a2): signed by alice+"
expect_in out "FAIL: leaf 6 (record $cor): signed by alice+"
kid=$(sed -n 's/^FAIL: leaf 4 (record inc-a2): signed by \(alice+[0-9a-f]*\),.*/\1/p' out)
[ -n "$kid" ] || fail "no key id in the verification"
ok

run_ok $CONSTAT report --out r-after
cat err
why="whose key was REVOKED by leaf 7 from 2026-11-29T10:00:00Z (reason: lost-device): its recorded_at is at or after that time; left out of the report and its figures, as 'constat verify' fails it"
expect_in err "constat: warning: leaf 4 (record inc-a2): signed by $kid, $why"
expect_in err "constat: warning: leaf 6 (record $cor): signed by $kid, $why"
expect_not_in err "inc-a1"
expect_eq "$(grep -c 'warning' err)" 2 "two warnings"
expect_in out "report of 3 incidents (tree size 8)"
expect_in out "2 record(s) signed by a revoked key left out (the warnings above name them)"
expect_not_in out "counted in their corrected version"
figs r-after/figures.json > after.txt
cat after.txt
expect_in after.txt "incidents_total||3|2 3 5"
expect_in after.txt "persons_affected_total||9|2 3 5"
expect_in after.txt "incidents_by_category|eviction|3|2 3 5"
expect_not_in after.txt "incidents_by_category|physical_violence"
expect_in after.txt "records_corrected|incident|0|"
expect_in after.txt "indicators|physical_violence|0|"
expect_not_in r-after/incidents.csv "inc-a2"

# the report of the 20th and 21st counts inc-a1 and inc-b1 (inc-a2 left out,
# and named; alice's correction is of another day's incident: not named),
# exactly the figures of a dossier of those two records, which verifies; a
# dossier holding inc-a2 is refused by its own verification
run_ok $CONSTAT report --out r-scope --from 2026-11-20 --to 2026-11-21
expect_in err "record inc-a2"
expect_not_in err "record $cor"
expect_in out "report of 2 incidents"
run_ok $CONSTAT dossier --out d --from 2026-11-20 --to 2026-11-20
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
expect_in out ", 0 failed"
cmp r-scope/figures.json d/figures.json || fail "the report's figures are not the dossier's"
ok
figs d/figures.json > dossier.txt
expect_in dossier.txt "incidents_total||2|2 3"
expect_in dossier.txt "persons_affected_total||5|2 3"
run_fails 1 $CONSTAT dossier --out d-bad --from 2026-11-20 --to 2026-11-21
expect_in err "whose key was REVOKED by leaf 7"
done_ok
