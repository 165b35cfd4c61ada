#!/usr/bin/env python3
# field_app_fields.py — the incident form's fields from the register and the
# taxonomy (docs/field-app.md "Recording"), in headless Chromium at 360 px
# against `constat serve` on loopback (t0822).
# Usage: field_app_fields.py CONSTAT VAULT CODE NAME PASSWORD OUTDIR
# Steps: enrol; the site list (GET /api/v1/sites) is kept on the device; the
# app refuses, with the server's messages, a place with neither name nor
# site and a release before the start; an incident with a named site and no
# place name, legal-status counts, nationalities, vehicles of two kinds and
# a transport (destination from the register, release time) is logged; then
# the server stopped and the browser offline, the page reloaded from the
# service worker: the site list is still offered (Arabic, no overflow at
# 360 px with the transport fields shown), a second incident is signed with
# a named site and a destination; the server back, it is logged too. A
# refused record with these fields comes back into the form as it was.
# Writes OUTDIR/fields.json (what the shell test checks).
import json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from field_app import browser, click, enrol, fail, js, outbox, overflow, serve, wait  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

# datetime-local values minutes from now, in the browser's own time zone
SET_TIMES = """
const at = (m) => { const d = new Date(Date.now() + m * 60000); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };
for (const [id, m] of Object.entries(arguments[0])) {
  const e = document.getElementById(id); e.value = at(m); e.dispatchEvent(new Event('input', {bubbles: true}));
}"""


def options(d, sel):
    return d.execute_script("return [...document.querySelectorAll(arguments[0] + ' option')].map(o => o.value)", sel)


def save_refused(d, want):
    d.find_element(By.ID, "f-save").click()
    wait(d, "the message " + want, lambda: d.find_element(By.ID, "f-msg").text == want)


