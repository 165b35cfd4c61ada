// text.js — record text made visible before it is shown (docs/formats.md
// "Text shown to people"), as the CLI does (include/constat/base/text.h):
// record text is hostile, and a right-to-left override (U+202E) would make
// "gpj.exe" read as "exe.jpg" and reorder the rest of the line, a newline
// would start a line that is no record. Shown instead:
//   C0 controls U+0000-U+001F and DEL U+007F      \x0a, \x1b, \x7f
//   C1 controls U+0080-U+009F                     <U+0085>
//   bidi marks, embeddings, overrides, isolates   <U+202E>  (U+061C, U+200E,
//     U+200F, U+202A-U+202E, U+2066-U+2069)
//   U+2028, U+2029, U+FFFE, U+FFFF                <U+2028>
//   a lone surrogate (text that was not UTF-8)    <U+D800>
// Everything else is kept, a backslash too. The data is never changed: only
// what is put on the page.

const hex = (n, w) => n.toString(16).toUpperCase().padStart(w, '0');

function hidden(cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp === 0x61c || cp === 0x200e || cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x2028 ||
    cp === 0x2029 || cp === 0xfffe || cp === 0xffff || (cp >= 0xd800 && cp <= 0xdfff);
}

// One line of text: every character above made visible.
export function visible(s) {
  let out = '';
  for (const ch of String(s)) { // by code point: a lone surrogate is one
    const cp = ch.codePointAt(0);
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2).toLowerCase();
    else if (hidden(cp)) out += '<U+' + hex(cp, 4) + '>';
    else out += ch;
  }
  return out;
}

// A block whose line breaks are ours (indented JSON): the newlines kept,
// everything else as visible() shows it.
export function visibleBlock(s) {
  return String(s).split('\n').map(visible).join('\n');
}
