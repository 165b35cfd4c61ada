// outbox_ui.js — what the monitor can do with the outbox and the form
// besides sending (docs/field-app.md "Outbox"): the form being typed is kept
// on the device as it changes (kv "draft", its public fields only), so a
// reload, a crash or a lock gives it back; a refused record can be opened in the form, edited and
// queued again in its place, or removed from the device.
import * as db from './db.js';
import * as I from './i18n.js';

const FIELDS = '#form input[id]:not([type=file]):not([type=checkbox]), #form select[id], #form textarea[id]';
// Private fields (sealed to the organisation when saved) are never kept in
// clear in the browser's storage: a draft keeps the public fields only.
const PRIVATE = new Set(['f-narrative', 'f-witnesses', 'f-persons']);

// The form's state: values by element id, checked categories, item rows,
// the GPS fixes (place, release place), and which outbox item it edits (null: a new record).
export function formState(editing) {
  const values = {};
  for (const e of document.querySelectorAll(FIELDS)) if (!PRIVATE.has(e.id)) values[e.id] = e.value;
  return {
    values,
    cats: [...document.querySelectorAll('#f-cats input:checked')].map((c) => c.value),
    items: [...document.querySelectorAll('#f-items .item')].map((d) => ({ kind: d.querySelector('.i-kind').value,
      action: d.querySelector('.i-action').value, count: d.querySelector('.i-count').value, origin: d.querySelector('.i-origin').value })),
    gps: document.getElementById('f-gps').dataset.pos || null,
    rel_gps: document.getElementById('f-rel-gps').dataset.pos || null,
    editing: editing ?? null,
  };
}
// Put a state back into the built form; addItem() appends an empty item row.
export function restore(s, addItem) {
  for (const [id, v] of Object.entries(s.values || {})) { const e = document.getElementById(id); if (e) e.value = v; }
  for (const cb of document.querySelectorAll('#f-cats input')) cb.checked = (s.cats || []).includes(cb.value);
  for (const it of s.items || []) {
    addItem();
    const rows = document.querySelectorAll('#f-items .item'), d = rows[rows.length - 1];
    d.querySelector('.i-kind').value = it.kind;
    d.querySelector('.i-action').value = it.action;
    d.querySelector('.i-count').value = it.count;
    d.querySelector('.i-origin').value = it.origin || '';
  }
  if (s.gps) document.getElementById('f-gps').dataset.pos = s.gps;
  if (s.rel_gps) document.getElementById('f-rel-gps').dataset.pos = s.rel_gps;
}
export const saveDraft = (editing) => db.put('draft', formState(editing));
export const loadDraft = () => db.get('draft');
export const dropDraft = () => db.put('draft', null);

// A record draft (as queued) back into form state: the inverse of the
// form's reading for the fields it has. Private fields were sealed on the
// device and cannot be read back: they stay as sealed unless typed again.
function local(t) { // RFC 3339 with offset -> datetime-local text in that local time
  return t ? t.slice(0, 16) : '';
}
export function fromRecord(r, id) {
  const a = r.authority || {}, f = r.affected || {}, p = r.place || {}, t = r.transport || {}, rp = t.release_place || {};
  const ev = r.eviction || {}, src = r.source || {};
  const values = {
    'f-start': local(r.occurred && r.occurred.start), 'f-end': local(r.occurred && r.occurred.end),
    'f-precision': (r.occurred && r.occurred.precision) || 'minute',
    'f-place': p.name || '', 'f-commune': p.commune || '', 'f-country': p.country || '', 'f-forces': (a.forces || []).join(', '),
    'f-unit': a.unit || '', 'f-officers': a.officers ?? '', 'f-ids': (a.id_numbers || []).join(', '),
    'f-count': f.count ?? '', 'f-minors': f.minors || 'unknown', 'f-source': src.type || 'direct_observation',
    'f-src-ref': src.reference || '', 'f-src-id': src.source_id || '',
    'f-summary': r.summary || '', 'f-site': p.site || '', 'f-nats': (f.nationalities || []).join(', '),
    'f-dest': t.destination || '', 'f-released': local(t.released_at),
    'f-rel-name': rp.name || '', 'f-rel-site': rp.site || '',
    'f-ev-invited': (ev.associations_invited || []).join(', '), 'f-ev-present': (ev.associations_present || []).join(', '),
    'f-ev-by': ev.invited_by || '',
  };
  // count rows by key (the taxonomy's statuses and vehicle kinds; one it does not list has no row)
  for (const [k, n] of Object.entries(f.legal_status || {})) values['f-ls-' + k] = n;
  for (const v of a.vehicles || []) values['f-veh-' + v.kind] = (Number(values['f-veh-' + v.kind]) || 0) + (v.count || 0);
  const gps = p.lat_e7 !== undefined ? JSON.stringify({ lat_e7: p.lat_e7, lon_e7: p.lon_e7, precision_m: p.precision_m }) : null;
  const rel_gps = rp.lat_e7 !== undefined ? JSON.stringify({ lat_e7: rp.lat_e7, lon_e7: rp.lon_e7 }) : null;
  return { values, cats: r.categories || [], gps, rel_gps, editing: id,
    items: (r.items || []).map((i) => ({ kind: i.kind, action: i.action, count: i.count === null ? '' : String(i.count), origin: i.origin || '' })) };
}

// The buttons of a refused item: edit (opens the form) and remove.
export function actions(it, onEdit, onRemove) {
  const div = document.createElement('div');
  div.className = 'row';
  const e = document.createElement('button'), x = document.createElement('button');
  e.type = 'button'; x.type = 'button';
  e.className = 'out-edit'; x.className = 'out-remove danger';
  e.textContent = I.t('out.edit'); x.textContent = I.t('out.remove');
  e.hidden = it.kind !== 'incident';
  e.onclick = () => onEdit(it);
  x.onclick = async () => { if (confirm(I.t('out.remove_confirm'))) { await db.remove(it.id); onRemove(it); } };
  div.append(e, x);
  return div;
}
