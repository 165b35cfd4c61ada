// sw.js — the service worker: the app shell is cached at install and
// served from the cache first (so the app opens with no network), then
// refreshed in the background. The API is never cached.
const CACHE = 'constat-shell-v4';
const SHELL = ['/', '/index.html', '/app.css', '/manifest.webmanifest', '/icon.svg', '/taxonomy.json',
  '/vendor/tweetnacl/nacl.min.js', '/js/app.js', '/js/crypto.js', '/js/db.js', '/js/i18n.js',
  '/js/orgkey.js', '/js/outbox_ui.js', '/js/pin.js', '/js/upload.js',
  '/i18n/en.json', '/i18n/fr.json', '/i18n/ar.json'];
self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL.map((u) => new Request(u, { cache: 'reload' })))).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys().then((ks) => Promise.all(ks.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim()));
});
self.addEventListener('fetch', (e) => {
  const u = new URL(e.request.url);
  if (e.request.method !== 'GET' || u.origin !== location.origin || u.pathname.startsWith('/api/') ||
      u.pathname === '/checkpoint' || u.pathname.startsWith('/tile/')) return;
  e.respondWith(caches.open(CACHE).then(async (c) => {
    const hit = await c.match(e.request, { ignoreSearch: true });
    const net = fetch(e.request).then((r) => { if (r.ok) c.put(e.request, r.clone()); return r; });
    if (hit) { net.catch(() => {}); return hit; }
    return net;
  }));
});
