#!/bin/sh
# t0823 — the incident form for the rest of the record schema and the
# taxonomy's lists (docs/field-app.md "Recording"), in headless Chromium at
# 360 px (tests/e2e/field_app_schema.py). The server runs with a taxonomy
# ($CONSTAT_TAXONOMY) holding a vehicle kind (tow_truck) and a legal status
# (eu_citizen, lawfully present) that the bundled one lacks: the form offers
# them, labelled from the file, because /taxonomy.json is the server's own.
# A record filled in Arabic with the time's precision, the country, the
# eviction's associations, the release place (site, name, GPS), an item's
# origin, the source's identifier and a private witness-contact field is signed
# on the device, synced and verified; `constat log --json` and `constat show`
# hold it exactly as signed, `show --private` the sealed values; the
# figures count the taxonomy's status as lawfully present. The form refuses
# three values in the server's words, and the server refuses the same
# values with the same messages. Skipped (77) without chromium,
# chromedriver or python3-selenium.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW # the browser writes records at its own clock

need_browser t0823
python3 - "$SRC/data/taxonomy/calais.json" tax.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))
t["vehicle_kinds"].append({"id": "tow_truck", "label": {"fr": "Dépanneuses", "en": "Tow trucks", "ar": "شاحنات سحب"}})
t["legal_statuses"].insert(5, {"id": "eu_citizen", "lawfully_present": True,
                               "label": {"fr": "Citoyens de l'UE", "en": "EU citizens", "ar": "مواطنو الاتحاد الأوروبي"}})
json.dump(t, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
export CONSTAT_TAXONOMY="$T/tax.json"
export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT taxonomy
expect_in out "tow_truck                    Tow trucks / Dépanneuses"
expect_in out "eu_citizen                   * EU citizens / Citoyens de l'UE"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT register add "$SRC/data/registers/calais.json" --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)

run_ok timeout 300 $PY "$SRC/tests/e2e/field_app_schema.py" "$CONSTAT" "$T/v" "$code" amina \
    "amina password 1" "$T"
expect_in out "schema: taxonomy lists, precision, country, eviction, release place, origin, source id, witnesses logged"

id=$(python3 -c 'import json; print(json.load(open("schema.json"))["record"]["id"])')
run_ok $CONSTAT log --dir v --json
cp out log.json
run_ok $CONSTAT show "$id" --dir v --json
cp out show.json
python3 - <<'PY' || fail "schema.json, the log and show"
import json
r = json.load(open("schema.json", encoding="utf-8"))
a = r["record"]
logged = {i["record"]["id"]: i["record"] for i in json.load(open("log.json"))["items"]}
assert logged[a["id"]] == a, "the log holds the record as signed on the device"
show = json.load(open("show.json"))
shown = show.get("record", show)
assert shown == a, ("show", shown)
assert a["categories"] == ["eviction", "transport_to_station"], a["categories"]
assert a["occurred"]["precision"] == "hour", a["occurred"]
assert a["place"] == {"site": "reg:living_site:calais-jungle-south", "country": "France"}, a["place"]
assert a["authority"] == {"vehicles": [{"kind": "van", "count": 3}, {"kind": "tow_truck", "count": 1}]}, a["authority"]
assert a["affected"] == {"minors": "unknown", "legal_status": {"asylum_seeker": 2, "eu_citizen": 1}}, a["affected"]
assert a["eviction"] == {"associations_invited": ["Utopia 56", "Médecins du Monde"],
                         "associations_present": ["Utopia 56"], "invited_by": "préfecture du Pas-de-Calais"}, a["eviction"]
t = a["transport"]
assert sorted(t) == ["destination", "release_place", "released_at"], t
assert t["destination"] == "reg:place:coquelles-paf"
assert t["release_place"] == {"site": "reg:place:coquelles-paf", "name": "أمام المركز",
                              "lat_e7": 509312000, "lon_e7": 18123000}, t["release_place"]
assert a["occurred"]["start"] < t["released_at"] <= a["recorded_at"], (a["occurred"], t)
assert a["items"] == [{"kind": "tents", "action": "seized", "count": 4, "origin": "humanitarian"}], a["items"]
assert a["source"] == {"type": "testimony", "source_id": "T-17"}, a["source"]
assert a["summary"] == "إخلاء المخيم ونقل أشخاص إلى كوكيل", a["summary"]
assert sorted(a["private"]) == ["narrative", "witness_contact"], a["private"]
m = r["form_messages"]
assert m == r["server_messages"], r
assert m["day"] == "occurred: day precision runs from local midnight to the next local midnight", m
print(a["id"])
PY
ok
run_ok $CONSTAT show "$id" --dir v
expect_in out "Utopia 56"
expect_in out "T-17"
run_ok $CONSTAT show "$id" --dir v --private
expect_in out "Karim, +33 6 00 00 00 00"
expect_in out "رواية خاصة"

# the figures read the taxonomy's statuses: eu_citizen is lawfully present
run_ok $CONSTAT report --out rep --dir v
python3 - rep/figures.json <<'PY' || fail "transported_by_legal_status from the taxonomy"
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["figures"]}["transported_by_legal_status"]
assert f["parameters"]["lawfully_present"] == ["asylum_seeker", "refugee", "residence_permit",
                                               "subsidiary_protection", "stateless", "eu_citizen"], f["parameters"]
rows = {json.dumps(r["key"]): r["value"] for r in f["rows"]}
assert rows['["lawfully_present", null]'] == 3 and rows['["persons", "eu_citizen"]'] == 1, rows
PY
ok
# the bundled taxonomy lists no tow_truck: a record naming one is refused
# there, accepted with the taxonomy that lists it; a dossier carries that
# taxonomy and verifies
run_ok $CONSTAT monitor add bilal --dir v
cat > tow.json <<'JSON'
{"occurred": {"start": "2026-01-05T19:00:00+01:00", "end": "2026-01-05T19:30:00+01:00", "precision": "minute"},
 "place": {"name": "Rue de Moscou", "commune": "Calais"}, "categories": ["eviction"],
 "authority": {"vehicles": [{"kind": "tow_truck", "count": 1}]}, "source": {"type": "direct_observation"}}
JSON
CONSTAT_TAXONOMY= run_fails 2 $CONSTAT record tow.json --monitor bilal --dir v
expect_in err 'authority.vehicles[0].kind: unknown vehicle kind "tow_truck"'
run_ok $CONSTAT record tow.json --monitor bilal --dir v
run_ok $CONSTAT dossier --out d --dir v
cmp d/taxonomy.json tax.json || fail "the dossier carries the taxonomy the records were checked with"
run_ok $CONSTAT verify d
run_ok $CONSTAT verify v
done_ok
