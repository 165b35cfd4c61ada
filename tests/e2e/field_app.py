#!/usr/bin/env python3
# field_app.py — the monitor's web app (web/, docs/field-app.md) in headless
# Chromium at 360 px, driven by Selenium against `constat serve` on loopback
# (t0700). Usage:
#   field_app.py vectors SRC URL [LOAD.json]  the JS crypto against tests/vectors
#                                         (and the first load on a 3G profile)
#   field_app.py flow CONSTAT VAULT CODE NAME PASSWORD OUTDIR [SHOTS_DIR]
#   field_app.py reviewmore URL ACCOUNT PASSWORD WANT_JSON DOWNLOAD_DIR  the review
#                                         page's witnesses, shifts, dossier downloads (t0701)
# flow: enrol by code, Arabic, server stopped and browser offline, three
# incidents (one with a photo) sealed and queued, reload (outbox survives,
# the app comes from the service worker), server back and online, log in,
# sync, every receipt verified on the device, one receipt tampered with in
# IndexedDB shows failing, no element wider than the 360-px viewport in
# RTL. Writes OUTDIR/ids (record ids, one a line) and OUTDIR/stats.json.
# Exit 0 ok, 1 failure (message on stderr).
import base64, glob, json, os, re, subprocess, sys, time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def browser(width=360):
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=%d,780" % width, "--lang=en-GB", "--no-first-run",
              "--disable-extensions", "--disable-background-networking"):
        o.add_argument(a)
    o.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_script_timeout(60)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": 780, "deviceScaleFactor": 2, "mobile": True})
    return d


def wait(d, what, fn, timeout=30):
    try:
        return WebDriverWait(d, timeout, poll_frequency=0.1).until(lambda _: fn())
    except Exception:
        fail("timed out waiting for " + what + "\n" + d.execute_script(
            "return document.body ? document.body.innerText : ''")[:3000])


# ---- the JS crypto against the C code's vectors ----
def vectors(src, url, out=None):
    incl = []
    for path in sorted(glob.glob(src + "/tests/vectors/merkle/transparency-dev-merkle/testdata/inclusion/**/*.json", recursive=True)):
        incl.append(dict(json.load(open(path)), file=os.path.relpath(path, src)))
    notes = json.load(open(src + "/tests/vectors/signed-note/signed-note-vectors.json"))["cases"]
    jdir = src + "/tests/vectors/jcs/cyberphone/testdata"
    jcs = []
    for path in sorted(glob.glob(jdir + "/input/*.json")):
        name = os.path.basename(path)
        text = open(path, encoding="utf-8").read()
        jcs.append({"file": name, "input": text,
                    "output": open(jdir + "/output/" + name, encoding="utf-8").read()})
    d = browser()
    try:
        # first load of a fresh browser on a throttled 3G profile (Lighthouse's:
        # 150 ms round trip, 1.6 Mb/s down, 750 kb/s up), measured for make bench only
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 150,
                          "downloadThroughput": 1600 * 1000 // 8, "uploadThroughput": 750 * 1000 // 8})
        t0 = time.time()
        d.get(url + "/")
        wait(d, "the enrolment view", lambda: d.find_element(By.ID, "v-enrol").is_displayed()
             and d.find_element(By.ID, "en-go").text != "")
        load = {"first_load_3g_ms": round((time.time() - t0) * 1000), "shell_bytes": d.execute_script(
            "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
            ".reduce((n, e) => n + (e.transferSize || 0), 0)")}
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        if out:
            json.dump(load, open(out, "w"))
        r = d.execute_async_script("""
const [incl, notes, jcs, done] = arguments;
(async () => {
  const C = await import('/js/crypto.js');
  const out = {incl_ok: 0, incl_rejected: 0, errors: [], notes_ok: 0, jcs_ok: 0, jcs_refused: 0};
  for (const v of incl) {
    let ok = true;
    try {
      await C.verifyInclusion(v.leafIdx, v.treeSize, C.unb64(v.leafHash || ''), (v.proof || []).map(C.unb64), C.unb64(v.root || ''));
    } catch (e) { ok = false; }
    if (ok === !v.wantErr) { ok ? out.incl_ok++ : out.incl_rejected++; } else out.errors.push('inclusion ' + v.file + ': ' + (ok ? 'accepted' : 'rejected'));
  }
  for (const c of notes) {
    const keys = c.vkeys || [c.vkey];
    for (const k of keys) {
      try { await C.noteOpen(c.note, await C.parseVkey(k)); out.notes_ok++; }
      catch (e) { if (c.expect.startsWith('valid')) out.errors.push('note ' + c.source + ': ' + e.message); }
    }
  }
  // a note changed by one byte no longer opens
  try { const c = notes[0]; await C.noteOpen(c.note.replace('example', 'Example'), await C.parseVkey(c.vkey)); out.errors.push('tampered note accepted'); } catch (e) { }
  // records hold safe integers only: an input with another number must be refused
  const real = (v) => typeof v === 'number' ? !Number.isSafeInteger(v) : v && typeof v === 'object' ? Object.values(v).some(real) : false;
  for (const j of jcs) {
    j.real = real(JSON.parse(j.input));
    try {
      const s = C.jcs(JSON.parse(j.input));
      if (j.real) out.errors.push('jcs ' + j.file + ': a real number was not refused');
      else if (s !== j.output) out.errors.push('jcs ' + j.file + ': ' + s); else out.jcs_ok++;
    } catch (e) { if (j.real) out.jcs_refused++; else out.errors.push('jcs ' + j.file + ': ' + e.message); }
  }
  const abc = C.hex(C.blake2b(C.te.encode('abc'), 64));
  if (abc !== 'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923') out.errors.push('blake2b abc: ' + abc);
  const empty = C.hex(C.blake2b(new Uint8Array(0), 64));
  if (empty !== '786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce') out.errors.push('blake2b empty: ' + empty);
  // 200 bytes: two blocks
  const two = C.hex(C.blake2b(new Uint8Array(200).map((_, i) => i), 24));
  out.blake2b_200 = two;
  done(out);
})().catch((e) => done({errors: ['exception: ' + e.stack]}));
""", incl, notes, jcs)
    finally:
        d.quit()
    if r["errors"]:
        fail("; ".join(r["errors"]))
    print("inclusion vectors: %d agree with the C verifier's expectations (%d verified, %d refused)"
          % (r["incl_ok"] + r["incl_rejected"], r["incl_ok"], r["incl_rejected"]))
    print("signed notes: %d opened" % r["notes_ok"])
    print("JCS: %d outputs identical, %d with reals refused" % (r["jcs_ok"], r["jcs_refused"]))
    print("blake2b-24 of bytes 0..199: " + r["blake2b_200"])


