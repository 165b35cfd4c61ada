// crypto.js — what the monitor's device computes (docs/field-app.md):
// RFC 8785 canonical JSON, record signing (Ed25519, WebCrypto), the sealed
// box to the organisation key (X25519 + XSalsa20-Poly1305 from the vendored
// TweetNaCl, nonce = BLAKE2b-24(epk || pk) as libsodium's crypto_box_seal),
// C2SP signed-note keys and signatures, RFC 9162 inclusion proofs, and the
// receipt check that `constat submit` does in C (constat_receipt_verify).
export const te = new TextEncoder();
export const td = new TextDecoder('utf-8', { fatal: true });

export function b64(u8) {
  let s = '';
  for (let i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]);
  return btoa(s);
}
export function unb64(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4) throw new Error('not base64');
  const bin = atob(s), u = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
  return u;
}
export function hex(u8) { return Array.from(u8, (b) => b.toString(16).padStart(2, '0')).join(''); }
export function unhex(s) {
  if (!/^([0-9a-f]{2})*$/.test(s)) throw new Error('not hex');
  const u = new Uint8Array(s.length / 2);
  for (let i = 0; i < u.length; i++) u[i] = parseInt(s.substr(2 * i, 2), 16);
  return u;
}
export function concat(...parts) {
  const u = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { u.set(p, o); o += p.length; }
  return u;
}
export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}
export async function sha256(u8) { return new Uint8Array(await crypto.subtle.digest('SHA-256', u8)); }

// RFC 8785 for the values records hold: strings, safe integers, booleans,
// null, arrays, objects (keys in UTF-16 code-unit order, which is JS's sort).
export function jcs(v) {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Error('records hold integers only (got ' + v + ')');
    return String(v === 0 ? 0 : v);
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
  if (typeof v === 'object') {
    return '{' + Object.keys(v).sort().filter((k) => v[k] !== undefined)
      .map((k) => JSON.stringify(k) + ':' + jcs(v[k])).join(',') + '}';
  }
  throw new Error('not a JSON value');
}

