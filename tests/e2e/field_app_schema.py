#!/usr/bin/env python3
# field_app_schema.py — the incident form's fields for the rest of the record
# schema (docs/field-app.md "Recording", docs/record.md), in headless Chromium
# at 360 px against `constat serve` on loopback (t0823). The server runs with
# the taxonomy $CONSTAT_TAXONOMY, whose legal statuses and vehicle kinds hold
# one each that the bundled taxonomy lacks.
# Usage: field_app_schema.py CONSTAT VAULT CODE NAME PASSWORD OUTDIR
# Steps: enrol; the count rows are the served taxonomy's lists, in its order,
# with its labels; the eviction block is hidden until an eviction is chosen,
# the transport block until a transport; the app refuses, in the server's
# words, a day-precision time that is not midnight to midnight, a
# publication without its reference and an amount of cash of no stated
# currency; the record is filled in Arabic (no overflow at 360 px with every
# block shown): precision, country, eviction associations, the release
# place (named site, name, GPS position), a status and a vehicle kind that
# only the served taxonomy has, an item's origin, the source's identifier, a
# private witness-contact field; it is signed, synced and verified. The same three
# values, sent by the device for the server to check (unsigned drafts,
# prepared by the server), are refused with the same messages. A refused
# record with the new fields comes back into the form as it was.
# Writes OUTDIR/schema.json (what the shell test checks).
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from field_app import browser, click, enrol, fail, js, outbox, overflow, serve, wait  # noqa: E402
from field_app_fields import SET_TIMES, options, save_refused  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

DAY = "occurred: day precision runs from local midnight to the next local midnight"
REF = "source.reference: missing"
CASH = ('items[0].count: an amount of "cash", whose currency is not stated, must be null '
        '(use a kind with an ISO 4217 currency)')
LAT, LON = 50.9312, 1.8123


def value(d, id):
    return d.find_element(By.ID, id).get_attribute("value")