# ---- the monitor's flow ----
def overflow(d):
    """Elements sticking out of the viewport (RTL: past either edge)."""
    return d.execute_script("""
const w = document.documentElement.clientWidth, bad = [];
if (document.documentElement.scrollWidth > w + 1) bad.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + w);
for (const e of document.querySelectorAll('body *')) {
  const r = e.getBoundingClientRect();
  if (!r.width || getComputedStyle(e).visibility === 'hidden') continue;
  if (r.right > w + 0.5 || r.left < -0.5) bad.push(e.tagName + '#' + e.id + '.' + e.className + ' [' + Math.round(r.left) + ',' + Math.round(r.right) + ']');
}
return bad;""")


def serve(constat, vault, outdir, port):
    """Start constat serve on the vault at 127.0.0.1:port (0: any), its log
    appended to outdir/serve.log: (process, port)."""
    log = open(os.path.join(outdir, "serve.log"), "a")
    pf = os.path.join(outdir, "port")
    p = subprocess.Popen([constat, "serve", "--listen", "127.0.0.1:%d" % port, "--port-file",
                          pf, "--dir", vault], stdout=log, stderr=log)
    for _ in range(200):
        if os.path.exists(pf) and open(pf).read().strip():
            return p, int(open(pf).read())
        time.sleep(0.05)
    fail("server did not start")


def click(d, css):
    """Click the element at css, found again if the outbox was redrawn
    (it is, at every sync round) between finding and clicking it."""
    from selenium.common.exceptions import StaleElementReferenceException
    for _ in range(20):
        try:
            d.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    fail("could not click " + css)


# An async script with the app's IndexedDB module (db) and crypto module (C).
DB = ("const done = arguments[arguments.length - 1]; Promise.all([import('/js/db.js'), "
      "import('/js/crypto.js')]).then(async ([db, C]) => {%s}).catch((e) => done('ERR ' + e.stack));")


def js(d, body, *args):
    """Run body (which calls done(value)) with db and C; its value."""
    r = d.execute_async_script(DB % body, *args)
    if isinstance(r, str) and r.startswith("ERR "):
        fail(r)
    return r


def enrol(d, url, code, name, password, pin=None):
    """Open the app at url and enrol, in English, by code, name and
    password (and a PIN, when given) typed in the enrolment view; wait for
    the receipt."""
    d.get(url + "/")
    wait(d, "the enrolment view", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
    Select(d.find_element(By.ID, "lang")).select_by_value("en")
    d.find_element(By.ID, "en-code").send_keys(code)
    d.find_element(By.ID, "en-name").send_keys(name)
    d.find_element(By.ID, "en-pass").send_keys(password)
    if pin:
        d.find_element(By.ID, "en-pin").send_keys(pin)
    d.find_element(By.ID, "en-go").click()
    wait(d, "the enrolment receipt", lambda: d.find_element(By.ID, "v-home").is_displayed()
         and "Enrolled as" in d.find_element(By.ID, "sync-msg").text)


def outbox(d):
    return d.execute_script("return [...document.querySelectorAll('#outbox li')].map(l => ({state: l.dataset.state, verified: l.dataset.verified, text: l.innerText}))")


def check_offline_signed(d):
    """The outbox entries written offline hold their final leaves: each is
    signed by the monitor's public key (checked here, outside the browser,
    with the vkey the device enrolled), carries no pseudonym, and commits to
    its persons and private values (the sealed pairs travel beside it)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    got = d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => done({vkey: (await db.get('device')).vkey,
  items: (await db.items()).map(i => ({leaf: i.leaf, priv: !!i.sealed_private, persons: !!i.sealed_persons}))}));""")
    raw = base64.b64decode(got["vkey"].split("+", 2)[2])
    if raw[0] != 1 or len(raw) != 33:
        fail("the device's vkey is not an Ed25519 key: " + got["vkey"])
    pub = Ed25519PublicKey.from_public_bytes(raw[1:])
    ncommit = []
    for it in got["items"]:
        leaf = json.loads(it["leaf"])
        rec = leaf["record"]
        canon = it["leaf"][len('{"key_id":' + json.dumps(leaf["key_id"]) + ',"record":'):it["leaf"].rindex(',"signature":')]
        try:
            pub.verify(base64.b64decode(leaf["signature"]), b"constat-record-v1\n" + canon.encode())
        except Exception:
            fail("outbox leaf %s: the signature does not verify with the monitor's key" % rec.get("id"))
        if not re.fullmatch(r"incident-[0-9a-f]{16}", rec["id"]) or rec["monitor"] != got["vkey"].split("+")[0]:
            fail("outbox record id or monitor: %r" % rec)
        if "persons" in rec.get("affected", {}) or not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", rec["recorded_at"]):
            fail("outbox record: no pseudonyms on the device, recorded_at RFC 3339: %r" % rec)
        pc = rec.get("affected", {}).get("person_commitments", [])
        if len(pc) != 0 and not it["persons"] or not it["priv"] or sorted(rec["private"]) != ["narrative"]:
            fail("outbox record %s: commitments without their sealed pairs" % rec["id"])
        ncommit.append(len(pc))
    if sorted(ncommit) != [0, 1, 2]:
        fail("person commitments per record should be 0, 1 and 2: %r" % ncommit)


