// pin.js — the PIN's attempt counter (docs/field-app.md "PIN"): every wrong
// PIN is counted on the device (kv "pin_fails", kept across reloads); from
// WARN_AFTER wrong PINs on the lock screen says how many are left, and the
// WIPE_AT-th wipes the device (keys, drafts, outbox, receipts) at once. A
// right PIN resets the count.
import * as db from './db.js';

export const WARN_AFTER = 5, WIPE_AT = 10;

export async function fails() { return (await db.get('pin_fails')) || 0; }
export async function reset() { await db.put('pin_fails', 0); }
// One more wrong PIN: {fails, left, wipe} (wipe: the caller wipes now).
export async function wrong() {
  const n = (await fails()) + 1;
  await db.put('pin_fails', n);
  return { fails: n, left: Math.max(0, WIPE_AT - n), wipe: n >= WIPE_AT };
}
