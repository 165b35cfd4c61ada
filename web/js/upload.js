// upload.js — evidence sent by the resumable upload API (docs/api.md
// "Resumable uploads"): declared with the SHA-256 the signed record holds,
// sent in chunks of CHUNK bytes with Content-Range, resumed from the offset
// the server received after a network cut or a reload (the upload id is kept
// on the outbox item), then finished: the server re-hashes the bytes and
// refuses (422) any other file than the one the record names.
export const CHUNK = 1024 * 1024;

async function call(method, path, csrf, body, headers) {
  const h = Object.assign({ 'X-CSRF-Token': csrf }, headers || {});
  const r = await fetch(path, { method, headers: h, credentials: 'same-origin', body });
  let j = null;
  try { j = await r.json(); } catch (e) { j = null; }
  return { status: r.status, body: j, retry: Number(r.headers.get('Retry-After') || 0) };
}

// Upload photo ({blob, sha256, size, upload_id?}) with the session's CSRF
// token; save() persists photo after each step (so a reload resumes it).
// Returns null once stored, or the refusal {status, body, retry}; a network
// failure throws TypeError (fetch's). onProgress(offset, size) may be given.
export async function upload(photo, csrf, save, onProgress, again = true) {
  let offset = 0, r;
  if (photo.upload_id) {
    r = await call('GET', '/api/v1/uploads/' + photo.upload_id, csrf);
    if (r.status === 200) offset = r.body.offset;
    else if (r.status === 404) { photo.upload_id = null; await save(); }
    else return r;
  }
  if (!photo.upload_id) {
    r = await call('POST', '/api/v1/uploads', csrf, JSON.stringify({ sha256: photo.sha256, size: photo.size }),
      { 'Content-Type': 'application/json' });
    if (r.status !== 200 && r.status !== 201) return r;
    if (r.body.stored) return r.body.sha256 === photo.sha256 ? null : { status: 422, body: { error: 'sha256' } };
    photo.upload_id = r.body.id;
    offset = r.body.offset;
    await save();
  }
  while (offset < photo.size) {
    const end = Math.min(photo.size, offset + CHUNK);
    r = await call('PUT', '/api/v1/uploads/' + photo.upload_id, csrf, photo.blob.slice(offset, end),
      { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes ' + offset + '-' + (end - 1) + '/' + photo.size });
    if (r.status === 409 && r.body && typeof r.body.offset === 'number') { offset = r.body.offset; continue; }
    if (r.status !== 200) return r;
    offset = r.body.offset;
    if (onProgress) onProgress(offset, photo.size);
  }
  r = await call('POST', '/api/v1/uploads/' + photo.upload_id + '/finish', csrf);
  if (r.status === 404 && again) { // finished before a cut lost the answer: declare again ("stored")
    photo.upload_id = null;
    await save();
    return upload(photo, csrf, save, onProgress, false);
  }
  if (r.status !== 200 && r.status !== 201) return r;
  photo.upload_id = null;
  await save();
  return r.body.sha256 === photo.sha256 ? null : { status: 422, body: { error: 'sha256' } };
}
