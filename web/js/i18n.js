// i18n.js — one messages file a language (web/i18n/LANG.json, flat
// key -> text); a translator adds a language by adding a file and its name to
// LANGS. Elements say which message they show: data-i18n (text),
// data-i18n-ph (placeholder), data-i18n-aria (aria-label).
export const LANGS = { fr: { name: 'Français', dir: 'ltr' }, en: { name: 'English', dir: 'ltr' }, ar: { name: 'العربية', dir: 'rtl' } };
let msgs = {}, fallback = {};
export let lang = 'en';
export async function load(l) {
  if (!LANGS[l]) l = 'en';
  const get = async (x) => (await fetch('/i18n/' + x + '.json')).json();
  fallback = await get('en');
  msgs = l === 'en' ? fallback : await get(l);
  lang = l;
  document.documentElement.lang = l;
  document.documentElement.dir = LANGS[l].dir;
  apply(document);
}
export function t(key, vars) {
  let s = msgs[key] ?? fallback[key] ?? key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
  return s;
}
export function apply(root) {
  for (const e of root.querySelectorAll('[data-i18n]')) e.textContent = t(e.dataset.i18n);
  for (const e of root.querySelectorAll('[data-i18n-ph]')) e.placeholder = t(e.dataset.i18nPh);
  for (const e of root.querySelectorAll('[data-i18n-aria]')) e.setAttribute('aria-label', t(e.dataset.i18nAria));
}
// A taxonomy label in the current language (fr and en always there, ar added).
export function label(o) { return (o && (o[lang] || o.en)) || ''; }

// The language of the page: the one chosen before (kept in localStorage),
// else the browser's, else English; `select` offers every language and
// `changed` runs after a switch.
export async function setup(select, changed) {
  const l = localStorage.getItem('lang') || (navigator.language || 'en').slice(0, 2);
  await load(LANGS[l] ? l : 'en');
  for (const [k, v] of Object.entries(LANGS)) select.add(new Option(v.name, k));
  select.value = lang;
  select.onchange = async () => { localStorage.setItem('lang', select.value); await load(select.value); changed(); };
}
