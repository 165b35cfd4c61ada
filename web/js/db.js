// db.js — the device's IndexedDB: "kv" (the enrolment: name, keys pinned,
// the signing key, wrapped under the PIN or as a non-extractable CryptoKey)
// and "outbox" (records waiting, sent, and their receipts).
const NAME = 'constat';
let dbp = null;
function req(r) { return new Promise((ok, ko) => { r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); }); }
export function open() {
  if (!dbp) {
    dbp = new Promise((ok, ko) => {
      const r = indexedDB.open(NAME, 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('kv');
        r.result.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
      };
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
  }
  return dbp;
}
async function tx(store, mode, fn) {
  const db = await open();
  const t = db.transaction(store, mode), res = fn(t.objectStore(store));
  await new Promise((ok, ko) => { t.oncomplete = ok; t.onerror = () => ko(t.error); t.onabort = () => ko(t.error); });
  return res instanceof IDBRequest ? res.result : res;
}
export const get = (k) => tx('kv', 'readonly', (s) => s.get(k));
export const put = (k, v) => tx('kv', 'readwrite', (s) => s.put(v, k));
export const queue = (item) => tx('outbox', 'readwrite', (s) => s.add(item));
export const update = (item) => tx('outbox', 'readwrite', (s) => s.put(item));
export const remove = (id) => tx('outbox', 'readwrite', (s) => s.delete(id));
export const items = () => tx('outbox', 'readonly', (s) => s.getAll());
// Wipe: every store of the device at once (the database is deleted).
export async function wipe() {
  if (dbp) { (await dbp).close(); dbp = null; }
  await req(indexedDB.deleteDatabase(NAME));
}
