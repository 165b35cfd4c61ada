// app.js — the monitor's app: enrolment, the incident form, shifts, the
// outbox and its sync, receipts checked on the device, PIN lock and wipe.
// The record is signed on the device when it is written, offline (docs/field-app.md
// "Signing on the device"); sync uploads photos, submits the signed leaf, verifies.
import * as K from './orgkey.js';
import * as C from './crypto.js';
import * as db from './db.js';
import * as I from './i18n.js';
import * as O from './outbox_ui.js';
import * as P from './pin.js';
import * as U from './upload.js';

const $ = (id) => document.getElementById(id);
let dev = null;      // the enrolment (kv "device")
let signKey = null;  // CryptoKey in memory (after unlock)
let tax = null, csrf = null, syncing = false;
let editing = null; // the outbox id of a refused record being edited, else null
let sites = [];     // the register entries of the log (kv "sites", GET /api/v1/sites), kept for offline use
// The legal statuses (affected.legal_status: status -> count) and the vehicle kinds
// (authority.vehicles: [{kind, count}]) are the taxonomy's `legal_statuses` and
// `vehicle_kinds`, the lists the server validates against (/taxonomy.json is the
// server's own file, docs/field-app.md), in their order.
const statuses = () => tax.legal_statuses || [];
const vehicles = () => tax.vehicle_kinds || [];
// Categories where people are taken somewhere: the form then asks for transport;
// an eviction: the form asks which associations were invited and present.
const TRANSPORT_CATS = ['arrest', 'detention', 'transport_to_station'];
const EVICTION_CATS = ['eviction'];
const ORIGINS = ['humanitarian', 'personal'];
export const stats = { seal_queue_ms: [], sign_ms: [] };
globalThis.constatStats = stats;

function show(v) {
  for (const s of document.querySelectorAll('main>section')) s.hidden = s.id !== 'v-' + v;
}

async function api(method, path, body, type) {
  const h = {};
  if (body !== undefined) h['Content-Type'] = type || 'application/json';
  if (csrf && method !== 'GET') h['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : type ? body : JSON.stringify(body) });
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  return { status: r.status, body: j, retry: Number(r.headers.get('Retry-After') || 0) };
}
// the field in brackets unless the message starts with it ("code: unknown enrolment code")
const refusal = (r) => (r.body && r.body.error ? r.body.error +
  (r.body.field && !r.body.error.startsWith(r.body.field + ':') ? ' (' + r.body.field + ')' : '') : 'HTTP ' + r.status);

// ---- time: RFC 3339 with the device's offset at that moment ----
function rfc3339(d) {
  const p = (n) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' +
    p(d.getMinutes()) + ':' + p(d.getSeconds()) + (off >= 0 ? '+' : '-') + p(Math.trunc(off / 60)) + ':' + p(off % 60);
}
function localInput(d) { return rfc3339(d).slice(0, 16); }

// ---- keys: non-extractable CryptoKey, or pkcs8 wrapped under the PIN ----
async function pinKey(pin, salt) {
  const base = await crypto.subtle.importKey('raw', C.te.encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 310000 }, base,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}
async function unlock(pin) {
  const w = dev.wrapped;
  const k = await pinKey(pin, w.salt);
  let pk8;
  try { pk8 = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: w.iv }, k, w.data)); } catch (e) { return false; }
  if (dev.alg === 'nacl') { signKey = { nacl: pk8 }; return true; }
  signKey = await crypto.subtle.importKey('pkcs8', pk8, { name: 'Ed25519' }, false, ['sign']);
  pk8.fill(0);
  return true;
}