def flow(constat, vault, code, name, password, outdir, shots):
    srv, port = serve(constat, vault, outdir, 0)
    url = "http://127.0.0.1:%d" % port
    d = browser()
    stats = {}
    try:
        d.get(url + "/")
        wait(d, "the enrolment view", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
        Select(d.find_element(By.ID, "lang")).select_by_value("ar")
        wait(d, "Arabic, right to left", lambda: d.execute_script("return document.documentElement.dir") == "rtl"
             and d.find_element(By.ID, "en-go").text == "تسجيل")
        if shots:
            d.save_screenshot(os.path.join(shots, "enrol-ar.png"))
        d.find_element(By.ID, "en-code").send_keys("constat-enrol:%s?monitor=%s" % (code, name))
        d.find_element(By.ID, "en-pass").send_keys(password)
        d.find_element(By.ID, "en-go").click()
        wait(d, "the enrolment receipt", lambda: d.find_element(By.ID, "v-home").is_displayed()
             and "تم التسجيل باسم %s" % name in d.find_element(By.ID, "sync-msg").text)
        wait(d, "the service worker in control", lambda: d.execute_script(
            "return !!navigator.serviceWorker.controller"))
        time.sleep(0.5)  # the shell is cached at install, before it controls

        # offline: the browser says so, and the server is gone too
        d.execute_cdp_cmd("Network.enable", {})
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": True, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        srv.terminate()
        srv.wait(10)
        os.unlink(os.path.join(outdir, "port"))
        wait(d, "the offline badge", lambda: d.find_element(By.ID, "net").text == "غير متصل")
        photo = os.path.join(outdir, "photo.png")
        for n in (1, 2, 3):
            d.find_element(By.ID, "go-new").click()
            wait(d, "the form", lambda: d.find_element(By.ID, "v-form").is_displayed())
            d.find_element(By.CSS_SELECTOR, "#f-cats input[value=eviction]").click()
            if n < 3:  # identity checks of the same person: check_intervals counts them
                d.find_element(By.CSS_SELECTOR, "#f-cats input[value=identity_check]").click()
            if n == 2:
                d.find_element(By.CSS_SELECTOR, "#f-cats input[value=property_seizure]").click()
                d.find_element(By.ID, "f-add-item").click()
                Select(d.find_element(By.CSS_SELECTOR, "#f-items .i-kind")).select_by_value("tents")
                d.find_element(By.CSS_SELECTOR, "#f-items .i-count").send_keys("4")
            d.find_element(By.ID, "f-place").send_keys("مخيم الغابة %d" % n)
            d.find_element(By.ID, "f-commune").send_keys("Calais")
            d.find_element(By.ID, "f-forces").send_keys("CRS, Police nationale")
            d.find_element(By.ID, "f-count").send_keys(str(n + 2))
            if n == 1:
                d.find_element(By.ID, "f-persons").send_keys("أحمد، مواليد 1999")
            if n == 2:  # two person identifiers, one of them the same person again
                d.find_element(By.ID, "f-persons").send_keys("  أحمد،   مواليد 1999\nفاطمة، مواليد 2001")
            d.find_element(By.ID, "f-summary").send_keys("إخلاء رقم %d" % n)
            d.find_element(By.ID, "f-narrative").send_keys("رواية خاصة %d" % n)
            if n == 3:
                d.find_element(By.ID, "f-photo").send_keys(photo)
                wait(d, "the photo's hash", lambda: "SHA-256" in d.find_element(By.ID, "f-photo-out").text)
                stats["photo_sha256_shown"] = d.find_element(By.ID, "f-photo-out").text.split()[-1]
            if n == 1:
                bad = overflow(d)
                if bad:
                    fail("RTL form overflows 360 px: " + "; ".join(bad[:10]))
                if shots:
                    d.save_screenshot(os.path.join(shots, "form-ar.png"))
            d.find_element(By.ID, "f-save").click()
            wait(d, "record %d in the outbox" % n, lambda: len(outbox(d)) == n)
        if any(o["state"] != "signed" for o in outbox(d)):
            fail("offline records should wait, already signed: %r" % outbox(d))
        # "signed and queued": from the Save button to the signed leaf in IndexedDB
        stats["seal_queue_ms"] = d.execute_script("return globalThis.constatStats.seal_queue_ms")
        stats["sign_ms"] = d.execute_script("return globalThis.constatStats.sign_ms")
        check_offline_signed(d)

        d.refresh()  # offline, no server: the app comes from the service worker
        wait(d, "the app after a reload offline", lambda: d.find_element(By.ID, "v-home").is_displayed())
        wait(d, "the outbox after the reload", lambda: len(outbox(d)) == 3)
        bad = overflow(d)
        if bad:
            fail("RTL home overflows 360 px: " + "; ".join(bad[:10]))
        if shots:
            d.save_screenshot(os.path.join(shots, "outbox-offline-ar.png"))

        # the server back (a restart ends sessions: the app asks to log in), online
        srv, port2 = serve(constat, vault, outdir, port)
        d.execute_cdp_cmd("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                          "downloadThroughput": -1, "uploadThroughput": -1})
        wait(d, "the login box", lambda: d.find_element(By.ID, "login-box").is_displayed())
        d.find_element(By.ID, "login-pass").send_keys(password)
        d.find_element(By.ID, "login-go").click()
        wait(d, "three receipts verified", lambda: [o["verified"] for o in outbox(d)] == ["true"] * 3, 60)
        for o in outbox(d):
            if "تم التحقق من الإيصال" not in o["text"]:
                fail("receipt text: " + o["text"])
        if shots:
            d.save_screenshot(os.path.join(shots, "receipts-ar.png"))
        ids = d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => done((await db.items()).map(i => i.record_id)));""")

        # a lost answer: the same leaf sent again gets the receipt of the first time
        first = d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => {
  const it = (await db.items())[1];
  const before = {index: it.receipt.index, leaf_hash: it.receipt.leaf_hash};
  it.state = 'signed'; delete it.receipt; it.verified = false;
  await db.update(it);
  done(before);
});""")
        d.find_element(By.ID, "sync").click()
        wait(d, "the replayed receipt", lambda: d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => { const it = (await db.items())[1]; done(it.state === 'done' && it.verified && !!it.replayed); });"""))
        again = d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => { const it = (await db.items())[1]; done({index: it.receipt.index, leaf_hash: it.receipt.leaf_hash}); });""")
        if again != first:
            fail("a replay should give the first receipt: %r then %r" % (first, again))

        # one receipt changed on the device: shown failing
        d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => {
  const it = (await db.items())[0];
  const p = it.receipt.inclusion_proof;
  it.receipt.inclusion_proof = p.length ? [p[0].replace(/^./, p[0][0] === 'A' ? 'B' : 'A')].concat(p.slice(1)) : ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='];
  await db.update(it);
  done();
});""")
        d.refresh()
        wait(d, "the tampered receipt failing", lambda: sorted(o["verified"] for o in outbox(d)) == ["false", "true", "true"])
        failing = [o["text"] for o in outbox(d) if o["verified"] == "false"][0]
        if "الإيصال لا يتحقق" not in failing or "inclusion proof" not in failing:
            fail("the failing receipt should say why: " + failing)
        if shots:
            d.save_screenshot(os.path.join(shots, "tampered-ar.png"))
        open(os.path.join(outdir, "ids"), "w").write("\n".join(ids) + "\n")
        json.dump(stats, open(os.path.join(outdir, "stats.json"), "w"))
        print("flow: %d records, receipts verified on the device; %s" % (len(ids), json.dumps(stats)))
    finally:
        d.quit()
        srv.terminate()
        srv.wait(10)


# ---- PIN lock, shifts, wipe ----
def pin(url, code, name, password, outdir):
    d = browser()
    try:
        d.get(url + "/")
        wait(d, "the enrolment view", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
        Select(d.find_element(By.ID, "lang")).select_by_value("en")
        d.find_element(By.ID, "en-code").send_keys(code)
        d.find_element(By.ID, "en-name").send_keys(name)
        d.find_element(By.ID, "en-pass").send_keys(password)
        d.find_element(By.ID, "en-pin").send_keys("48")
        d.find_element(By.ID, "en-go").click()
        wait(d, "a PIN too short refused", lambda: d.find_element(By.ID, "en-msg").text == "The PIN must have 4 digits or more.")
        d.find_element(By.ID, "en-pin").send_keys("21")
        d.find_element(By.ID, "en-go").click()
        wait(d, "the enrolment receipt", lambda: ("Enrolled as %s: enrolment record at leaf" % name) in d.find_element(By.ID, "sync-msg").text)
        # the key is kept wrapped under the PIN only: no usable key at rest
        kept = d.execute_async_script("""