def main(constat, vault, code, name, password, outdir):
    tax = json.load(open(os.environ["CONSTAT_TAXONOMY"], encoding="utf-8"))
    srv, port = serve(constat, vault, outdir, 0)
    url = "http://127.0.0.1:%d" % port
    d = browser()
    d.execute_cdp_cmd("Browser.grantPermissions", {"origin": url, "permissions": ["geolocation"]})
    d.execute_cdp_cmd("Emulation.setGeolocationOverride", {"latitude": LAT, "longitude": LON, "accuracy": 20})
    res = {}
    try:
        enrol(d, url, code, name, password)
        wait(d, "the site list on the device", lambda: len(js(d, "done((await db.get('sites')) || [])")) == 5)

        # --- the count rows are the served taxonomy's lists
        d.find_element(By.ID, "go-new").click()
        wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        rows = d.execute_script("""const r = (box) => [...document.querySelectorAll('#' + box + ' input')].map(
  (e) => [e.id, e.previousElementSibling.textContent]);
return {ls: r('f-ls'), veh: r('f-vehicles')}""")
        want = {"ls": [["f-ls-" + s["id"], s["label"]["en"]] for s in tax["legal_statuses"]],
                "veh": [["f-veh-" + v["id"], v["label"]["en"]] for v in tax["vehicle_kinds"]]}
        if rows != want:
            fail("the count rows are not the served taxonomy's lists: %r, want %r" % (rows, want))
        if ["f-veh-tow_truck", "Tow trucks"] not in rows["veh"] or ["f-ls-eu_citizen", "EU citizens"] not in rows["ls"]:
            fail("the taxonomy's own vehicle kind and status are not offered: %r" % rows)

        # --- blocks shown only for their categories
        if not d.find_element(By.ID, "f-eviction").get_attribute("hidden"):
            fail("the eviction fields are hidden until an eviction is chosen")
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
        wait(d, "the eviction fields", lambda: d.find_element(By.ID, "f-eviction").is_displayed())
        if d.find_element(By.ID, "f-transport").is_displayed():
            fail("the transport fields are shown for an eviction alone")
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=transport_to_station]").click()
        wait(d, "the transport fields", lambda: d.find_element(By.ID, "f-transport").is_displayed())
        if options(d, "#f-rel-site") != options(d, "#f-site"):
            fail("the release place's site select offers the register: %r" % options(d, "#f-rel-site"))
        Select(d.find_element(By.ID, "f-site")).select_by_value("reg:living_site:calais-jungle-south")

        # --- the app's own refusals, in the server's words
        res["form_messages"] = {}
        Select(d.find_element(By.ID, "f-precision")).select_by_value("day")
        s, e = value(d, "f-start"), value(d, "f-end")
        if not (s.endswith("T00:00") and e.endswith("T00:00") and s < e):
            fail("the day only: from midnight to the next midnight, got %s .. %s" % (s, e))
        d.execute_script(SET_TIMES, {"f-start": -125})
        if value(d, "f-start").endswith("T00:00"):
            d.execute_script(SET_TIMES, {"f-start": -126})
        save_refused(d, DAY)
        res["form_messages"]["day"] = d.find_element(By.ID, "f-msg").text
        Select(d.find_element(By.ID, "f-precision")).select_by_value("hour")
        d.execute_script(SET_TIMES, {"f-start": -120, "f-end": -60, "f-released": -30})
        Select(d.find_element(By.ID, "f-source")).select_by_value("publication")
        save_refused(d, REF)
        res["form_messages"]["reference"] = d.find_element(By.ID, "f-msg").text
        Select(d.find_element(By.ID, "f-source")).select_by_value("testimony")
        d.find_element(By.ID, "f-add-item").click()
        Select(d.find_element(By.CSS_SELECTOR, "#f-items .i-kind")).select_by_value("cash")
        d.find_element(By.CSS_SELECTOR, "#f-items .i-count").send_keys("50")
        save_refused(d, CASH)
        res["form_messages"]["cash"] = d.find_element(By.ID, "f-msg").text

        # --- the rest in Arabic: what is typed stays through the switch
        Select(d.find_element(By.ID, "lang")).select_by_value("ar")
        wait(d, "Arabic", lambda: d.execute_script("return document.documentElement.dir") == "rtl")
        if value(d, "f-site") != "reg:living_site:calais-jungle-south" or value(d, "f-precision") != "hour":
            fail("the form lost what was typed at the switch to Arabic")
        ar = {"f-veh-tow_truck": [v for v in tax["vehicle_kinds"] if v["id"] == "tow_truck"][0]["label"]["ar"],
              "f-ls-eu_citizen": [v for v in tax["legal_statuses"] if v["id"] == "eu_citizen"][0]["label"]["ar"]}
        for id, label in ar.items():
            got = d.find_element(By.ID, id).find_element(By.XPATH, "..").text
            if got != label:
                fail("the taxonomy's Arabic label of %s: %r, want %r" % (id, got, label))
        if d.find_element(By.CSS_SELECTOR, "#f-eviction legend").text != "الإخلاء":
            fail("the eviction block in Arabic")
        Select(d.find_element(By.CSS_SELECTOR, "#f-items .i-kind")).select_by_value("tents")
        d.find_element(By.CSS_SELECTOR, "#f-items .i-count").clear()
        d.find_element(By.CSS_SELECTOR, "#f-items .i-count").send_keys("4")
        Select(d.find_element(By.CSS_SELECTOR, "#f-items .i-origin")).select_by_value("humanitarian")
        d.find_element(By.ID, "f-country").send_keys("France")
        d.find_element(By.ID, "f-veh-van").send_keys("3")
        d.find_element(By.ID, "f-veh-tow_truck").send_keys("1")
        d.find_element(By.ID, "f-ls-asylum_seeker").send_keys("2")
        d.find_element(By.ID, "f-ls-eu_citizen").send_keys("1")
        d.find_element(By.ID, "f-ev-invited").send_keys("Utopia 56, Médecins du Monde")
        d.find_element(By.ID, "f-ev-present").send_keys("Utopia 56")
        d.find_element(By.ID, "f-ev-by").send_keys("préfecture du Pas-de-Calais")
        Select(d.find_element(By.ID, "f-dest")).select_by_value("reg:place:coquelles-paf")
        Select(d.find_element(By.ID, "f-rel-site")).select_by_value("reg:place:coquelles-paf")
        d.find_element(By.ID, "f-rel-name").send_keys("أمام المركز")
        d.find_element(By.ID, "f-rel-gps").click()
        wait(d, "the release place's GPS position", lambda: d.find_element(By.ID, "f-rel-gps").get_attribute("data-pos"))
        d.find_element(By.ID, "f-src-id").send_keys("T-17")
        d.find_element(By.ID, "f-summary").send_keys("إخلاء المخيم ونقل أشخاص إلى كوكيل")
        d.find_element(By.ID, "f-narrative").send_keys("رواية خاصة")
        d.find_element(By.ID, "f-witnesses").send_keys("Karim, +33 6 00 00 00 00")
        bad = overflow(d)
        if bad:
            fail("RTL form with every block shown overflows 360 px: " + "; ".join(bad[:10]))
        d.find_element(By.ID, "f-save").click()
        wait(d, "the record logged", lambda: [o["verified"] for o in outbox(d)] == ["true"], 60)
        res["record"] = js(d, "done(JSON.parse((await db.items())[0].leaf).record)")

        # --- the same values checked by the server: the same messages
        js(d, """
const t = new Date(Date.now() - 3600000).toISOString().slice(0, 19) + 'Z';
const base = {occurred: {start: t, end: t, precision: 'minute'}, place: {site: 'reg:place:coquelles-paf'},
  categories: ['arrest'], source: {type: 'testimony'}, recorded_at: t};
const q = (over) => db.queue({kind: 'incident', created: Date.now(), state: 'queued', attempts: 0, next_try: 0, sealed: null,
  draft: Object.assign({}, base, over)});
await q({occurred: {start: t, end: t, precision: 'day'}});
await q({source: {type: 'publication'}});
await q({items: [{kind: 'cash', action: 'seized', count: 50}]});
done();""")
        d.find_element(By.ID, "sync").click()
        wait(d, "the three drafts refused", lambda: [o["state"] for o in outbox(d)] == ["failed", "failed", "failed", "done"], 60)
        got = js(d, "done((await db.items()).filter((i) => i.state === 'failed').map((i) => i.error))")
        res["server_messages"] = dict(zip(["day", "reference", "cash"], got))
        if res["server_messages"] != res["form_messages"]:
            fail("the server's messages %r are not the form's %r" % (res["server_messages"], res["form_messages"]))
        js(d, "for (const i of await db.items()) if (i.state === 'failed') await db.remove(i.id); done();")

        # --- a refused record with the new fields comes back into the form as it was
        js(d, """
const t = new Date(Date.now() - 3600000).toISOString().slice(0, 19) + 'Z';
await db.queue({kind: 'incident', created: Date.now(), state: 'queued', attempts: 0, next_try: 0, sealed: null,
  draft: {occurred: {start: t, end: t, precision: 'hour'}, place: {name: 'x', country: 'France'},
          categories: ['eviction', 'no_such_category', 'transport_to_station'], source: {type: 'testimony', source_id: 'T-9'},
          eviction: {associations_invited: ['A', 'B'], invited_by: 'C'},
          transport: {release_place: {name: 'gare', site: 'reg:place:coquelles-paf', lat_e7: 509000000, lon_e7: 18000000}},
          items: [{kind: 'tents', action: 'destroyed', count: 2, origin: 'personal'}],
          authority: {vehicles: [{kind: 'tow_truck', count: 2}]}, affected: {legal_status: {eu_citizen: 5}}, recorded_at: t}});
done();""")
        d.find_element(By.ID, "sync").click()
        wait(d, "the record refused", lambda: [o["state"] for o in outbox(d)] == ["failed", "done"], 60)
        click(d, "#outbox .out-edit")  # found again if a sync round redrew the outbox
        wait(d, "the refused record in the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        got = d.execute_script("""const v = (id) => document.getElementById(id).value;
return {precision: v('f-precision'), country: v('f-country'), src_id: v('f-src-id'), invited: v('f-ev-invited'),
  present: v('f-ev-present'), by: v('f-ev-by'), rel_name: v('f-rel-name'), rel_site: v('f-rel-site'),
  rel_gps: document.getElementById('f-rel-gps').dataset.pos, origin: document.querySelector('#f-items .i-origin').value,
  truck: v('f-veh-tow_truck'), eu: v('f-ls-eu_citizen'),
  eviction: !document.getElementById('f-eviction').hidden, transport: !document.getElementById('f-transport').hidden}""")
        want = {"precision": "hour", "country": "France", "src_id": "T-9", "invited": "A, B", "present": "", "by": "C",
                "rel_name": "gare", "rel_site": "reg:place:coquelles-paf",
                "rel_gps": json.dumps({"lat_e7": 509000000, "lon_e7": 18000000}, separators=(",", ":")),
                "origin": "personal", "truck": "2", "eu": "5", "eviction": True, "transport": True}
        if got != want:
            fail("the refused record's fields in the form: %r, want %r" % (got, want))
        bad = overflow(d)
        if bad:
            fail("RTL form of the refused record overflows 360 px: " + "; ".join(bad[:10]))
        d.find_element(By.ID, "f-cancel").click()
        wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())
        json.dump(res, open(os.path.join(outdir, "schema.json"), "w"), ensure_ascii=False)
        print("schema: taxonomy lists, precision, country, eviction, release place, origin, source id, witnesses logged")
    finally:
        d.quit()
        srv.terminate()
        srv.wait(10)


if __name__ == "__main__":
    main(*sys.argv[1:7])