// ---- enrolment ----
function parseCode(text, name) {
  const m = /^constat-enrol:([A-Z2-7]+)\?(.*)$/.exec(text.trim());
  if (m) {
    const q = new URLSearchParams(m[2]);
    return { code: m[1], name: q.get('monitor') || name };
  }
  return { code: text.trim().toUpperCase(), name };
}
async function enrol() {
  const msg = $('en-msg');
  msg.textContent = '';
  const { code, name } = parseCode($('en-code').value, $('en-name').value.trim());
  const pass = $('en-pass').value, pin = $('en-pin').value;
  if (!code || !name) { msg.textContent = I.t('enrol.need'); return; }
  if (pass.length < 10) { msg.textContent = I.t('enrol.short_password'); return; }
  if (pin && pin.length < 4) { msg.textContent = I.t('enrol.short_pin'); return; }
  const info = await api('GET', '/api/v1/info');
  if (info.status !== 200) { msg.textContent = refusal(info); return; }
  // WebCrypto Ed25519; where the browser lacks it, TweetNaCl's (the secret key is then
  // bytes the page can read: kept wrapped under the PIN, or as they are without one)
  let pk, pk8, alg = 'webcrypto';
  try {
    const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']);
    pk = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    pk8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey));
  } catch (e) {
    const kp = globalThis.nacl.sign.keyPair();
    pk = kp.publicKey; pk8 = kp.secretKey; alg = 'nacl';
  }
  const vkey = await C.formatVkey(name, pk);
  const d = { name, vkey, key_id: name + '+' + vkey.split('+')[1], org_key: info.body.org_key,
    log_key: info.body.log_key, org: info.body.org, shift: null, alg };
  if (pin) {
    const salt = crypto.getRandomValues(new Uint8Array(16)), iv = crypto.getRandomValues(new Uint8Array(12));
    const k = await pinKey(pin, salt);
    d.wrapped = { salt, iv, data: new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, k, pk8)) };
  } else {
    d.key = alg === 'nacl' ? { nacl: pk8.slice() } : await crypto.subtle.importKey('pkcs8', pk8, { name: 'Ed25519' }, false, ['sign']);
  }
  signKey = alg === 'nacl' ? { nacl: pk8.slice() } : await crypto.subtle.importKey('pkcs8', pk8, { name: 'Ed25519' }, false, ['sign']);
  pk8.fill(0);
  const r = await api('POST', '/api/v1/enrol', { code, vkey, password: pass });
  if (r.status !== 201) { signKey = null; msg.textContent = refusal(r); return; }
  d.enrolment_index = r.body.enrolment_index;
  await db.put('device', d);
  dev = d;
  await login(pass);
  await refreshSites();
  home();
  $('sync-msg').textContent = I.t('enrol.done', { name, index: r.body.enrolment_index });
}
async function login(pass) {
  const r = await api('POST', '/api/v1/login', { name: dev.name, password: pass });
  if (r.status !== 200) return refusal(r);
  csrf = r.body.csrf;
  return null;
}
async function session() {
  if (csrf) return true;
  const r = await api('GET', '/api/v1/session');
  if (r.status === 200) { csrf = r.body.csrf; return true; }
  return false;
}