const done = arguments[0];
import('/js/db.js').then(async (db) => { const x = await db.get('device'); done({key: 'key' in x, wrapped: !!x.wrapped, len: x.wrapped && x.wrapped.data.length}); });""")
        if kept["key"] or not kept["wrapped"] or kept["len"] < 48:
            fail("the key should be wrapped under the PIN only: %r" % kept)
        # a shift: start, then end: one signed shift record
        d.find_element(By.ID, "shift-btn").click()
        wait(d, "the shift started", lambda: d.find_element(By.ID, "shift-btn").text == "End field presence")
        d.find_element(By.ID, "shift-btn").click()
        wait(d, "the shift receipt verified", lambda: [o["verified"] for o in outbox(d)] == ["true"])
        if not outbox(d)[0]["text"].startswith("Field presence shift-"):
            fail("shift entry: " + outbox(d)[0]["text"])
        ids = d.execute_async_script("const done = arguments[0]; import('/js/db.js').then(async (db) => done((await db.items()).map(i => i.record_id)));")
        # lock: nothing personal on the lock screen; a wrong PIN does not open
        records = "const done = arguments[0]; fetch('/api/v1/records', {credentials: 'same-origin'}).then((r) => done(r.status));"
        st = d.execute_async_script(records)
        if st != 200:
            fail("before the lock the session cookie works: GET /api/v1/records answered %s" % st)
        d.find_element(By.ID, "go-settings").click()
        d.find_element(By.ID, "set-lock").click()
        wait(d, "the lock screen", lambda: d.find_element(By.ID, "v-lock").is_displayed())
        # the lock logged out: the cookie the browser keeps no longer works
        wait(d, "the session ended by the lock", lambda: d.execute_async_script(records) == 401)
        shown = d.execute_script("return document.body.innerText")
        if name in shown or ids[0] in shown:
            fail("the lock screen shows personal data: " + shown)
        d.find_element(By.ID, "lock-pin").send_keys("1111")
        d.find_element(By.ID, "lock-go").click()
        wait(d, "a wrong PIN refused", lambda: d.find_element(By.ID, "lock-msg").text == "Wrong PIN.")
        d.refresh()  # still locked after a reload
        wait(d, "the lock screen after a reload", lambda: d.find_element(By.ID, "v-lock").is_displayed())
        d.find_element(By.ID, "lock-pin").send_keys("4821")
        d.find_element(By.ID, "lock-go").click()
        wait(d, "unlocked", lambda: d.find_element(By.ID, "v-home").is_displayed() and len(outbox(d)) == 1)
        # wipe: keys, outbox and receipts gone at once
        d.find_element(By.ID, "go-settings").click()
        d.find_element(By.ID, "set-wipe").click()
        WebDriverWait(d, 10).until(lambda _: d.switch_to.alert)
        d.switch_to.alert.accept()
        wait(d, "the enrolment view after the wipe", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
        left = d.execute_async_script("""
