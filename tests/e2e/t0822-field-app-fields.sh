#!/bin/sh
# t0822 — the incident form's fields from the register and the taxonomy
# (docs/field-app.md "Recording"), in headless Chromium at 360 px
# (tests/e2e/field_app_fields.py): the register of data/registers/calais.json
# in the log, GET /api/v1/sites kept on the device, an incident with a named
# site (place.site, no place name), legal-status counts, nationalities,
# vehicles of two kinds and a transport to a register entry; the app's own
# refusals in the server's words; offline with the server stopped, the site
# list still offered (Arabic, no overflow at 360 px) and a second incident
# signed with it; a refused record with these fields back in the form as it
# was. Then `constat log --json` holds both records exactly as
# the device signed them. Skipped (77) without chromium, chromedriver or
# python3-selenium.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW # the browser writes records at its own clock

need_browser t0822
export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT register add "$SRC/data/registers/calais.json" --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)

run_ok timeout 300 $PY "$SRC/tests/e2e/field_app_fields.py" "$CONSTAT" "$T/v" "$code" amina \
    "amina password 1" "$T"
expect_in out "fields: named sites kept offline, legal status, nationalities, vehicles, transport logged"

run_ok $CONSTAT log --dir v --json
cp out log.json
python3 - <<'PY' || fail "fields.json and the log"
import json
r = json.load(open("fields.json"))
# the sites the app kept: the register as logged, positions only where given
sites = {s["id"]: s for s in r["sites"]}
assert sites["reg:place:coquelles-paf"] == {"id": "reg:place:coquelles-paf", "register": "place",
    "name": "Border-police (PAF) station, Coquelles", "commune": "Coquelles"}, sites
assert sites["reg:living_site:calais-jungle-south"]["position"] == {"lat_e7": 509660000, "lon_e7": 18860000}
logged = {i["record"]["id"]: i["record"] for i in json.load(open("log.json"))["items"]}
a, b = r["online"], r["offline"]
la, lb = logged[a["id"]], logged[b["id"]]
assert la == a and lb == b, "the log holds the records as signed on the device"
assert la["place"] == {"site": "reg:living_site:calais-jungle-south"}, la["place"]
assert la["categories"] == ["identity_check", "transport_to_station"], la["categories"]
assert la["affected"] == {"minors": "unknown", "count": 5, "legal_status": {"asylum_seeker": 2, "undocumented": 3},
                          "nationalities": ["Eritrea", "Sudan"]}, la["affected"]
assert la["authority"] == {"vehicles": [{"kind": "van", "count": 2}, {"kind": "car", "count": 1}]}, la["authority"]
assert sorted(la["transport"]) == ["destination", "released_at"], la["transport"]
assert la["transport"]["destination"] == "reg:place:coquelles-paf"
assert la["occurred"]["start"] < la["transport"]["released_at"] <= la["recorded_at"], (la["occurred"], la["transport"])
assert lb["place"] == {"name": "قرب الدوار", "site": "reg:aid_point:calais-hospital-roundabout"}, lb["place"]
assert lb["categories"] == ["arrest"] and lb["transport"] == {"destination": "reg:place:coquelles-paf"}, lb
assert lb["authority"] == {"vehicles": [{"kind": "bus", "count": 1}]}, lb["authority"]
print(a["id"], b["id"])
PY
ok
run_ok $CONSTAT verify v
done_ok
