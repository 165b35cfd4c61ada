#!/bin/sh
# constat simulate draws each year's incidents at the rate of the Calais
# eviction total published for it (data/demo/published_figures.csv; docs/
# vault.md "Synthetic vaults"): the simulated vault's yearly shares
# reproduce the published ones within a stated tolerance. Records stay
# marked synthetic.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

run_ok $CONSTAT simulate --records 6000 --seed 7 --fit-published --dir s
expect_in out "yearly rates fitted to 2 published Calais eviction total(s)"
run_ok $CONSTAT report --dir s --out r
expect_in r/index.html "SYNTHETIC DATA"
python3 - r/figures.json r/incidents.csv <<'PY' || fail "simulated yearly shares"
import csv, json, sys
f = {g["id"]: g for g in json.load(open(sys.argv[1]))["figures"]}
years = {}
for r in f["incidents_by_month"]["rows"]:
    years[r["key"][0][:4]] = years.get(r["key"][0][:4], 0) + r["value"]
total = sum(years.values())
# published_figures.csv gives Calais evictions for two calendar years:
# 2020: 967, 2021: 1226 (Human Rights Observers). The five other years of
# 2018..2024 take their mean, (967 + 1226) / 2 = 1096.5; the weights sum to
# 967 + 1226 + 5 * 1096.5 = 7675.5.
w = {str(y): 1096.5 for y in range(2018, 2025)}
w["2020"], w["2021"] = 967, 1226
tw = sum(w.values())
assert tw == 7675.5, tw
# tolerance: each year's share within 10 % (relative) of its weight's share
# (6000 records, about 770 incidents a year: one standard deviation is 3.6 %)
for y in sorted(w):
    want = w[y] / tw
    got = years.get(y, 0) / total
    assert abs(got - want) <= 0.10 * want, (y, got, want, years)
# the published ratio 2021 / 2020 = 1226 / 967 = 1.268, within 10 %
ratio = years["2021"] / years["2020"]
assert abs(ratio - 1226 / 967) <= 0.10 * 1226 / 967, (ratio, years)
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8")))
assert len(rows) == total and all(r["id"].startswith("SYN-7-") for r in rows)
PY
ok
done_ok