const done = arguments[0];
indexedDB.databases().then((dbs) => done(dbs.map((x) => x.name)));""")
        if "constat" in left:
            # the app opens it again empty: nothing may be in it
            n = d.execute_async_script("""const done = arguments[0];
import('/js/db.js').then(async (db) => done([await db.get('device'), (await db.items()).length]));""")
            if n[0] or n[1]:
                fail("the wipe left data: %r" % n)
        d.refresh()
        wait(d, "the enrolment view after a reload", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
        open(os.path.join(outdir, "shift-ids"), "w").write("\n".join(ids) + "\n")
        print("pin: wrapped key, shift %s logged, lock, wrong PIN refused, unlock, wipe" % ids[0])
    finally:
        d.quit()


# ---- a browser without Ed25519 in WebCrypto: TweetNaCl's ----
NO_ED25519 = """
(() => {
  const s = crypto.subtle, no = (a) => { const n = (a && (a.name || a)) || ''; return String(n).toLowerCase() === 'ed25519'; };
  const refuse = () => Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'));
  for (const f of ['generateKey', 'importKey']) { const o = s[f].bind(s); s[f] = (...a) => no(f === 'importKey' ? a[2] : a[0]) ? refuse() : o(...a); }
  for (const f of ['sign', 'verify']) { const o = s[f].bind(s); s[f] = (...a) => no(a[0]) ? refuse() : o(...a); }
})();"""


def fallback(url, code, name, password):
    d = browser()
    try:
        d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_ED25519})
        d.get(url + "/")
        wait(d, "the enrolment view", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
        if d.execute_async_script("const done = arguments[0]; crypto.subtle.generateKey({name: 'Ed25519'}, true, ['sign']).then(() => done(true), () => done(false));"):
            fail("the page still has WebCrypto Ed25519")
        Select(d.find_element(By.ID, "lang")).select_by_value("fr")
        d.find_element(By.ID, "en-code").send_keys(code)
        d.find_element(By.ID, "en-name").send_keys(name)
        d.find_element(By.ID, "en-pass").send_keys(password)
        d.find_element(By.ID, "en-go").click()
        wait(d, "the enrolment receipt", lambda: ("Enregistré comme %s" % name) in d.find_element(By.ID, "sync-msg").text)
        if d.execute_async_script("const done = arguments[0]; import('/js/db.js').then(async (db) => done((await db.get('device')).alg));") != "nacl":
            fail("the key should be TweetNaCl's")
        d.find_element(By.ID, "go-new").click()
        d.find_element(By.CSS_SELECTOR, "#f-cats input[value=identity_check]").click()
        d.find_element(By.ID, "f-place").send_keys("Gare de Calais")
        d.find_element(By.ID, "f-save").click()
        wait(d, "the receipt verified", lambda: [o["verified"] for o in outbox(d)] == ["true"])
        print("fallback: enrolled, signed and verified with TweetNaCl's Ed25519: " + outbox(d)[0]["text"].replace("\n", " "))
    finally:
        d.quit()


# ---- the coordinator's and the auditor's page ----
def review(url, account, password, want_json):
    want = json.loads(want_json)  # {"size": N, "monitors": {name: [incidents, shifts, other]}, "open": ID}
    d = browser()
    try:
        d.get(url + "/review.html")
        wait(d, "the login", lambda: d.find_element(By.ID, "r-go").is_displayed() and d.find_element(By.ID, "r-go").text)
        Select(d.find_element(By.ID, "lang")).select_by_value("en")
        d.find_element(By.ID, "r-name").send_keys(account)
        d.find_element(By.ID, "r-pass").send_keys(password)
        d.find_element(By.ID, "r-go").click()
        if account == want.get("refused"):
            wait(d, "a monitor sent to the app", lambda: d.find_element(By.ID, "r-msg").text == "Monitors use the app at /.")
            st = d.execute_async_script("const done = arguments[0]; fetch('/api/v1/session').then((r) => done(r.status));")
            if st != 401 or d.find_element(By.ID, "v-review").is_displayed():
                fail("a monitor's login on the review page should be closed (session: %s)" % st)
            print("review %s: refused, a monitor" % account)
            return
        wait(d, "the verification status", lambda: d.find_element(By.ID, "r-verify").text != "")
        st = d.find_element(By.ID, "r-verify").text
        if not st.startswith("Vault verified by the server: %d entries" % want["size"]):
            fail("verification status: " + st)
        # the listing arrives after the verification status: wait for it
        def per_monitor():
            return {r.get_attribute("data-monitor"): [int(c.text) for c in r.find_elements(By.TAG_NAME, "td")[1:]]
                    for r in d.find_elements(By.CSS_SELECTOR, "#r-monitors tbody tr")}
        try:
            WebDriverWait(d, 30, poll_frequency=0.1).until(lambda _: per_monitor() == want["monitors"])
        except Exception:
            fail("per monitor: %r, want %r" % (per_monitor(), want["monitors"]))
        rows = per_monitor()
        d.find_element(By.ID, "r-search").send_keys("shift")
        wait(d, "the search", lambda: len(d.find_elements(By.CSS_SELECTOR, "#r-records button")) == 1)
        d.find_element(By.ID, "r-search").clear()
        d.find_element(By.ID, "r-search").send_keys(want["open"])
        wait(d, "the record", lambda: len(d.find_elements(By.CSS_SELECTOR, "#r-records button")) == 1)
        d.find_element(By.CSS_SELECTOR, "#r-records button").click()
        wait(d, "its receipt checked", lambda: d.find_element(By.ID, "r-detail-receipt").get_attribute("data-verified") == "true")
        shown = d.find_element(By.ID, "r-detail-json").text
        if want["open"] not in shown or "narrative" in shown and "رواية" in shown:
            fail("record shown: " + shown[:500])
        bad = overflow(d)
        if bad:
            fail("the review page overflows 360 px: " + "; ".join(bad[:10]))
        print("review %s: %s; per monitor %r; %s" % (account, st, rows, d.find_element(By.ID, "r-detail-receipt").text))
    finally:
        d.quit()


# ---- the review page's witnesses, shifts and dossier downloads (t0701) ----
def review_login(d, url, account, password, lang="en"):
    d.get(url + "/review.html")
    wait(d, "the login", lambda: d.find_element(By.ID, "r-go").is_displayed() and d.find_element(By.ID, "r-go").text)
    Select(d.find_element(By.ID, "lang")).select_by_value(lang)
    d.find_element(By.ID, "r-name").send_keys(account)
    d.find_element(By.ID, "r-pass").send_keys(password)
    d.find_element(By.ID, "r-go").click()
    wait(d, "the review page", lambda: d.find_element(By.ID, "v-review").is_displayed())


def witness_rows(d):
    return {r.get_attribute("data-witness"): {"verified": r.get_attribute("data-verified"),
                                               "size": int(r.get_attribute("data-size")),
                                               "text": " | ".join(c.text for c in r.find_elements(By.TAG_NAME, "td"))}
            for r in d.find_elements(By.CSS_SELECTOR, "#r-witnesses tbody tr")}


def shift_rows(d):
    return {r.get_attribute("data-shift"): [int(r.get_attribute("data-count")), int(r.get_attribute("data-incidents"))]
            for r in d.find_elements(By.CSS_SELECTOR, "#r-shifts tbody tr[data-shift]")}


def reviewmore(url, account, password, want_json, downdir):
    """want: {"witnesses": {name: {"verified": "true"|"false"|"none", "size": N,
    "when": RFC 3339 or null}}, "shifts": {shift id: [records, incidents]},
    "downloads": [{"search": TEXT or null, "pick": [ids] or null, "file": NAME,
    "n": incidents}] (a coordinator), "refused": true (an auditor: no download)}.
    Each download is moved to downdir/N-NAME once complete."""
    want = json.loads(want_json)
    d = browser()
    try:
        tmp = os.path.join(downdir, "browser-downloads")
        os.makedirs(tmp, exist_ok=True)
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": tmp})
        review_login(d, url, account, password)
        try:
            WebDriverWait(d, 30, poll_frequency=0.1).until(
                lambda _: {k: [v["verified"], v["size"]] for k, v in witness_rows(d).items()}
                == {k: [v["verified"], v["size"]] for k, v in want["witnesses"].items()})
        except Exception:
            fail("witnesses: %r, want %r" % (witness_rows(d), want["witnesses"]))
        for name, w in witness_rows(d).items():
            ww = want["witnesses"][name]
            if ww.get("when") and ww["when"] not in w["text"]:
                fail("witness %s: its cosignature time %s not shown: %r" % (name, ww["when"], w["text"]))
            shown = {"true": "Verified against the witness's key", "false": "Does NOT verify",
                     "none": "Not cosigned yet"}[w["verified"]]
            if shown not in w["text"]:
                fail("witness %s: %r should say %r" % (name, w["text"], shown))
            print("witness %s: %s" % (name, w["text"]))
        try:
            WebDriverWait(d, 30, poll_frequency=0.1).until(lambda _: shift_rows(d) == want["shifts"])
        except Exception:
            fail("per shift: %r, want %r" % (shift_rows(d), want["shifts"]))
        for r in d.find_elements(By.CSS_SELECTOR, "#r-shifts tbody tr[data-shift]"):
            print("shift %s: %s" % (r.get_attribute("data-shift"), " | ".join(c.text for c in r.find_elements(By.TAG_NAME, "td"))))
        if want.get("refused"):
            if d.find_element(By.ID, "r-dossier").is_displayed() or d.find_elements(By.CSS_SELECTOR, "input.r-pick"):
                fail("an auditor is offered a dossier download")
            ids = want.get("try", [])
            st = d.execute_async_script("""
