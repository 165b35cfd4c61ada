// review.js — the coordinator's and the auditor's page (docs/field-app.md):
// the log's verification status, records per monitor, search, and one
// record with its receipt checked in this browser against the log key. The
// log holds no private values (commitments and pseudonyms only), so an
// auditor sees exactly what a dossier shows.
import * as C from './crypto.js';
import * as I from './i18n.js';
import { visible, visibleBlock } from './text.js';

const $ = (id) => document.getElementById(id);
let csrf = null, records = [], logVk = null;

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

function renderList() {
  const q = $('r-search').value.trim().toLowerCase(), ul = $('r-records');
  ul.textContent = '';
  for (const r of records) {
    const line = r.index + ' ' + r.kind + ' ' + r.record_id + ' ' + (r.monitor || '');
    if (q && !line.toLowerCase().includes(q)) continue;
    const li = document.createElement('li'), b = document.createElement('button');
    b.type = 'button';
    b.textContent = visible(line);
    b.dataset.id = r.record_id;
    b.onclick = () => detail(r.record_id);
    li.append(b);
    ul.append(li);
  }
}
function renderMonitors() {
  const per = {};
  for (const r of records) {
    if (r.kind === 'monitor_enrolment' || r.kind === 'register' || r.kind === 'pseudonym_binding') continue; // the organisation's
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
  $('v-login').hidden = true; $('v-review').hidden = false;
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
  const l = await api('GET', '/api/v1/records');
  records = l.status === 200 ? l.body.records : [];
  renderMonitors();
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
  $('r-logout').onclick = async () => { await api('POST', '/api/v1/logout', {}); csrf = null; load(); };
  load();
}
start();
