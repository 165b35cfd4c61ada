#!/usr/bin/env python3
# field_app_rotation.py — the phone app follows a rotation of the
# organisation key (docs/api.md "Key transitions", web/js/orgkey.js), in
# headless Chromium against `constat serve` on loopback (t0733).
# Usage: field_app_rotation.py CONSTAT VAULT CODE NAME PASSWORD OUTDIR
# Steps: enrol; record A with a narrative, logged; the server stopped, record
# B signed and sealed to the pinned key, waiting; `keys rotate --org`; the
# server back: the app follows the transition from the key it pinned (the
# message says so, the device now pins the server's key), B is refused on
# the device as sealed to the previous key, record C is sealed to the new
# key and logged; B edited, its narrative typed again, logged; `keys rotate
# --log`: the device follows the log key too and checks E's receipt with the
# new key; then a device
# whose pinned key the transitions do not start from sends nothing.
# Writes OUTDIR/rotation.json: the record ids and narratives (the shell test
# opens them in the vault).
import json, os, subprocess, sys, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from field_app import browser, click, enrol, fail, js, outbox, serve, wait  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402



def record(d, place, narrative):
    d.find_element(By.ID, "go-new").click()
    wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
    d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
    d.find_element(By.ID, "f-place").send_keys(place)
    d.find_element(By.ID, "f-commune").send_keys("Calais")
    d.find_element(By.ID, "f-narrative").send_keys(narrative)
    d.find_element(By.ID, "f-save").click()
    wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())


def org_key(url):
    return json.load(urllib.request.urlopen(url + "/api/v1/info", timeout=10))["org_key"]


def main(constat, vault, code, name, password, outdir):
    srv, port = serve(constat, vault, outdir, 0)
    url = "http://127.0.0.1:%d" % port
    d = browser()
    res = {}
    try:
        enrol(d, url, code, name, password)
        pinned0 = js(d, "done((await db.get('device')).org_key)")
        if pinned0 != org_key(url):
            fail("the device pins the server's key at enrolment")

        record(d, "Rue A", "NARR-A-1101")
        wait(d, "record A logged", lambda: [o["verified"] for o in outbox(d)] == ["true"], 60)

        # the server stopped: B waits, sealed to the pinned key
        srv.terminate()
        srv.wait(10)
        os.unlink(os.path.join(outdir, "port"))
        record(d, "Rue B", "NARR-B-2202")
        wait(d, "record B waiting", lambda: len(outbox(d)) == 2)
        subprocess.run([constat, "keys", "rotate", "--org", "--reason", "laptop seized", "--dir", vault],
                       check=True, stdout=subprocess.DEVNULL)
        srv, port = serve(constat, vault, outdir, port)
        new = org_key(url)
        if new == pinned0:
            fail("the rotation did not change the server's key")
        click(d, "#sync")
        wait(d, "the transition followed", lambda: "The organisation key was rotated (1 step(s)"
             in d.find_element(By.ID, "sync-msg").text, 60)
        if js(d, "done((await db.get('device')).org_key)") != new:
            fail("the device does not pin the server's new key")
        wait(d, "B refused on the device", lambda: sorted(o["state"] for o in outbox(d)) == ["done", "failed"], 60)
        b = [o for o in outbox(d) if o["state"] == "failed"][0]
        if "Sealed to the organisation's previous key" not in b["text"]:
            fail("B's message: %r" % b["text"])

        record(d, "Rue C", "NARR-C-3303")
        # the restarted server knows no session: log in again
        wait(d, "the login box", lambda: d.find_element(By.ID, "login-box").is_displayed(), 60)
        d.find_element(By.ID, "login-pass").send_keys(password)
        d.find_element(By.ID, "login-go").click()
        wait(d, "record C logged", lambda: sorted(o["state"] for o in outbox(d)) == ["done", "done", "failed"], 60)
        click(d, "#outbox li[data-state=failed] .out-edit")
        wait(d, "B in the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        if d.find_element(By.ID, "f-narrative").get_attribute("value"):
            fail("the narrative sealed to the previous key is not shown (it cannot be opened)")
        d.find_element(By.ID, "f-narrative").send_keys("NARR-B-AGAIN-4404")
        d.find_element(By.ID, "f-save").click()
        wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())
        wait(d, "B logged", lambda: [o["state"] for o in outbox(d)] == ["done"] * 3
             and all(o["verified"] == "true" for o in outbox(d)), 60)

        # the log key rotated: the device follows it from the log key it pinned and checks
        # the next receipt against the new key
        log0 = js(d, "done((await db.get('device')).log_key)")
        srv.terminate()
        srv.wait(10)
        os.unlink(os.path.join(outdir, "port"))
        subprocess.run([constat, "keys", "rotate", "--log", "--reason", "log key rotation", "--dir", vault],
                       check=True, stdout=subprocess.DEVNULL)
        srv, port = serve(constat, vault, outdir, port)
        record(d, "Rue E", "NARR-E-6606")
        wait(d, "the log key followed", lambda: "The log key was rotated (1 step(s)"
             in d.find_element(By.ID, "sync-msg").text, 60)
        wait(d, "the login box", lambda: d.find_element(By.ID, "login-box").is_displayed(), 60)
        d.find_element(By.ID, "login-pass").send_keys(password)
        d.find_element(By.ID, "login-go").click()
        wait(d, "E logged, its receipt checked with the new log key",
             lambda: [o["state"] for o in outbox(d)] == ["done"] * 4 and all(o["verified"] == "true" for o in outbox(d)), 60)
        log1 = js(d, "done((await db.get('device')).log_key)")
        if log1 == log0 or log1 != json.load(urllib.request.urlopen(url + "/api/v1/info", timeout=10))["log_key"]:
            fail("the device pins the server's new log key: %s (was %s)" % (log1, log0))
        res["records"] = js(d, "done((await db.items()).map((i) => JSON.parse(i.leaf).record.id))")

        # a device whose pinned key no transition starts from: nothing sent
        js(d, """const dev = await db.get('device');
const pk = crypto.getRandomValues(new Uint8Array(32));
dev.org_key = await C.formatVkey(dev.org_key.split('+')[0], pk);
await db.put('device', dev); done();""")
        d.refresh()
        wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())
        size0 = json.load(urllib.request.urlopen(url + "/api/v1/info", timeout=10))["tree_size"]
        record(d, "Rue D", "NARR-D-5505")
        wait(d, "the key refused", lambda: "cannot be trusted" in d.find_element(By.ID, "sync-msg").text
             and "no key transition starts from the organisation key pinned at enrolment"
             in d.find_element(By.ID, "sync-msg").text, 60)
        time.sleep(1)
        if json.load(urllib.request.urlopen(url + "/api/v1/info", timeout=10))["tree_size"] != size0:
            fail("something was logged for a device that cannot trust the server's key")
        if sorted(o["state"] for o in outbox(d)) != ["done", "done", "done", "done", "signed"]:
            fail("D should wait on the device: %r" % outbox(d))
        json.dump(res, open(os.path.join(outdir, "rotation.json"), "w"))
        print("rotation: followed from the pinned key, old seals refused on the device, forged pin refused")
    finally:
        d.quit()
        srv.terminate()
        srv.wait(10)


if __name__ == "__main__":
    main(*sys.argv[1:7])