const [ids, done] = arguments;
(async () => {
  const csrf = (await (await fetch('/api/v1/session')).json()).csrf;
  const r = await fetch('/api/v1/dossier', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: JSON.stringify({ids})});
  done([r.status, r.headers.get('Content-Type'), await r.text()]);
})().catch((e) => done([0, '', String(e)]));""", ids)
            print("auditor download: %d %s" % (st[0], st[2].strip()))
        for n, dl in enumerate(want.get("downloads", [])):
            # the search as typed (an input event: the list is drawn again)
            d.execute_script("const b = document.getElementById('r-search'); b.value = arguments[0]; "
                             "b.dispatchEvent(new Event('input'));", dl.get("search") or "")
            for i in dl.get("pick") or []:
                click(d, "input.r-pick[data-id='%s']" % i)
            button = "r-dossier-picked" if dl.get("pick") else "r-dossier-listed"
            label = d.find_element(By.ID, button).text
            if str(dl["n"]) not in label:
                fail("the button %s says %r, want %d incidents" % (button, label, dl["n"]))
            d.find_element(By.ID, button).click()
            wait(d, "the dossier downloaded", lambda: d.find_element(By.ID, "r-dossier-msg").get_attribute("data-state") in ("done", "refused"), 120)
            msg = d.find_element(By.ID, "r-dossier-msg")
            if msg.get_attribute("data-state") != "done" or msg.get_attribute("data-file") != dl["file"]:
                fail("download %d: %s (file %r, want %r)" % (n, msg.text, msg.get_attribute("data-file"), dl["file"]))
            path = os.path.join(tmp, dl["file"])
            for _ in range(600):
                if os.path.exists(path) and not glob.glob(os.path.join(tmp, "*.crdownload")):
                    break
                time.sleep(0.1)
            else:
                fail("no downloaded file %s in %s: %r" % (dl["file"], tmp, os.listdir(tmp)))
            os.rename(path, os.path.join(downdir, "%d-%s" % (n + 1, dl["file"])))
            print("download %d: %s; %s" % (n + 1, dl["file"], msg.text))
            for i in dl.get("pick") or []:  # untick again
                click(d, "input.r-pick[data-id='%s']" % i)
        # Arabic, right to left, at 360 px: nothing sticks out
        Select(d.find_element(By.ID, "lang")).select_by_value("ar")
        wait(d, "Arabic", lambda: d.execute_script(
            "return document.documentElement.dir === 'rtl' && document.querySelectorAll('#r-witnesses tbody tr').length === arguments[0]"
            " && document.querySelectorAll('#r-shifts tbody tr[data-shift]').length === arguments[1]"
            " && document.querySelector('#r-shifts tbody tr[data-shift] td:last-child').textContent.includes('حوادث')",
            len(want["witnesses"]), len(want["shifts"])))
        bad = overflow(d)
        if bad:
            fail("the review page overflows 360 px in Arabic: " + "; ".join(bad[:10]))
        print("reviewmore %s: %d witnesses, %d shifts, %d downloads, no overflow in Arabic"
              % (account, len(want["witnesses"]), len(want["shifts"]), len(want.get("downloads", []))))
    finally:
        d.quit()


# ---- hostile record text on the review page (docs/formats.md "Text shown to people") ----
VISIBLE_CASES = [
    # (text, as shown): worked out from the table of docs/formats.md
    ("gpj\u202eexe.jpg", "gpj<U+202E>exe.jpg"),
    ("a\nb\tc\rd\x1b[31m", "a\\x0ab\\x09c\\x0dd\\x1b[31m"),
    ("\x00\x7f\x85\x9b", "\\x00\\x7f<U+0085><U+009B>"),
    ("\u200e\u200f\u061c\u202a\u202d\u2066\u2069", "<U+200E><U+200F><U+061C><U+202A><U+202D><U+2066><U+2069>"),
    ("\u2028\u2029\ufffe\uffff", "<U+2028><U+2029><U+FFFE><U+FFFF>"),
    ("Rue des Verroti\u00e8res \u0631\u0648\u0627\u064a\u0629 \\x0a \U0001F600", "Rue des Verroti\u00e8res \u0631\u0648\u0627\u064a\u0629 \\x0a \U0001F600"),
]


def reviewtext(url, account, password, record_id):
    d = browser()
    try:
        d.get(url + "/review.html")
        wait(d, "the login", lambda: d.find_element(By.ID, "r-go").is_displayed() and d.find_element(By.ID, "r-go").text)
        got = d.execute_async_script("""