def main(constat, vault, code, name, password, outdir):
    srv, port = serve(constat, vault, outdir, 0)
    url = "http://127.0.0.1:%d" % port
    d = browser()
    res = {}
    try:
        enrol(d, url, code, name, password)
        wait(d, "the service worker in control", lambda: d.execute_script("return !!navigator.serviceWorker.controller"))
        wait(d, "the site list on the device", lambda: len(js(d, "done((await db.get('sites')) || [])")) == 5)
        res["sites"] = js(d, "done(await db.get('sites'))")

        # --- online: the app's own refusals, with the server's messages
        d.find_element(By.ID, "go-new").click()
        wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        sites = options(d, "#f-site")
        if sites[0] != "" or len(sites) != 6 or "reg:living_site:calais-jungle-south" not in sites:
            fail("the site select: %r" % sites)
        if not d.find_element(By.ID, "f-transport").get_attribute("hidden"):
            fail("the transport fields are hidden until an arrest or transport category is chosen")
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=identity_check]").click()
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=transport_to_station]").click()
        wait(d, "the transport fields", lambda: d.find_element(By.ID, "f-transport").is_displayed())
        if options(d, "#f-dest") != sites:
            fail("the destination select offers the register: %r" % options(d, "#f-dest"))
        save_refused(d, "place: needs at least name or site")
        Select(d.find_element(By.ID, "f-site")).select_by_value("reg:living_site:calais-jungle-south")
        d.execute_script(SET_TIMES, {"f-start": -120, "f-end": -60, "f-released": -180})
        save_refused(d, "transport.released_at: is before occurred.start")
        d.execute_script(SET_TIMES, {"f-released": -30})
        d.find_element(By.ID, "f-count").send_keys("5")
        d.find_element(By.ID, "f-ls-asylum_seeker").send_keys("2")
        d.find_element(By.ID, "f-ls-undocumented").send_keys("3")
        d.find_element(By.ID, "f-nats").send_keys("Eritrea, Sudan")
        d.find_element(By.ID, "f-veh-van").send_keys("2")
        d.find_element(By.ID, "f-veh-car").send_keys("1")
        Select(d.find_element(By.ID, "f-dest")).select_by_value("reg:place:coquelles-paf")
        d.find_element(By.ID, "f-save").click()
        wait(d, "the first record logged", lambda: [o["verified"] for o in outbox(d)] == ["true"], 60)
        first = js(d, "done(JSON.parse((await db.items())[0].leaf).record)")
        res["online"] = first

        # --- a refused record with these fields comes back into the form as it was
        js(d, """
const t = new Date().toISOString().slice(0, 19) + 'Z';
await db.queue({kind: 'incident', created: Date.now(), state: 'queued', attempts: 0, next_try: 0, sealed: null,
  draft: {occurred: {start: t, end: t, precision: 'minute'}, place: {site: 'reg:place:coquelles-paf'},
          categories: ['arrest', 'no_such_category'], source: {type: 'testimony'},
          affected: {minors: 'no', legal_status: {refugee: 4}, nationalities: ['Iran', 'Iraq']},
          authority: {vehicles: [{kind: 'cleaning_truck', count: 2}]},
          transport: {destination: 'reg:place:coquelles-paf'}, recorded_at: t}});
done();""")
        d.find_element(By.ID, "sync").click()
        wait(d, "the record refused", lambda: [o["state"] for o in outbox(d)] == ["failed", "done"])
        click(d, "#outbox .out-edit")  # found again if a sync round redrew the outbox
        wait(d, "the refused record in the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        got = d.execute_script("""const v = (id) => document.getElementById(id).value;
return {site: v('f-site'), refugee: v('f-ls-refugee'), nats: v('f-nats'), truck: v('f-veh-cleaning_truck'),
  van: v('f-veh-van'), dest: v('f-dest'), transport: !document.getElementById('f-transport').hidden}""")
        want = {"site": "reg:place:coquelles-paf", "refugee": "4", "nats": "Iran, Iraq", "truck": "2", "van": "",
                "dest": "reg:place:coquelles-paf", "transport": True}
        if got != want:
            fail("the refused record's new fields in the form: %r, want %r" % (got, want))
        d.find_element(By.ID, "f-cancel").click()
        wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())
        click(d, "#outbox li .out-remove")  # found again if a sync round redrew the outbox
        wait(d, "the confirmation", lambda: d.switch_to.alert)
        d.switch_to.alert.accept()
        wait(d, "the refused record removed", lambda: len(outbox(d)) == 1)

        # --- offline, the server stopped: the list kept on the device
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        srv.terminate()
        srv.wait(10)
        os.unlink(os.path.join(outdir, "port"))
        d.refresh()  # offline, no server: the app comes from the service worker
        wait(d, "the app after a reload offline", lambda: d.find_element(By.ID, "v-home").is_displayed()
             and d.find_element(By.ID, "net").text == "offline")
        Select(d.find_element(By.ID, "lang")).select_by_value("ar")
        wait(d, "Arabic", lambda: d.execute_script("return document.documentElement.dir") == "rtl")
        d.find_element(By.ID, "go-new").click()
        wait(d, "the form offline", lambda: d.find_element(By.ID, "v-form").is_displayed())
        if options(d, "#f-site") != sites:
            fail("offline, the site select: %r" % options(d, "#f-site"))
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=arrest]").click()
        wait(d, "the transport fields", lambda: d.find_element(By.ID, "f-transport").is_displayed())
        if d.find_element(By.ID, "f-ls-asylum_seeker").find_element(By.XPATH, "..").text != "طالبو اللجوء":
            fail("the legal-status rows in Arabic")
        bad = overflow(d)
        if bad:
            fail("RTL form with the new fields overflows 360 px: " + "; ".join(bad[:10]))
        Select(d.find_element(By.ID, "f-site")).select_by_value("reg:aid_point:calais-hospital-roundabout")
        Select(d.find_element(By.ID, "f-dest")).select_by_value("reg:place:coquelles-paf")
        d.find_element(By.ID, "f-place").send_keys("قرب الدوار")
        d.find_element(By.ID, "f-veh-bus").send_keys("1")
        d.find_element(By.ID, "f-save").click()
        wait(d, "the offline record signed", lambda: len(outbox(d)) == 2 and outbox(d)[0]["state"] == "signed")
        second = js(d, "done(JSON.parse((await db.items())[1].leaf).record)")
        res["offline"] = second

        # --- the server back, online: log in, the offline record is logged
        srv, _ = serve(constat, vault, outdir, port)
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        wait(d, "the login box", lambda: d.find_element(By.ID, "login-box").is_displayed())
        d.find_element(By.ID, "login-pass").send_keys(password)
        d.find_element(By.ID, "login-go").click()
        wait(d, "both receipts verified", lambda: [o["verified"] for o in outbox(d)] == ["true", "true"], 60)
        json.dump(res, open(os.path.join(outdir, "fields.json"), "w"))
        print("fields: named sites kept offline, legal status, nationalities, vehicles, transport logged")
    finally:
        d.quit()
        srv.terminate()
        srv.wait(10)


if __name__ == "__main__":
    main(*sys.argv[1:7])