// ---- the form, from the taxonomy ----
// The count rows (legal statuses, vehicle kinds of the taxonomy): one number input
// each, made once, labelled in the chosen language (relabel); none when the
// taxonomy lists none.
function countRows(box, prefix, list) {
  for (const k of list) {
    const l = document.createElement('label'), s = document.createElement('span'), n = document.createElement('input');
    s.textContent = I.label(k.label);
    n.id = prefix + k.id; n.type = 'number'; n.min = '0'; n.inputMode = 'numeric';
    l.append(s, n);
    box.append(l);
  }
  box.hidden = !list.length;
}
// The named sites (the register) in both site selects, "none" first; a choice is kept.
function fillSites() {
  for (const sel of document.querySelectorAll('select.sites')) {
    const v = sel.value;
    sel.textContent = '';
    const none = new Option(I.t('form.site_none'), '');
    none.dataset.i18n = 'form.site_none';
    sel.add(none);
    for (const x of sites) sel.add(new Option(x.name + (x.commune && !x.name.includes(x.commune) ? ' (' + x.commune + ')' : ''), x.id));
    sel.value = sites.some((x) => x.id === v) ? v : '';
  }
  $('f-site-out').textContent = sites.length ? '' : I.t('form.no_sites');
}
// The list from the server when online and logged in, kept on the device (kv "sites").
async function refreshSites() {
  try {
    if (!navigator.onLine || !(await session())) return;
    const r = await api('GET', '/api/v1/sites');
    if (r.status !== 200 || !r.body || !Array.isArray(r.body.sites)) return;
    sites = r.body.sites;
    await db.put('sites', sites);
    fillSites();
  } catch (e) { /* offline: the list kept on the device stays */ }
}
// The blocks shown only for some categories: transport, eviction.
const chosen = (cats) => [...document.querySelectorAll('#f-cats input:checked')].some((c) => cats.includes(c.value));
function transportShown() {
  const on = chosen(TRANSPORT_CATS);
  $('f-transport').hidden = !on;
  $('f-eviction').hidden = !chosen(EVICTION_CATS);
  return on;
}
const evictionShown = () => { transportShown(); return !$('f-eviction').hidden; };
// "the day only": from the start's local midnight to the next (docs/record.md).
function dayPrecision() {
  if ($('f-precision').value !== 'day') return;
  const s = new Date($('f-start').value);
  if (isNaN(s)) return;
  const a = new Date(s.getFullYear(), s.getMonth(), s.getDate()), b = new Date(s.getFullYear(), s.getMonth(), s.getDate() + 1);
  $('f-start').value = localInput(a);
  $('f-end').value = localInput(b);
}
// A GPS fix into a button's data-pos, shown in `out` (place or release place).
function gps(btn, out) {
  navigator.geolocation.getCurrentPosition((p) => {
    const pos = { lat_e7: Math.round(p.coords.latitude * 1e7), lon_e7: Math.round(p.coords.longitude * 1e7), precision_m: Math.max(1, Math.round(p.coords.accuracy)) };
    $(btn).dataset.pos = JSON.stringify(pos);
    $(out).textContent = I.t('form.gps_ok', { lat: p.coords.latitude.toFixed(5), lon: p.coords.longitude.toFixed(5), m: pos.precision_m });
    O.saveDraft(editing);
  }, (e) => { $(out).textContent = I.t('form.gps_fail', { why: e.message }); }, { enableHighAccuracy: true, timeout: 20000 });
}
function itemRow() {
  const div = document.createElement('div');
  div.className = 'item';
  const kind = document.createElement('select'), act = document.createElement('select'), n = document.createElement('input');
  const org = document.createElement('select');
  kind.className = 'i-kind'; act.className = 'i-action'; n.className = 'i-count'; org.className = 'i-origin';
  n.type = 'number'; n.min = '0'; n.inputMode = 'numeric';
  kind.setAttribute('aria-label', I.t('form.item_kind'));
  act.setAttribute('aria-label', I.t('form.item_action'));
  n.setAttribute('aria-label', I.t('form.item_count'));
  org.setAttribute('aria-label', I.t('form.item_origin'));
  for (const k of tax.item_kinds) kind.add(new Option(I.label(k.label), k.id));
  for (const a of ['seized', 'destroyed', 'seized_or_destroyed']) act.add(new Option(I.t('form.' + a), a));
  org.add(new Option(I.t('form.origin_none'), ''));
  for (const o of ORIGINS) org.add(new Option(I.t('form.origin.' + o), o));
  div.append(kind, act, n, org);
  $('f-items').append(div);
}
function buildForm() {
  const cats = $('f-cats');
  cats.textContent = '';
  for (const c of tax.categories) {
    const l = document.createElement('label'), cb = document.createElement('input'), s = document.createElement('span');
    cb.type = 'checkbox'; cb.value = c.id; cb.name = 'cat';
    s.textContent = I.label(c.label);
    l.title = I.label(c.description);
    l.append(cb, s);
    cats.append(l);
  }
  $('f-items').textContent = '';
  const now = new Date();
  $('f-start').value = localInput(now);
  $('f-end').value = localInput(now);
  for (const id of ['f-place', 'f-commune', 'f-country', 'f-forces', 'f-unit', 'f-officers', 'f-ids', 'f-count', 'f-nats', 'f-persons',
    'f-summary', 'f-narrative', 'f-witnesses', 'f-photo', 'f-released', 'f-rel-name', 'f-ev-invited', 'f-ev-present', 'f-ev-by',
    'f-src-ref', 'f-src-id']) $(id).value = '';
  $('f-precision').value = 'minute';
  $('f-source').value = 'direct_observation';
  $('f-minors').value = 'unknown';
  for (const e of document.querySelectorAll('.counts input')) e.value = '';
  for (const sel of document.querySelectorAll('select.sites')) sel.value = '';
  fillSites();
  $('f-transport').hidden = true;
  $('f-eviction').hidden = true;
  for (const id of ['f-gps-out', 'f-rel-gps-out', 'f-photo-out', 'f-msg']) $(id).textContent = '';
  delete $('f-gps').dataset.pos;
  delete $('f-rel-gps').dataset.pos;
}
// A switch of language relabels the form without losing what is typed in it.
function relabel() {
  for (const cb of document.querySelectorAll('#f-cats input')) {
    const c = tax.categories.find((x) => x.id === cb.value);
    cb.nextElementSibling.textContent = I.label(c.label);
    cb.parentElement.title = I.label(c.description);
  }
  for (const o of document.querySelectorAll('#f-items .i-kind option')) o.textContent = I.label(tax.item_kinds.find((k) => k.id === o.value).label);
  for (const o of document.querySelectorAll('#f-items .i-action option')) o.textContent = I.t('form.' + o.value);
  for (const o of document.querySelectorAll('#f-items .i-origin option')) o.textContent = I.t(o.value ? 'form.origin.' + o.value : 'form.origin_none');
  for (const [box, prefix, list] of [['f-ls', 'f-ls-', statuses()], ['f-vehicles', 'f-veh-', vehicles()]]) {
    for (const k of list) $(prefix + k.id).previousElementSibling.textContent = I.label(k.label);
    $(box).hidden = !list.length;
  }
  $('f-site-out').textContent = sites.length ? '' : I.t('form.no_sites');
}
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
function count(id, field) {
  const v = $(id).value.trim();
  if (v === '') return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) > 1e9) throw new Error(I.t('form.bad_count', { field }));
  return Number(v);
}
// The draft (public fields) and the envelope sealed to the organisation.
function readForm() {
  const cats = [...document.querySelectorAll('#f-cats input:checked')].map((c) => c.value);
  if (!cats.length) throw new Error(I.t('form.need_category'));
  const start = new Date($('f-start').value), end = new Date($('f-end').value);
  if (isNaN(start) || isNaN(end)) throw new Error(I.t('form.need_time'));
  if (end < start) throw new Error(I.t('form.end_before_start'));
  const precision = $('f-precision').value;
  if (precision === 'day') { // the server's rule: from a local midnight to the next
    const mid = (d) => d.getHours() === 0 && d.getMinutes() === 0;
    const next = new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1);
    if (!mid(start) || end.getTime() !== next.getTime()) throw new Error(I.t('form.day_precision'));
  }
  const place = {};
  if ($('f-place').value.trim()) place.name = $('f-place').value.trim();
  if ($('f-commune').value.trim()) place.commune = $('f-commune').value.trim();
  if ($('f-country').value.trim()) place.country = $('f-country').value.trim();
  if ($('f-site').value) place.site = $('f-site').value;
  if ($('f-gps').dataset.pos) Object.assign(place, JSON.parse($('f-gps').dataset.pos));
  if (!place.name && !place.site) throw new Error(I.t('form.need_place'));
  const source = { type: $('f-source').value };
  if ($('f-src-ref').value.trim()) source.reference = $('f-src-ref').value.trim();
  if ($('f-src-id').value.trim()) source.source_id = $('f-src-id').value.trim();
  if (source.type === 'publication' && !source.reference) throw new Error(I.t('form.need_reference'));
  const r = { occurred: { start: rfc3339(start), end: rfc3339(end), precision }, place, categories: cats.sort(), source };
  const auth = {};
  if (list($('f-forces').value).length) auth.forces = list($('f-forces').value);
  if ($('f-unit').value.trim()) auth.unit = $('f-unit').value.trim();
  const off = count('f-officers', I.t('form.officers'));
  if (off !== undefined) auth.officers = off;
  const veh = [];
  for (const k of vehicles()) { const c = count('f-veh-' + k.id, I.label(k.label)); if (c) veh.push({ kind: k.id, count: c }); }
  if (veh.length) auth.vehicles = veh;
  if (list($('f-ids').value).length) auth.id_numbers = list($('f-ids').value);
  if (Object.keys(auth).length) r.authority = auth;
  const aff = { minors: $('f-minors').value }, n = count('f-count', I.t('form.count'));
  if (n !== undefined) aff.count = n;
  const ls = {};
  for (const k of statuses()) { const c = count('f-ls-' + k.id, I.label(k.label)); if (c) ls[k.id] = c; }
  if (Object.keys(ls).length) aff.legal_status = ls;
  if (list($('f-nats').value).length) aff.nationalities = list($('f-nats').value);
  r.affected = aff;
  if (transportShown()) {
    const tr = {};
    if ($('f-dest').value) tr.destination = $('f-dest').value;
    if ($('f-released').value) {
      const rel = new Date($('f-released').value);
      if (isNaN(rel)) throw new Error(I.t('form.need_time'));
      if (rel < start) throw new Error(I.t('form.released_before_start'));
      tr.released_at = rfc3339(rel);
    }
    const rp = {};
    if ($('f-rel-name').value.trim()) rp.name = $('f-rel-name').value.trim();
    if ($('f-rel-site').value) rp.site = $('f-rel-site').value;
    if ($('f-rel-gps').dataset.pos) { const q = JSON.parse($('f-rel-gps').dataset.pos); rp.lat_e7 = q.lat_e7; rp.lon_e7 = q.lon_e7; }
    if (Object.keys(rp).length) tr.release_place = rp;
    if (Object.keys(tr).length) r.transport = tr;
  }
  if (evictionShown()) {
    const ev = {};
    if (list($('f-ev-invited').value).length) ev.associations_invited = list($('f-ev-invited').value);
    if (list($('f-ev-present').value).length) ev.associations_present = list($('f-ev-present').value);
    if ($('f-ev-by').value.trim()) ev.invited_by = $('f-ev-by').value.trim();
    if (Object.keys(ev).length) r.eviction = ev;
  }
  const items = [...document.querySelectorAll('#f-items .item')].map((d, i) => {
    const c = d.querySelector('.i-count').value.trim(), kind = d.querySelector('.i-kind').value, o = d.querySelector('.i-origin').value;
    if (c !== '' && (!/^[0-9]+$/.test(c) || Number(c) > 1e9)) throw new Error(I.t('form.bad_count', { field: I.t('form.items') }));
    // the server's rule: money of no stated currency is mentioned without an amount
    const k = tax.item_kinds.find((x) => x.id === kind);
    if (c !== '' && k && k.unit === 'currency' && !k.currency) throw new Error(I.t('form.cash_count', { path: 'items[' + i + '].count', kind }));
    const it = { kind, action: d.querySelector('.i-action').value, count: c === '' ? null : Number(c) };
    if (o) it.origin = o;
    return it;
  });
  if (items.length) r.items = items;
  if ($('f-summary').value.trim()) r.summary = $('f-summary').value.trim();
  const env = {}, priv = {};
  if ($('f-narrative').value.trim()) priv.narrative = $('f-narrative').value.trim();
  if ($('f-witnesses').value.trim()) priv.witness_contact = $('f-witnesses').value.trim();
  if (Object.keys(priv).length) env.private = priv;
  const persons = $('f-persons').value.split('\n').map((x) => x.trim()).filter(Boolean);
  if (persons.length) env.person_identifiers = persons;
  return { draft: r, env };
}
function sealJson(v) { return C.parseVkey(dev.org_key).then((org) => C.b64(C.sealBox(C.te.encode(JSON.stringify(v)), org.pk))); }
// Signed on the device, offline (docs/field-app.md "Signing on the device"): the record is
// complete here, its id random, recorded_at the device's clock; private values become
// salted commitments, person identifiers commitments too (the organisation turns them
// into pseudonyms at intake); the (salt, value) pairs travel sealed to the organisation.
// `prev`, when given, is the refused outbox item this record replaces: its sealed private
// values and person identifiers are kept, with their commitments, unless typed again.
async function signOffline(kind, draft, env, prev) {
  const rec = { v: 1, kind, id: kind + '-' + C.randomHex(8), org: dev.org, monitor: dev.name, ...draft, recorded_at: rfc3339(new Date()) };
  const item = { kind, created: Date.now(), state: 'signed', attempts: 0, next_try: 0, sealed_private: null, sealed_persons: null };
  // values sealed to a key the organisation has since rotated away cannot be kept: typed again
  const was = prev && prev.leaf && (!prev.sealed_to || prev.sealed_to === dev.org_key) ? JSON.parse(prev.leaf).record : null;
  if (was && !env.private && prev.sealed_private && was.private) {
    rec.private = was.private;
    item.sealed_private = prev.sealed_private;
    item.sealed_to = dev.org_key;
  }
  if (was && !env.person_identifiers && prev.sealed_persons && was.affected && was.affected.person_commitments) {
    rec.affected = { ...(rec.affected || {}) }; // the draft's own object left as typed
    rec.affected.person_commitments = was.affected.person_commitments;
    item.sealed_persons = prev.sealed_persons;
    item.sealed_to = dev.org_key;
  }
  if (env.private) {
    const open = {};
    rec.private = {};
    for (const [k, v] of Object.entries(env.private)) {
      const salt = C.randomHex(16);
      open[k] = { salt, value: v };
      rec.private[k] = await C.commit(k, v, salt);
    }
    item.sealed_private = await sealJson(open);
    item.sealed_to = dev.org_key;
  }
  if (env.person_identifiers) {
    const open = env.person_identifiers.map((identifier) => ({ salt: C.randomHex(16), identifier }));
    rec.affected = { ...(rec.affected || {}) }; // the draft's own object left as typed
    rec.affected.person_commitments = await Promise.all(open.map((o) => C.commit('person', o.identifier, o.salt)));
    item.sealed_persons = await sealJson(open);
    item.sealed_to = dev.org_key;
  }
  const t0 = performance.now();
  item.leaf = await C.signRecord(rec, signKey, dev.key_id);
  stats.sign_ms.push(performance.now() - t0);
  item.record_id = rec.id;
  return item;
}
async function save(ev) {
  ev.preventDefault();
  const t0 = performance.now();
  let f;
  try { f = readForm(); } catch (e) { $('f-msg').textContent = e.message; return; }
  if (!signKey) { $('f-msg').textContent = I.t('sync.login'); return; }
  // a refused record edited: a new record signed in its place in the outbox (the refused one
  // never entered the log); its sealed fields and photo kept unless typed or chosen again
  const old = editing !== null ? (await db.items()).find((i) => i.id === editing) : null;
  const file = $('f-photo').files[0];
  let photo = null;
  if (file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const h = C.hex(await C.sha256(bytes));
    f.draft.evidence = [{ sha256: h }];
    photo = { blob: new Blob([bytes], { type: file.type || 'application/octet-stream' }), sha256: h, size: bytes.length };
  }
  if (!photo && old && old.photo) {
    photo = old.photo;
    if (old.draft && old.draft.evidence) f.draft.evidence = old.draft.evidence;
  }
  const item = await signOffline('incident', f.draft, f.env, old);
  if (photo) item.photo = photo;
  item.draft = f.draft; // public fields only, as in the signed leaf: what an edit starts from
  if (old) { item.id = old.id; await db.update(item); } else await db.queue(item); // the leaf is final before any network
  stats.seal_queue_ms.push(performance.now() - t0);
  editing = null;
  await O.dropDraft();
  home();
  sync();
}

