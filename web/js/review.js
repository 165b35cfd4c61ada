// review.js — the coordinator's and the auditor's page (docs/field-app.md):
// the log's verification status, its witnesses and whether their latest
// cosignatures verify, records per monitor and per shift, search, one record
// with its receipt checked in this browser against the log key, and (for a
// coordinator) a dossier of chosen incidents to download. The log holds no
// private values (commitments and pseudonyms only), so an auditor sees
// exactly what a dossier shows.
import * as C from './crypto.js';
import * as I from './i18n.js';
import { visible, visibleBlock } from './text.js';

const $ = (id) => document.getElementById(id);
let csrf = null, records = [], logVk = null, role = null;
const picked = new Set(); // incidents ticked for a dossier
// records the organisation writes, not a monitor's submissions
const ORG_KINDS = new Set(['monitor_enrolment', 'register', 'pseudonym_binding', 'key_transition', 'revocation',
  'monitor_rotation', 'erasure']); // signed by the organisation key: no monitor's submission

async function api(method, path, body) {
  const h = {};
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (csrf && method !== 'GET') h['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { method, headers: h, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  return { status: r.status, body: j };
}
const refusal = (r) => (r.body && r.body.error ? visible(r.body.error) : 'HTTP ' + r.status);

// the records the search box lets through, in log order
function listed() {
  const q = $('r-search').value.trim().toLowerCase();
  return records.filter((r) => !q || (r.index + ' ' + r.kind + ' ' + r.record_id + ' ' + (r.monitor || '')).toLowerCase().includes(q));
}
function renderList() {
  const ul = $('r-records'), coord = role === 'coordinator';
  ul.textContent = '';
  for (const r of listed()) {
    const line = r.index + ' ' + r.kind + ' ' + r.record_id + ' ' + (r.monitor || '');
    const li = document.createElement('li'), b = document.createElement('button');
    if (coord && r.kind === 'incident') { // a coordinator picks incidents for a dossier
      const c = document.createElement('input');
      c.type = 'checkbox';
      c.className = 'r-pick';
      c.dataset.id = r.record_id;
      c.checked = picked.has(r.record_id);
      c.setAttribute('aria-label', I.t('review.pick', { id: visible(r.record_id) }));
      c.onchange = () => { c.checked ? picked.add(r.record_id) : picked.delete(r.record_id); renderDossier(); };
      li.append(c);
    }
    b.type = 'button';
    b.textContent = visible(line);
    b.dataset.id = r.record_id;
    b.onclick = () => detail(r.record_id);
    li.append(b);
    ul.append(li);
  }
  renderDossier();
}
// the two download buttons, each with the number of incidents it takes
function renderDossier() {
  if (role !== 'coordinator') return;
  const n = listed().filter((r) => r.kind === 'incident').length;
  $('r-dossier-listed').textContent = I.t('review.dossier_listed', { n });
  $('r-dossier-listed').disabled = n === 0;
  $('r-dossier-picked').textContent = I.t('review.dossier_picked', { n: picked.size });
  $('r-dossier-picked').disabled = picked.size === 0;
}
// POST /api/v1/dossier: the server writes the dossier `constat dossier` would,
// of exactly these incidents, and answers it as one tar archive
async function download(ids) {
  const msg = $('r-dossier-msg');
  msg.dataset.state = 'busy';
  msg.className = '';
  msg.textContent = I.t('review.dossier_busy', { n: ids.length });
  const r = await fetch('/api/v1/dossier', { method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ ids }) });
  if (r.status !== 200) {
    let j = null;
    try { j = await r.json(); } catch (e) { j = null; }
    msg.dataset.state = 'refused';
    msg.className = 'error';
    msg.textContent = I.t('out.refused', { why: refusal({ status: r.status, body: j }) });
    return;
  }
  const blob = await r.blob();
  const m = /filename="([A-Za-z0-9._-]+)"/.exec(r.headers.get('Content-Disposition') || '');
  const name = m ? m[1] : 'constat-dossier.tar';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  msg.dataset.state = 'done';
  msg.dataset.file = name;
  msg.textContent = I.t('review.dossier_done', { name, n: ids.length, size: blob.size, dir: name.replace(/\.tar$/, '') });
}
function renderMonitors() {
  const per = {};
  for (const r of records) {
    if (ORG_KINDS.has(r.kind)) continue; // the organisation's
    const m = (per[r.monitor] = per[r.monitor] || { incident: 0, shift: 0, other: 0 });
    m[r.kind === 'incident' || r.kind === 'shift' ? r.kind : 'other']++;
  }
  const tb = $('r-monitors').tBodies[0];
  tb.textContent = '';
  for (const [name, m] of Object.entries(per).sort()) {
    const tr = tb.insertRow();
    tr.dataset.monitor = name;
    for (const v of [name, m.incident, m.shift, m.other]) tr.insertCell().textContent = visible(String(v));
  }
}
// per shift (a monitor's signed presence, start to end): how many records the
// same monitor wrote during it, by each record's recorded_at
function renderShifts() {
  const when = (s) => { const v = Date.parse(s || ''); return Number.isNaN(v) ? null : v; };
  const tb = $('r-shifts').tBodies[0];
  tb.textContent = '';
  const shifts = records.filter((r) => r.kind === 'shift' && when(r.start) !== null && when(r.end) !== null)
    .sort((x, y) => when(x.start) - when(y.start) || x.index - y.index);
  for (const s of shifts) {
    const a = when(s.start), b = when(s.end);
    let n = 0, inc = 0;
    for (const r of records) {
      if (r.monitor !== s.monitor || r.kind === 'shift' || ORG_KINDS.has(r.kind)) continue;
      const w = when(r.recorded_at);
      if (w !== null && w >= a && w <= b) { n++; if (r.kind === 'incident') inc++; }
    }
    const tr = tb.insertRow();
    tr.dataset.shift = s.record_id;
    tr.dataset.monitor = s.monitor;
    tr.dataset.count = String(n);
    tr.dataset.incidents = String(inc);
    tr.insertCell().textContent = visible(s.monitor || '');
    tr.insertCell().textContent = visible(s.start + ' → ' + s.end);
    tr.insertCell().textContent = I.t('review.submitted_n', { n, incidents: inc });
  }
  if (!shifts.length) {
    const c = tb.insertRow().insertCell();
    c.colSpan = 3;
    c.textContent = I.t('review.no_shift');
  }
}
// GET /api/v1/witnesses: who cosigns this log, and whether the server finds
// each one's latest stored cosignature valid under that witness's key
async function renderWitnesses() {
  const w = await api('GET', '/api/v1/witnesses'), tb = $('r-witnesses').tBodies[0], sum = $('r-witness-sum');
  tb.textContent = '';
  if (w.status !== 200) { sum.textContent = refusal(w); $('r-witnesses').hidden = true; return; }
  const list = w.body.witnesses;
  $('r-witnesses').hidden = list.length === 0;
  sum.textContent = list.length ? I.t('review.witness_count', { n: list.length, size: w.body.checkpoint_size ?? 0 })
    : I.t('review.witness_none');
  for (const x of list) {
    const tr = tb.insertRow();
    tr.dataset.witness = x.name;
    tr.dataset.verified = x.verified === null ? 'none' : String(x.verified);
    tr.dataset.size = String(x.cosigned_size);
    tr.insertCell().textContent = visible(x.name + ' (' + x.key_id + ')');
    tr.insertCell().textContent = x.cosigned_size
      ? (x.cosigned_at ? I.t('review.cosigned_at', { size: x.cosigned_size, when: visible(x.cosigned_at) })
        : I.t('review.cosigned_size', { size: x.cosigned_size }))
        + (w.body.checkpoint_size && x.cosigned_size < w.body.checkpoint_size ? ' ' + I.t('review.behind', { size: w.body.checkpoint_size }) : '')
      : '—';
    tr.insertCell().textContent = x.verified === true ? I.t('review.cosig_ok')
      : x.verified === false ? I.t('review.cosig_bad', { why: visible(x.error || '') }) : I.t('review.cosig_none');
  }
}
async function detail(id) {
  const r = await api('GET', '/api/v1/records/' + encodeURIComponent(id));
  $('r-detail').hidden = false;
  $('r-detail-id').textContent = visible(id);
  if (r.status !== 200) { $('r-detail-receipt').textContent = refusal(r); $('r-detail-json').textContent = ''; return; }
  // record text as the CLI shows it: bidi and other controls made visible
  $('r-detail-json').textContent = visibleBlock(JSON.stringify(r.body.record, null, 1));
  const out = $('r-detail-receipt');
  // The answer holds the record, not its signed leaf: what is checked here is the leaf's
  // place in the log (leaf hash -> inclusion proof -> signed checkpoint); the signatures
  // are checked by the server's verification above and by `constat verify` on a dossier.
  try {
    const rc = r.body.receipt;
    const size = rc.tree_size;
    const text = await C.noteOpen(rc.checkpoint, logVk);
    const lines = text.split('\n');
    if (lines[0] !== logVk.name || Number(lines[1]) !== size) throw new Error('receipt: checkpoint is of another tree size or log');
    await C.verifyInclusion(rc.index, size, C.unb64(rc.leaf_hash), rc.inclusion_proof.map(C.unb64), C.unb64(lines[2]));
    out.dataset.verified = 'true';
    out.textContent = I.t('review.in_log', { index: rc.index, size });
  } catch (e) {
    out.dataset.verified = 'false';
    out.textContent = I.t('out.not_verified', { why: visible(e.message) });
  }
}
async function load() {
  const s = await api('GET', '/api/v1/session');
  if (s.status !== 200) { $('v-login').hidden = false; $('v-review').hidden = true; return; }
  csrf = s.body.csrf;
  role = s.body.role;
  $('v-login').hidden = true; $('v-review').hidden = false;
  $('r-dossier').hidden = role !== 'coordinator';
  $('r-who').textContent = visible(s.body.account + ' · ' + s.body.role);
  const info = await api('GET', '/api/v1/info');
  logVk = await C.parseVkey(info.body.log_key);
  const v = await api('GET', '/api/v1/verify');
  const st = $('r-verify');
  if (v.status === 200) {
    st.dataset.ok = String(v.body.ok);
    st.textContent = (v.body.ok ? I.t('review.verified', { size: v.body.tree_size }) : I.t('review.failed', { n: v.body.failures.length }))
      + ' ' + I.t(info.body.witness ? 'review.witness_yes' : 'review.witness_no');
  } else st.textContent = refusal(v);
  await renderWitnesses();
  const l = await api('GET', '/api/v1/records');
  records = l.status === 200 ? l.body.records : [];
  renderMonitors();
  renderShifts();
  renderList();
}
async function start() {
  await I.setup($('lang'), load);
  $('r-go').onclick = async () => {
    const r = await api('POST', '/api/v1/login', { name: $('r-name').value.trim(), password: $('r-pass').value });
    $('r-pass').value = '';
    if (r.status !== 200) { $('r-msg').textContent = refusal(r); return; }
    if (r.body.role === 'monitor') {
      csrf = r.body.csrf;
      await api('POST', '/api/v1/logout', {});
      csrf = null;
      $('r-msg').textContent = I.t('review.not_monitor');
      return;
    }
    $('r-msg').textContent = '';
    load();
  };
  $('r-search').oninput = renderList;
  $('r-dossier-listed').onclick = () => download(listed().filter((r) => r.kind === 'incident').map((r) => r.record_id));
  $('r-dossier-picked').onclick = () => download([...picked]);
  $('r-logout').onclick = async () => { await api('POST', '/api/v1/logout', {}); csrf = null; role = null; picked.clear(); load(); };
  load();
}
start();