const [cases, done] = arguments;
import('/js/text.js').then((t) => done({one: cases.map((c) => t.visible(c[0])),
  block: t.visibleBlock('{\\n "a": "' + cases[0][0] + '"\\n}'), lone: t.visible('x\\ud800y')}));""", VISIBLE_CASES)
        for (text, want), g in zip(VISIBLE_CASES, got["one"]):
            if g != want:
                fail("visible(%r) = %r, want %r" % (text, g, want))
        if got["block"] != '{\n "a": "gpj<U+202E>exe.jpg"\n}':
            fail("visibleBlock keeps its newlines only: %r" % got["block"])
        if got["lone"] != "x<U+D800>y":
            fail("a lone surrogate: %r" % got["lone"])
        Select(d.find_element(By.ID, "lang")).select_by_value("en")
        d.find_element(By.ID, "r-name").send_keys(account)
        d.find_element(By.ID, "r-pass").send_keys(password)
        d.find_element(By.ID, "r-go").click()
        wait(d, "the record listed", lambda: len(d.find_elements(By.CSS_SELECTOR, "#r-records button")) >= 1)
        d.find_element(By.ID, "r-search").send_keys(record_id)
        wait(d, "the record", lambda: len(d.find_elements(By.CSS_SELECTOR, "#r-records button")) == 1)
        d.find_element(By.CSS_SELECTOR, "#r-records button").click()
        wait(d, "its receipt checked", lambda: d.find_element(By.ID, "r-detail-receipt").get_attribute("data-verified") == "true")
        shown = d.execute_script("return document.getElementById('r-detail-json').textContent")
        for raw in ("\u202e", "\u2066", "\x85", "\x7f", "\x1b"):
            if raw in shown:
                fail("the record is shown with %r raw: %r" % (raw, shown[:600]))
        for want in ("gpj<U+202E>exe.jpg", "<U+2066>", "<U+0085>", "\\x7f", "\\u001b[31m"):
            if want not in shown:
                fail("the record should show %r: %r" % (want, shown[:600]))
        print("reviewtext: %d cases; record %s shown with its controls visible" % (len(VISIBLE_CASES), record_id))
    finally:
        d.quit()


# ---- records signed offline: what the server refuses (t0810) ----
OFFLINE_LIB = """
const C = await import('/js/crypto.js'), db = await import('/js/db.js');
const dev = await db.get('device');
const csrf = (await (await fetch('/api/v1/session')).json()).csrf;
const seal = async (v) => C.b64(C.sealBox(C.te.encode(JSON.stringify(v)), (await C.parseVkey(dev.org_key)).pk));
const now = (dt) => new Date(Date.now() + (dt || 0) * 1000).toISOString().replace(/\\.\\d+Z$/, 'Z');
// a record as the app signs it; over(rec, parts) may change it before signing
async function make(tag, persons, over) {
  const rec = {v: 1, kind: 'incident', id: 'incident-' + tag + '-' + C.randomHex(8), org: dev.org, monitor: dev.name,
    recorded_at: now(), occurred: {start: now(-3600), end: now(-3000), precision: 'minute'},
    place: {name: 'Gare de Calais'}, categories: ['identity_check'], source: {type: 'direct_observation'}};
  const salt = C.randomHex(16), open = persons.map((identifier) => ({salt: C.randomHex(16), identifier}));
  rec.private = {narrative: await C.commit('narrative', 'seen from 50 m', salt)};
  if (persons.length) rec.affected = {person_commitments: await Promise.all(open.map((o) => C.commit('person', o.identifier, o.salt)))};
  const parts = {priv: {narrative: {salt, value: 'seen from 50 m'}}, open};
  if (over) await over(rec, parts);
  const body = {leaf: await C.signRecord(rec, dev.key, dev.key_id), sealed_private: await seal(parts.priv)};
  if (parts.open !== null && (persons.length || parts.force)) body.sealed_persons = await seal(parts.open);
  return body;
}
async function post(body) {
  const r = await fetch('/api/v1/records', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}, body: JSON.stringify(body)});
  const j = await r.json();
  return {status: r.status, field: j.field || null, error: j.error || null, index: j.index ?? null, id: j.record_id || null};
}
"""


def refusals(url, code, name, password, constat, vault, outdir):
    d = browser()
    try:
        d.get(url + "/")
        wait(d, "the enrolment view", lambda: d.find_element(By.ID, "v-enrol").is_displayed())
        Select(d.find_element(By.ID, "lang")).select_by_value("en")
        if True:
            d.find_element(By.ID, "en-code").send_keys(code)
            d.find_element(By.ID, "en-name").send_keys(name)
            d.find_element(By.ID, "en-pass").send_keys(password)
            d.find_element(By.ID, "en-go").click()
            wait(d, "the enrolment receipt", lambda: d.find_element(By.ID, "v-home").is_displayed())
            script = OFFLINE_LIB + """
