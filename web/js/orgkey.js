// orgkey.js — the device follows a rotation of the organisation key, or of the log key,
// from the key it pinned at enrolment (docs/api.md "Key transitions"), with the checks of
// constat_transitions_follow (src/lib/vault/transitions.c): each transition's receipt
// against the pinned log key, then the chain: each transition retires the key then in
// force, its leaf is signed by that key and its new_signature by the key it brings in;
// the pinned key is in the chain and the chain ends at the server's key.
import * as C from './crypto.js';

export const TRANSITION_DOMAIN = 'constat-key-transition-v1\n';

async function verifySig(vk, sig, msg) {
  let key = null;
  try { key = await crypto.subtle.importKey('raw', vk.pk, { name: 'Ed25519' }, false, ['verify']); } catch (e) { key = null; }
  return key ? crypto.subtle.verify('Ed25519', key, sig, msg) : globalThis.nacl.sign.detached.verify(msg, sig, vk.pk);
}
const keyId = (vk) => vk.name + '+' + C.hex(vk.id);

// pinned, current, logKey: vkey strings; transitions: GET /api/v1/key-transitions'
// "transitions" (kind 'org': each receipt checked against logKey) or "log_transitions"
// (kind 'log': the chain of log keys, from the pinned log key; each receipt then checked
// against the key it leads to). Resolves {steps, at} (steps 0 when current is the pinned
// key), or throws naming the transition and the check that failed.
export async function follow(pinned, current, transitions, logKey, kind = 'org') {
  const pin = await C.parseVkey(pinned), cur = await C.parseVkey(current);
  const log = kind === 'org' ? await C.parseVkey(logKey) : null;
  if (C.equal(pin.pk, cur.pk)) return { steps: 0, at: '' };
  if (!Array.isArray(transitions) || !transitions.length) throw new Error('no key transition leads to the new key');
  const chain = [];
  let inForce = null, last = -1, at = '';
  for (const t of transitions) {
    const what = 'key transition at leaf ' + (t && t.index);
    if (!t || typeof t.leaf !== 'string' || !Number.isSafeInteger(t.index) || t.index <= last) throw new Error(what + ': malformed or out of log order');
    last = t.index;
    if (log) {
      try { await C.verifyReceipt(t.receipt, C.te.encode(t.leaf), log); } catch (e) { throw new Error(what + ': ' + e.message); }
    }
    if (!t.receipt || t.receipt.index !== t.index) throw new Error(what + ': its receipt is of another leaf');
    let leaf;
    try { leaf = JSON.parse(t.leaf); } catch (e) { throw new Error(what + ': not a leaf'); }
    const r = leaf.record;
    if (!r || r.kind !== 'key_transition' || r.key !== kind || typeof r.old_vkey !== 'string' || typeof r.vkey !== 'string'
        || typeof r.new_signature !== 'string') throw new Error(what + ': not a transition of the ' + (kind === 'log' ? 'log' : 'organisation') + ' key');
    const old = await C.parseVkey(r.old_vkey), nw = await C.parseVkey(r.vkey);
    if (!inForce) { inForce = old; chain.push(old); }
    if (!C.equal(old.pk, inForce.pk) || r.retires !== keyId(inForce)) throw new Error(what + ': does not retire the key then in force');
    if (leaf.key_id !== keyId(inForce)) throw new Error(what + ': not signed by the key it retires');
    const msg = C.te.encode(C.RECORD_DOMAIN + C.jcs(r));
    if (!(await verifySig(inForce, C.unb64(leaf.signature || ''), msg))) throw new Error(what + ': the signature of the key it retires does not verify');
    const bare = { ...r };
    delete bare.new_signature;
    if (!(await verifySig(nw, C.unb64(r.new_signature), C.te.encode(TRANSITION_DOMAIN + C.jcs(bare))))) throw new Error(what + ': the new key did not sign it');
    inForce = nw;
    chain.push(nw);
    at = r.recorded_at || '';
  }
  const which = kind === 'log' ? 'log' : 'organisation';
  const from = chain.findIndex((k) => C.equal(k.pk, pin.pk));
  if (from < 0) throw new Error('no key transition starts from the ' + which + ' key pinned at enrolment');
  if (!C.equal(inForce.pk, cur.pk)) throw new Error('the key transitions end at another key than the server\'s');
  if (!log) { // the chain is the pinned key's word: its leaves must be in the log it leads to
    for (const t of transitions) {
      try { await C.verifyReceipt(t.receipt, C.te.encode(t.leaf), cur); } catch (e) { throw new Error('key transition at leaf ' + t.index + ': ' + e.message); }
    }
  }
  return { steps: chain.length - 1 - from, at };
}