// ---- BLAKE2b (RFC 7693), unkeyed, for the sealed box nonce only ----
const M64 = (1n << 64n) - 1n;
const IV = [0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4], [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13], [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11], [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5], [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0]];
const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & M64;
function G(v, a, b, c, d, x, y) {
  v[a] = (v[a] + v[b] + x) & M64; v[d] = rotr(v[d] ^ v[a], 32n);
  v[c] = (v[c] + v[d]) & M64; v[b] = rotr(v[b] ^ v[c], 24n);
  v[a] = (v[a] + v[b] + y) & M64; v[d] = rotr(v[d] ^ v[a], 16n);
  v[c] = (v[c] + v[d]) & M64; v[b] = rotr(v[b] ^ v[c], 63n);
}
function compress(h, block, t, last) {
  const v = h.concat(IV), m = [];
  for (let i = 0; i < 16; i++) {
    let w = 0n;
    for (let j = 7; j >= 0; j--) w = (w << 8n) | BigInt(block[8 * i + j]);
    m.push(w);
  }
  v[12] ^= t & M64; v[13] ^= t >> 64n;
  if (last) v[14] ^= M64;
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    G(v, 0, 4, 8, 12, m[s[0]], m[s[1]]); G(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(v, 2, 6, 10, 14, m[s[4]], m[s[5]]); G(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(v, 0, 5, 10, 15, m[s[8]], m[s[9]]); G(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(v, 2, 7, 8, 13, m[s[12]], m[s[13]]); G(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (let i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}
export function blake2b(input, outlen) {
  const h = IV.slice();
  h[0] ^= 0x01010000n ^ BigInt(outlen);
  let t = 0n, off = 0;
  do {
    const n = Math.min(128, input.length - off), block = new Uint8Array(128);
    block.set(input.subarray(off, off + n));
    off += n; t += BigInt(n);
    compress(h, block, t, off >= input.length);
  } while (off < input.length);
  const out = new Uint8Array(64);
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) out[8 * i + j] = Number((h[i] >> BigInt(8 * j)) & 0xffn);
  return out.slice(0, outlen);
}

// ---- Ed25519 public key -> X25519 (crypto_sign_ed25519_pk_to_curve25519) ----
const P = (1n << 255n) - 19n;
function modpow(b, e) { let r = 1n; b %= P; while (e > 0n) { if (e & 1n) r = (r * b) % P; b = (b * b) % P; e >>= 1n; } return r; }
export function edToX25519(pk) {
  let y = 0n;
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? pk[i] & 0x7f : pk[i]);
  if (y >= P) throw new Error('not an Ed25519 public key');
  const u = ((1n + y) * modpow((1n - y + P) % P, P - 2n)) % P;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((u >> BigInt(8 * i)) & 0xffn);
  return out;
}

// libsodium's crypto_box_seal to the organisation's Ed25519 key: the
// bytes epk || box(msg, nonce = BLAKE2b-24(epk || xpk), xpk, esk).
export function sealBox(msg, orgEdPk) {
  const nacl = globalThis.nacl;
  const xpk = edToX25519(orgEdPk), ek = nacl.box.keyPair();
  const nonce = blake2b(concat(ek.publicKey, xpk), 24);
  const c = nacl.box(msg, nonce, xpk, ek.secretKey);
  ek.secretKey.fill(0);
  return concat(ek.publicKey, c);
}

// ---- C2SP signed-note keys: "name+hex8+base64(0x01 || key)" ----
export async function noteKeyId(name, pk) {
  const h = await sha256(concat(te.encode(name), new Uint8Array([0x0a, 0x01]), pk));
  return h.slice(0, 4);
}
export async function parseVkey(s) {
  s = String(s);
  const i = s.indexOf('+'), j = s.indexOf('+', i + 1);
  const parts = i < 0 || j < 0 ? [] : [s.slice(0, i), s.slice(i + 1, j), s.slice(j + 1)];
  if (parts.length !== 3 || !parts[0] || !/^[0-9a-f]{8}$/.test(parts[1])) throw new Error('not a note verifier key');
  const raw = unb64(parts[2]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 note key');
  const pk = raw.slice(1), id = await noteKeyId(parts[0], pk);
  if (hex(id) !== parts[1]) throw new Error('key id does not match the key');
  return { name: parts[0], id, pk };
}
export async function formatVkey(name, pk) {
  return name + '+' + hex(await noteKeyId(name, pk)) + '+' + b64(concat(new Uint8Array([1]), pk));
}

// Open a signed note with one key: returns its text, or throws why not.
export async function noteOpen(note, vk) {
  const sep = note.lastIndexOf('\n\n');
  if (sep < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const text = note.slice(0, sep + 1);
  // WebCrypto Ed25519, else TweetNaCl's (browsers without it, docs/field-app.md)
  let key = null;
  try { key = await crypto.subtle.importKey('raw', vk.pk, { name: 'Ed25519' }, false, ['verify']); } catch (e) { key = null; }
  const verify = async (sig, msg) => key ? crypto.subtle.verify('Ed25519', key, sig, msg)
    : globalThis.nacl.sign.detached.verify(msg, sig, vk.pk);
  for (const line of note.slice(sep + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error('malformed signature line');
    if (m[1] !== vk.name) continue;
    const sig = unb64(m[2]);
    if (sig.length !== 68 || !equal(sig.slice(0, 4), vk.id)) continue;
    if (await verify(sig.slice(4), te.encode(text))) return text;
    throw new Error('signature of ' + vk.name + ' does not verify');
  }
  throw new Error('no signature of ' + vk.name);
}

// ---- RFC 9162 §2.1.3.2 inclusion proofs ----
async function nodeHash(l, r) { return sha256(concat(new Uint8Array([1]), l, r)); }
export async function leafHash(leaf) { return sha256(concat(new Uint8Array([0]), leaf)); }
// index, size: integers (Number or BigInt); hashes Uint8Array(32). Throws why it fails.
export async function verifyInclusion(index, size, leafH, proof, root) {
  let fn = BigInt(index), sn = BigInt(size) - 1n, r = leafH;
  if (BigInt(index) >= BigInt(size)) throw new Error('index ' + index + ' is past the tree size ' + size);
  if (leafH.length !== 32 || root.length !== 32) throw new Error('a hash is not 32 bytes');
  for (const p of proof) {
    if (p.length !== 32) throw new Error('a proof hash is not 32 bytes');
    if (sn === 0n) throw new Error('the proof is too long');
    if ((fn & 1n) || fn === sn) {
      r = await nodeHash(p, r);
      while (!(fn & 1n) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n; sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('the proof is too short');
  if (!equal(r, root)) throw new Error('the proof leads to another root');
}

// The receipt of a leaf (bytes), against the log's key: throws naming the failed check.
export async function verifyReceipt(rc, leaf, logVk) {
  const idx = rc && rc.index, size = rc && rc.tree_size;
  if (!Number.isSafeInteger(idx) || idx < 0) throw new Error('receipt: index missing');
  if (!Number.isSafeInteger(size) || size <= idx) throw new Error('receipt: tree_size missing or <= index');
  if (typeof rc.checkpoint !== 'string') throw new Error('receipt: checkpoint missing');
  if (!Array.isArray(rc.inclusion_proof) || rc.inclusion_proof.length > 64) throw new Error('receipt: inclusion_proof missing');
  let text;
  try { text = await noteOpen(rc.checkpoint, logVk); } catch (e) { throw new Error('receipt: checkpoint: ' + e.message); }
  const lines = text.split('\n');
  if (lines.length < 4 || !/^[1-9][0-9]*$/.test(lines[1])) throw new Error('receipt: checkpoint: malformed');
  if (lines[0] !== logVk.name || Number(lines[1]) !== size) throw new Error('receipt: checkpoint is of another tree size or log');
  const root = unb64(lines[2]), lh = await leafHash(leaf);
  if (!equal(lh, unb64(rc.leaf_hash || ''))) throw new Error('receipt: leaf_hash is not the hash of the submitted leaf');
  try {
    await verifyInclusion(idx, size, lh, rc.inclusion_proof.map(unb64), root);
  } catch (e) { throw new Error('receipt: inclusion proof: ' + e.message); }
}

// ---- records ----
export const RECORD_DOMAIN = 'constat-record-v1\n';
export function randomHex(n) { return hex(crypto.getRandomValues(new Uint8Array(n))); }
// The commitment of docs/record.md, as 64 hex digits:
// SHA-256("constat-commit-v1" || 0x00 || salt16 || field || 0x00 || JCS(value)).
// `salt` is 32 hex digits; person identifiers are committed under field "person".
export async function commit(field, value, salt) {
  return hex(await sha256(concat(te.encode('constat-commit-v1'), new Uint8Array([0]), unhex(salt),
    te.encode(field), new Uint8Array([0]), te.encode(jcs(value)))));
}
// The leaf JCS({"key_id", "record", "signature"}) of `record`, signed with `key` (a CryptoKey).
// `key` is a WebCrypto Ed25519 CryptoKey, or {nacl: 64-byte TweetNaCl secret key} where the
// browser lacks Ed25519 in WebCrypto (docs/field-app.md).
export async function signRecord(record, key, keyId) {
  const canon = jcs(record), msg = te.encode(RECORD_DOMAIN + canon);
  const sig = key.nacl ? globalThis.nacl.sign.detached(msg, key.nacl)
    : new Uint8Array(await crypto.subtle.sign('Ed25519', key, msg));
  return '{"key_id":' + JSON.stringify(keyId) + ',"record":' + canon + ',"signature":"' + b64(sig) + '"}';
}