// ---- shifts: a signed record of field presence ----
async function shift() {
  if (!dev.shift) {
    dev.shift = { start: rfc3339(new Date()) };
    await db.put('device', dev);
  } else {
    const area = { name: I.t('shift.area') };
    await db.queue(await signOffline('shift', { start: dev.shift.start, end: rfc3339(new Date()), area }, {}));
    dev.shift = null;
    await db.put('device', dev);
    sync();
  }
  home();
}

// ---- sync: upload, submit the signed leaf, verify; backoff on failure ----
function sameAsSent(sent, rec) {
  for (const [k, v] of Object.entries(sent)) {
    if (k === 'affected') { for (const [a, av] of Object.entries(v)) if (C.jcs(av) !== C.jcs((rec.affected || {})[a] ?? null)) return false; }
    else if (k === 'categories') { if (!v.every((c) => (rec.categories || []).includes(c))) return false; }
    else if (C.jcs(v) !== C.jcs(rec[k] ?? null)) return false;
  }
  return true;
}
async function step(it) {
  if (it.photo && !it.photo.uploaded) {
    const r = await U.upload(it.photo, csrf, () => db.update(it));
    if (r) { if (r.status === 422) throw new Error(I.t('sync.other_bytes')); return r; }
    it.photo.uploaded = true;
    await db.update(it);
  }
  if (it.state === 'queued') { // queued by an earlier version of the app: signed at sync
    const r = await api('POST', '/api/v1/records/prepare', it.sealed ? { record: it.draft, sealed: it.sealed } : { record: it.draft });
    if (r.status !== 200) return r;
    const rec = r.body.record;
    if (!sameAsSent(it.draft, rec) || rec.monitor !== dev.name) throw new Error(I.t('sync.not_what_sent'));
    const t0 = performance.now();
    it.leaf = await C.signRecord(rec, signKey, dev.key_id);
    stats.sign_ms.push(performance.now() - t0);
    it.record_id = rec.id;
    it.sealed_private = r.body.sealed_private || null;
    it.state = 'signed';
    await db.update(it); // the leaf is kept before it is sent: a retry replays it
  }
  if (it.state === 'signed') {
    if (it.sealed_to && it.sealed_to !== dev.org_key) throw new Error(I.t('sync.sealed_old_key'));
    const body = { leaf: it.leaf };
    if (it.sealed_private) body.sealed_private = it.sealed_private;
    if (it.sealed_persons) body.sealed_persons = it.sealed_persons;
    const r = await api('POST', '/api/v1/records', body);
    if (r.status !== 201 && r.status !== 200) return r;
    if (r.status === 200) {
      const stored = JSON.parse(r.body.leaf);
      if (stored.record.id !== it.record_id) throw new Error(I.t('sync.not_what_sent'));
      it.leaf = r.body.leaf;
      it.replayed = true;
    }
    it.receipt = r.body;
    delete r.body.leaf;
    it.state = 'done';
    await check(it);
  }
  return null;
}
async function check(it) {
  try {
    await C.verifyReceipt(it.receipt, C.te.encode(it.leaf), await C.parseVkey(dev.log_key));
    it.verified = true; it.verify_error = null;
  } catch (e) { it.verified = false; it.verify_error = e.message; }
  await db.update(it);
}
// The organisation key the server has in force is the pinned one, or one it signed for
// (orgkey.js): then the device pins it. False (with the reason shown) when it cannot be
// followed; a network failure leaves it for the next round.
let keyNote = ''; // what followOrgKey last said, until the round that sends
async function followOrgKey() {
  let info;
  try { info = await api('GET', '/api/v1/info'); } catch (e) { return true; } // unreachable: the next round
  if (info.status !== 200 || !info.body || typeof info.body.org_key !== 'string') return true;
  if (info.body.org_key === dev.org_key && info.body.log_key === dev.log_key) return true;
  let tr;
  try { tr = await api('GET', '/api/v1/key-transitions'); } catch (e) { return true; }
  try {
    if (tr.status !== 200 || !tr.body) throw new Error(refusal(tr));
    const msgs = [];
    let logKey = dev.log_key;
    if (typeof info.body.log_key === 'string' && info.body.log_key !== dev.log_key) {
      const f = await K.follow(dev.log_key, info.body.log_key, tr.body.log_transitions, null, 'log');
      logKey = info.body.log_key;
      msgs.push(I.t('sync.log_key_followed', { n: f.steps, at: f.at }));
    }
    if (info.body.org_key !== dev.org_key) {
      const f = await K.follow(dev.org_key, info.body.org_key, tr.body.transitions, logKey);
      msgs.push(I.t('sync.org_key_followed', { n: f.steps, at: f.at }));
    }
    dev.log_key = logKey;
    dev.org_key = info.body.org_key;
    await db.put('device', dev);
    keyNote = msgs.join(' ');
    $('sync-msg').textContent = keyNote;
    return true;
  } catch (e) {
    $('sync-msg').textContent = I.t('sync.org_key_refused', { why: e.message });
    return false;
  }
}
export async function sync() {
  if (syncing || !dev || !signKey) return;
  syncing = true;
  try {
    const todo = (await db.items()).filter((i) => (i.state === 'queued' || i.state === 'signed') && i.next_try <= Date.now());
    // the key records are sealed to, learnt whenever the server is reached (public routes),
    // so that what is recorded next is sealed to the key in force; nothing is sent to a key
    // the device cannot trust
    if (navigator.onLine && !(await followOrgKey())) return;
    if (!todo.length) return;
    if (!navigator.onLine) { $('sync-msg').textContent = I.t('sync.offline'); return; }
    // a key change just followed stays said beside the login prompt
    if (!(await session())) { $('login-box').hidden = false; $('sync-msg').textContent = (keyNote ? keyNote + ' ' : '') + I.t('sync.login'); return; }
    keyNote = '';
    for (const it of todo) {
      let r;
      try { r = await step(it); } catch (e) {
        if (e instanceof TypeError) r = { status: 0 }; // network
        else { it.state = 'failed'; it.error = e.message; await db.update(it); continue; }
      }
      if (!r) continue;
      if (r.status === 401) { csrf = null; $('login-box').hidden = false; break; }
      if (r.status === 0 || r.status >= 500 || r.status === 429) {
        it.attempts++;
        it.next_try = Date.now() + (r.retry ? r.retry * 1000 : Math.min(300000, 2000 * 2 ** it.attempts));
        it.error = r.status ? refusal(r) : I.t('sync.offline');
        await db.update(it);
        break;
      }
      it.state = 'failed'; it.error = refusal(r);
      await db.update(it);
    }
  } finally {
    syncing = false;
    await renderOutbox();
  }
}