const out = {};
const good = await make('good', ['Ali Hassan', '  ali   HASSAN ', 'Sara K.']);
out.good = await post(good);
out.replay = await post(good);
out.future = await post(await make('future', [], async (r) => { r.recorded_at = now(3600); }));
out.wrong_salt = await post(await make('salt', ['Ali Hassan'], async (r, p) => { p.open[0].salt = C.randomHex(16); }));
out.no_sealed = await post(await make('nosealed', ['Ali Hassan'], async (r, p) => { p.open = null; }));
out.short = await post(await make('short', ['A', 'B'], async (r, p) => { p.open = p.open.slice(1); }));
out.extra = await post(await make('extra', [], async (r, p) => { p.open = [{salt: C.randomHex(16), identifier: 'X'}]; p.force = true; }));
out.private = await post(await make('priv', [], async (r, p) => { p.priv.narrative.value = 'other'; }));
out.both = await post(await make('both', ['A'], async (r) => { r.affected.persons = ['p:' + '0'.repeat(64)]; }));
out.plain = await post(await make('plain', []));
return out;"""
        run = lambda js: d.execute_async_script("const done = arguments[0]; (async () => {" + js + "})().then(done, (e) => done({error: String(e)}));")
        got = run(script)
        # the device lost: its key revoked from the next second by the coordinator (CLI,
        # another process); a record the device signs after that is refused
        frm = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
        subprocess.run([constat, "monitor", "revoke", name, "--from", frm, "--reason", "lost", "--dir", vault],
                       check=True, stdout=subprocess.DEVNULL)
        time.sleep(2.5)  # the server's key cache (SERVE_CACHE_TTL_MS)
        got["revoked"] = run(OFFLINE_LIB + "return await post(await make('revoked', ['Ali Hassan']));")
        json.dump(got, open(os.path.join(outdir, "refusals.json"), "w"), indent=1, sort_keys=True)
        print("refusals: " + json.dumps(got, sort_keys=True))
    finally:
        d.quit()


if __name__ == "__main__":
    if sys.argv[1] == "vectors":
        vectors(*sys.argv[2:5])
    elif sys.argv[1] == "fallback":
        fallback(*sys.argv[2:6])
    elif sys.argv[1] == "review":
        review(*sys.argv[2:6])
    elif sys.argv[1] == "reviewmore":
        reviewmore(*sys.argv[2:7])
    elif sys.argv[1] == "reviewtext":
        reviewtext(*sys.argv[2:6])
    elif sys.argv[1] == "refusals":
        refusals(*sys.argv[2:9])
    elif sys.argv[1] == "pin":
        pin(*sys.argv[2:7])
    else:
        flow(*sys.argv[2:8], sys.argv[8] if len(sys.argv) > 8 else None)
