#!/usr/bin/env python3
# field_app_form.py — the outbox, the draft, the PIN counter and the
# resumable upload of the monitor's web app (docs/field-app.md), in headless
# Chromium at 360 px against `constat serve` on loopback (t0821).
# Usage: field_app_form.py URL CODE NAME PASSWORD VIDEO OUTDIR
# Steps: enrol with a PIN; a form half typed survives a reload; a record the
# server refuses (an unknown category, injected into the outbox as the app
# would queue it) is shown refused with Edit and Remove, edited in the form
# (its fields back in place), queued again in its place and logged; another
# refused one removed; a 2.5 MiB video sent by the resumable upload API,
# its first chunk sent before (as if a network cut stopped the app there):
# the app resumes at the received offset; RTL at 360 px with the new buttons
# does not overflow; 5 wrong PINs warn, a right one resets the count, 10
# wipe the device. Writes OUTDIR/form.json (what the shell test checks).
import json, os, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from field_app import browser, click, enrol, fail, js, outbox, overflow, wait  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402



def edit_text(d):
    """The first Edit button's text, read in the page (the outbox is redrawn
    on a language switch: an element found before may be gone)."""
    return d.execute_script("const b = document.querySelector('#outbox .out-edit'); return b ? b.textContent : null")


def main(url, code, name, password, video, outdir):
    d = browser()
    res = {}
    try:
        enrol(d, url, code, name, password, pin="4821")

        # --- a draft survives a reload (and the lock that follows it)
        d.find_element(By.ID, "go-new").click()
        wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
        d.find_element(By.ID, "f-place").send_keys("Hoverlake")
        d.find_element(By.ID, "f-summary").send_keys("half typed")
        d.find_element(By.ID, "f-narrative").send_keys("private words")
        d.find_element(By.ID, "f-add-item").click()
        Select(d.find_element(By.CSS_SELECTOR, "#f-items .i-kind")).select_by_value("tents")
        d.find_element(By.CSS_SELECTOR, "#f-items .i-count").send_keys("3")
        time.sleep(0.5)  # the last keystroke's save
        d.refresh()
        wait(d, "the lock screen after the reload", lambda: d.find_element(By.ID, "v-lock").is_displayed())
        d.find_element(By.ID, "lock-pin").send_keys("4821")
        d.find_element(By.ID, "lock-go").click()
        wait(d, "the draft back in the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        got = d.execute_script("""return {place: document.getElementById('f-place').value,
          summary: document.getElementById('f-summary').value,
          cats: [...document.querySelectorAll('#f-cats input:checked')].map(c => c.value),
          items: [...document.querySelectorAll('#f-items .item')].map(x => x.querySelector('.i-kind').value + ':' + x.querySelector('.i-count').value)}""")
        if got != {"place": "Hoverlake", "summary": "half typed", "cats": ["eviction"], "items": ["tents:3"]}:
            fail("the draft after a reload: %r" % got)
        kept = js(d, "done(JSON.stringify(await db.get('draft')))")
        if "private words" in kept or d.find_element(By.ID, "f-narrative").get_attribute("value") != "":
            fail("a private field is never kept in clear in a draft: " + kept)
        d.find_element(By.ID, "f-cancel").click()
        wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())
        if js(d, "done(await db.get('draft'))") is not None:
            fail("a cancelled form leaves no draft")
        res["draft"] = got

        # --- two records the server refuses (an unknown category)
        js(d, """
const now = new Date(), t = now.toISOString().slice(0, 19) + 'Z';
for (const s of ['refused one', 'refused two'])
  await db.queue({kind: 'incident', created: Date.now(), state: 'queued', attempts: 0, next_try: 0, sealed: null,
    draft: {occurred: {start: t, end: t, precision: 'minute'}, place: {name: 'Loon-Plage', commune: 'Loon-Plage'},
            categories: ['no_such_category'], source: {type: 'testimony'}, affected: {minors: 'yes', count: 7},
            authority: {forces: ['CRS'], officers: 12}, summary: s, recorded_at: t}});
done();""")
        d.find_element(By.ID, "sync").click()
        wait(d, "two refused", lambda: [o["state"] for o in outbox(d)] == ["failed", "failed"])
        res["refusal"] = outbox(d)[0]["text"]
        if "Refused: categories" not in res["refusal"]:
            fail("a refusal names the field: " + res["refusal"])
        if len(d.find_elements(By.CSS_SELECTOR, "#outbox .out-edit")) != 2:
            fail("each refused record has an Edit button")
        # RTL at 360 px with the new buttons
        Select(d.find_element(By.ID, "lang")).select_by_value("ar")
        wait(d, "Arabic", lambda: d.execute_script("return document.documentElement.dir") == "rtl"
             and edit_text(d) == "تعديل")
        bad = overflow(d)
        if bad:
            fail("RTL outbox overflows 360 px: " + "; ".join(bad[:10]))
        Select(d.find_element(By.ID, "lang")).select_by_value("en")
        wait(d, "English", lambda: edit_text(d) == "Edit")

        # remove the newest ("refused two", listed first)
        click(d, "#outbox li .out-remove")
        WebDriverWait(d, 10).until(lambda _: d.switch_to.alert)
        d.switch_to.alert.accept()
        wait(d, "one left", lambda: len(outbox(d)) == 1)
        left = js(d, "done((await db.items()).map(i => i.draft.summary))")
        if left != ["refused one"]:
            fail("remove took the wrong one: %r" % left)

        # edit the other: its fields are in the form; fix the category, queue again
        click(d, "#outbox li .out-edit")
        wait(d, "the form with the record", lambda: d.find_element(By.ID, "v-form").is_displayed())
        got = d.execute_script("""return {place: document.getElementById('f-place').value,
          count: document.getElementById('f-count').value, minors: document.getElementById('f-minors').value,
          officers: document.getElementById('f-officers').value, forces: document.getElementById('f-forces').value,
          source: document.getElementById('f-source').value, summary: document.getElementById('f-summary').value}""")
        want = {"place": "Loon-Plage", "count": "7", "minors": "yes", "officers": "12", "forces": "CRS",
                "source": "testimony", "summary": "refused one"}
        if got != want:
            fail("the refused record in the form: %r, want %r" % (got, want))
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
        d.find_element(By.ID, "f-summary").clear()
        d.find_element(By.ID, "f-summary").send_keys("edited after refusal")
        d.find_element(By.ID, "f-save").click()
        wait(d, "the edited record logged", lambda: [o["verified"] for o in outbox(d)] == ["true"], 60)
        one = js(d, "const x = await db.items(); done({n: x.length, id: x[0].record_id, summary: x[0].draft.summary, cats: x[0].draft.categories})")
        if one["n"] != 1 or one["summary"] != "edited after refusal" or one["cats"] != ["eviction"]:
            fail("the edited record replaces the refused one: %r" % one)
        res["edited_id"] = one["id"]

        # --- a video by the resumable upload, its first chunk sent before
        # (a network cut after it): the app resumes from the received offset
        d.find_element(By.ID, "go-new").click()
        wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
        d.find_element(By.ID, "f-place").send_keys("Rue des Huttes")
        d.find_element(By.ID, "f-photo").send_keys(video)
        wait(d, "the video's hash", lambda: "SHA-256" in d.find_element(By.ID, "f-photo-out").text)
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        d.find_element(By.ID, "f-save").click()
        # signed on the device and queued, offline
        wait(d, "queued offline", lambda: len(outbox(d)) == 2 and outbox(d)[0]["state"] == "signed")
        # kept back from the sync until the test has sent the first chunk
        js(d, "const it = (await db.items()).find((i) => i.photo); it.next_try = Date.now() + 1e9; await db.update(it); done();")
        # back online: the first chunk goes from here, as if the app had sent
        # it when the network was cut
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        part = js(d, """
const U = await import('/js/upload.js');
const it = (await db.items()).find((i) => i.photo && !i.photo.uploaded);
if (it.state !== 'signed' || it.photo.upload_id) { done({late: it.state}); return; }
const csrf = (await (await fetch('/api/v1/session', {credentials: 'same-origin'})).json()).csrf;
let r = await fetch('/api/v1/uploads', {method: 'POST', credentials: 'same-origin',
  headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
  body: JSON.stringify({sha256: it.photo.sha256, size: it.photo.size})});
const j = await r.json();
r = await fetch('/api/v1/uploads/' + j.id, {method: 'PUT', credentials: 'same-origin',
  headers: {'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrf,
            'Content-Range': 'bytes 0-' + (U.CHUNK - 1) + '/' + it.photo.size},
  body: it.photo.blob.slice(0, U.CHUNK)});
it.photo.upload_id = j.id;
it.next_try = 0;
await db.update(it);
done({id: j.id, offset: (await r.json()).offset, size: it.photo.size, sha256: it.photo.sha256});""")
        if part.get("late"):
            fail("the app sent the record before the test could cut it: %r" % part)
        res["upload"] = part
        d.find_element(By.ID, "sync").click()
        wait(d, "the video's record logged", lambda: [o["verified"] for o in outbox(d)] == ["true", "true"], 60)
        res["video_record"] = js(d, "done((await db.items()).find((i) => i.photo).record_id)")

        # --- a record signed on the device with a narrative and a person,
        # refused (marked so here, as the server would), edited without
        # typing them again: the new record keeps their sealed values and
        # commitments, under a new id
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        d.find_element(By.ID, "go-new").click()
        wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
        d.find_element(By.ID, "f-place").send_keys("Rue de Judée")
        d.find_element(By.ID, "f-summary").send_keys("signed, then refused")
        d.find_element(By.ID, "f-narrative").send_keys("narrative typed once")
        d.find_element(By.ID, "f-persons").send_keys("PERSON-EDIT-1")
        d.find_element(By.ID, "f-save").click()
        wait(d, "signed offline", lambda: len(outbox(d)) == 3 and outbox(d)[0]["state"] == "signed")
        old = js(d, """
const it = (await db.items()).find((i) => i.draft && i.draft.summary === 'signed, then refused');
it.state = 'failed'; it.error = 'refused for the test';
await db.update(it);
done({id: it.id, record_id: it.record_id, sp: it.sealed_private, sq: it.sealed_persons,
      rec: JSON.parse(it.leaf).record});""")
        if not old["sp"] or not old["sq"] or "narrative" not in old["rec"].get("private", {}):
            fail("a record signed with a narrative and a person: %r" % old)
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        d.find_element(By.ID, "go-settings").click()
        d.find_element(By.ID, "set-back").click()  # home again: the outbox is drawn anew
        wait(d, "home", lambda: d.find_element(By.ID, "v-home").is_displayed())
        wait(d, "the refused one", lambda: any(o["state"] == "failed" for o in outbox(d)))
        click(d, "#outbox li .out-edit")
        wait(d, "the form with the record", lambda: d.find_element(By.ID, "v-form").is_displayed())
        if d.find_element(By.ID, "f-narrative").get_attribute("value") != "":
            fail("a private value is never put back in the form in clear")
        d.find_element(By.ID, "f-summary").clear()
        d.find_element(By.ID, "f-summary").send_keys("edited, sealed values kept")
        d.find_element(By.ID, "f-save").click()
        wait(d, "the edited signed record logged",
             lambda: [o["verified"] for o in outbox(d)] == ["true", "true", "true"], 60)
        new = js(d, """
const it = (await db.items()).find((i) => i.draft && i.draft.summary === 'edited, sealed values kept');
done(it ? {id: it.id, record_id: it.record_id, sp: it.sealed_private, sq: it.sealed_persons,
      rec: JSON.parse(it.leaf).record} : null);""")
        if not new or new["id"] != old["id"] or new["record_id"] == old["record_id"]:
            fail("the edit replaces the refused item in place, under a new record id: %r %r" % (old, new))
        if new["sp"] != old["sp"] or new["sq"] != old["sq"]:
            fail("the sealed values are kept when not typed again")
        if new["rec"]["private"] != old["rec"]["private"] or \
                new["rec"]["affected"]["person_commitments"] != old["rec"]["affected"]["person_commitments"]:
            fail("the commitments are kept: %r / %r" % (old["rec"], new["rec"]))
        res["sealed_kept_id"] = new["record_id"]

        # --- the PIN counter: 5 wrong warn, a right one resets, 10 wipe
        d.find_element(By.ID, "go-settings").click()
        d.find_element(By.ID, "set-lock").click()
        wait(d, "locked", lambda: d.find_element(By.ID, "v-lock").is_displayed())

        def wrong(n):
            for _ in range(n):
                d.find_element(By.ID, "lock-pin").send_keys("0000")
                d.find_element(By.ID, "lock-go").click()
                time.sleep(0.8)  # PBKDF2 of the wrong PIN
        wrong(4)
        if d.find_element(By.ID, "lock-msg").text != "Wrong PIN.":
            fail("4 wrong PINs: " + d.find_element(By.ID, "lock-msg").text)
        wrong(1)
        wait(d, "the warning", lambda: d.find_element(By.ID, "lock-msg").text == "Wrong PIN. 5 attempts left before this device is wiped.")
        res["warning"] = d.find_element(By.ID, "lock-msg").text
        d.refresh()  # the count is kept on the device, not in the page
        wait(d, "locked again", lambda: d.find_element(By.ID, "v-lock").is_displayed())
        wrong(1)
        wait(d, "the count kept across a reload", lambda: d.find_element(By.ID, "lock-msg").text.endswith("4 attempts left before this device is wiped."))
        d.find_element(By.ID, "lock-pin").send_keys("4821")
        d.find_element(By.ID, "lock-go").click()
        wait(d, "unlocked", lambda: d.find_element(By.ID, "v-home").is_displayed())
        if js(d, "done(await db.get('pin_fails'))") != 0:
            fail("a right PIN resets the count")
        d.find_element(By.ID, "go-settings").click()
        d.find_element(By.ID, "set-lock").click()
        wait(d, "locked", lambda: d.find_element(By.ID, "v-lock").is_displayed())
        wrong(9)
        if "1 attempts left" not in d.find_element(By.ID, "lock-msg").text:
            fail("9 wrong PINs: " + d.find_element(By.ID, "lock-msg").text)
        d.find_element(By.ID, "lock-pin").send_keys("0000")
        d.find_element(By.ID, "lock-go").click()
        wait(d, "the device wiped", lambda: d.find_element(By.ID, "v-enrol").is_displayed()
             and d.find_element(By.ID, "en-msg").text.startswith("10 wrong PINs: this device was wiped"))
        left = d.execute_async_script("""
const done = arguments[0];
indexedDB.databases().then(async (dbs) => {
  const db = await import('/js/db.js');
  done({dbs: dbs.map((x) => x.name), device: (await db.get('device')) || null, items: (await db.items()).length});
});""")
        if left["device"] is not None or left["items"] != 0:
            fail("after the wipe: %r" % left)
        res["wiped"] = True
        json.dump(res, open(os.path.join(outdir, "form.json"), "w"))
        print("form: draft kept, refused record edited and logged, one removed, upload resumed, PIN counter wiped")
    finally:
        d.quit()


if __name__ == "__main__":
    main(*sys.argv[1:7])