// ---- views ----
async function renderOutbox() {
  const ul = $('outbox');
  if (!ul) return;
  const all = (await db.items()).reverse();
  ul.textContent = '';
  for (const it of all) {
    const li = document.createElement('li');
    li.dataset.state = it.state;
    li.dataset.verified = String(!!it.verified);
    li.dataset.id = it.id;
    const what = it.kind === 'shift' ? I.t('out.shift') : I.t('out.incident');
    let s;
    if (it.state === 'done') {
      li.className = it.verified ? 'ok' : 'bad';
      s = it.verified ? I.t('out.verified', { index: it.receipt.index, size: it.receipt.tree_size })
        : I.t('out.not_verified', { why: it.verify_error });
    } else if (it.state === 'failed') { li.className = 'bad'; s = I.t('out.refused', { why: it.error }); }
    else { li.className = 'wait'; s = I.t('out.waiting') + (it.error ? ' — ' + it.error : ''); }
    const b = document.createElement('strong'), p = document.createElement('div');
    b.textContent = what + (it.record_id ? ' ' + it.record_id : '') + (it.photo ? ' · ' + I.t('out.photo') : '');
    p.textContent = s;
    li.append(b, p);
    if (it.state === 'failed') li.append(O.actions(it, edit, renderOutbox));
    ul.append(li);
  }
}
// Every receipt is checked again each time the outbox is shown: a receipt
// changed on the device (or a log key that no longer matches) shows failing.
async function recheck() {
  for (const it of await db.items()) if (it.state === 'done') await check(it);
}
// A refused record back in the form, to be edited and queued again.
function edit(it) {
  buildForm();
  O.restore(O.fromRecord(it.draft, it.id), itemRow);
  transportShown();
  editing = it.id;
  $('f-msg').textContent = it.sealed || it.sealed_private || it.sealed_persons ? I.t('out.edit_sealed') : '';
  show('form');
}
// The form being typed, if one was left (reload, lock): back on screen.
async function resumeDraft() {
  const d = await O.loadDraft();
  if (!d) return false;
  buildForm();
  O.restore(d, itemRow);
  transportShown();
  editing = d.editing;
  show('form');
  return true;
}
function home() {
  show('home');
  recheck().then(renderOutbox);
  $('home-who').textContent = I.t('home.who', { name: dev.name, org: dev.org });
  $('shift-btn').textContent = I.t(dev.shift ? 'shift.end' : 'shift.start');
  renderOutbox();
}
function net() {
  const n = $('net');
  n.textContent = I.t(navigator.onLine ? 'net.on' : 'net.off');
  n.className = 'badge' + (navigator.onLine ? '' : ' off');
}
async function wipe() {
  if (!confirm(I.t('settings.wipe_confirm'))) return;
  await wipeNow();
}
async function wipeNow() {
  try { await api('POST', '/api/v1/logout', {}); } catch (e) { /* offline: the session ends by itself */ }
  await db.wipe();
  localStorage.clear();
  dev = null; signKey = null; csrf = null; sites = [];
  show('enrol');
}

async function start() {
  await I.setup($('lang'), () => { net(); if (tax) relabel(); if (dev && !$('v-home').hidden) home(); });
  tax = await (await fetch('/taxonomy.json')).json();
  countRows($('f-ls'), 'f-ls-', statuses());
  countRows($('f-vehicles'), 'f-veh-', vehicles());
  net();
  addEventListener('online', () => { net(); sync(); refreshSites(); });
  addEventListener('offline', net);
  $('en-go').onclick = enrol;
  $('go-new').onclick = () => { editing = null; buildForm(); show('form'); refreshSites(); };
  $('f-cats').onchange = transportShown;
  $('f-cancel').onclick = async () => { editing = null; await O.dropDraft(); home(); };
  $('form').oninput = () => O.saveDraft(editing);
  $('form').onchange = () => O.saveDraft(editing);
  $('form').onsubmit = save;
  $('f-add-item').onclick = () => { itemRow(); O.saveDraft(editing); };
  $('f-gps').onclick = () => gps('f-gps', 'f-gps-out');
  $('f-rel-gps').onclick = () => gps('f-rel-gps', 'f-rel-gps-out');
  $('f-precision').onchange = dayPrecision;
  $('f-photo').onchange = async () => {
    const f = $('f-photo').files[0];
    $('f-photo-out').textContent = f ? 'SHA-256 ' + C.hex(await C.sha256(new Uint8Array(await f.arrayBuffer()))) : '';
  };
  $('shift-btn').onclick = shift;
  $('sync').onclick = () => sync();
  $('login-go').onclick = async () => {
    const e = await login($('login-pass').value);
    $('login-pass').value = '';
    $('sync-msg').textContent = e || '';
    if (!e) { $('login-box').hidden = true; sync(); refreshSites(); }
  };
  $('go-settings').onclick = () => { show('settings'); $('set-keys').textContent = I.t('settings.keys', { vkey: dev.vkey, log: dev.log_key }); $('set-lock').hidden = !dev.wrapped; };
  $('set-back').onclick = home;
  // lock: the key leaves memory and the session ends on the server too, so
  // the cookie left in the browser no longer works (offline: it times out)
  $('set-lock').onclick = async () => {
    if (signKey && signKey.nacl) signKey.nacl.fill(0);
    signKey = null;
    show('lock');
    try { if (await session()) await api('POST', '/api/v1/logout', {}); } catch (e) { /* offline */ }
    csrf = null;
  };
  $('set-wipe').onclick = wipe;
  $('lock-go').onclick = async () => {
    const ok = await unlock($('lock-pin').value);
    $('lock-pin').value = '';
    if (!ok) {
      const w = await P.wrong();
      if (w.wipe) { await wipeNow(); $('en-msg').textContent = I.t('lock.wiped', { n: P.WIPE_AT }); return; }
      $('lock-msg').textContent = I.t('lock.wrong') + (w.fails >= P.WARN_AFTER ? ' ' + I.t('lock.warn', { left: w.left }) : '');
      return;
    }
    await P.reset();
    $('lock-msg').textContent = '';
    if (!(await resumeDraft())) home();
    sync();
  };
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
  setInterval(sync, 3000);
  dev = await db.get('device');
  if (!dev) { show('enrol'); return; }
  sites = (await db.get('sites')) || [];
  refreshSites();
  if (dev.wrapped) { show('lock'); return; }
  signKey = dev.key;
  if (!(await resumeDraft())) home();
  sync();
}
start();
