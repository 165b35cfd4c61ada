#!/bin/sh
# Output that data cannot forge (docs/formats.md, "Text shown to people"): an
# incident whose place name holds a newline, a right-to-left override
# (U+202E) and an ANSI escape is listed by `constat log` on one line with
# those characters made visible; `show`, the HTML report and the dossier's
# VERIFY.md show them escaped too, while the record itself keeps its bytes.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

run_ok $CONSTAT init --no-passphrase --org "hro-$(printf '\342\200\256')test" --origin test.example/hro/log --dir v
expect_in out "organisation: hro-<U+202E>test"
run_ok $CONSTAT monitor add alice --dir v

# the place name: "Calais", a newline, then text laid out as a forged record line of
# `constat log`, an RLO before "gpj.exe", and ESC [2J (clear screen)
python3 - <<'PY'
import json
forged = "99      incident           forged-record-id                 2026-01-01T00:00:00Z      Nowhere"
inc = {
    "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T08:10:00+01:00",
                 "precision": "minute"},
    "place": {"name": "Calais\n" + forged + " \u202egpj.exe \x1b[2J", "country": "France"},
    "categories": ["eviction"],
    "affected": {"count": 3, "minors": "unknown"},
    "source": {"type": "direct_observation"},
}
open("inc.json", "w").write(json.dumps(inc))
PY
run_ok $CONSTAT record inc.json --monitor alice --dir v
id=$(sed -n 's/^record //p' out)
[ -n "$id" ] || fail "receipt names no record id"
ok
run_ok $CONSTAT checkpoint --dir v

# constat log: one line per record, the place escaped on its own line
run_ok $CONSTAT log --dir v
expect_eq "$(wc -l < out | tr -d ' ')" 2 "two records, two lines"
expect_in out 'Calais\x0a99      incident           forged-record-id'
expect_in out ' <U+202E>gpj.exe \x1b[2J'
# nothing a terminal acts on: no ESC, no C1, no bidi control in the output
python3 - out <<'PY' || fail "constat log printed a control or bidi character"
import sys
t = open(sys.argv[1], encoding="utf-8").read()
bad = [c for c in t if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f
       or 0x202a <= ord(c) <= 0x202e or 0x2066 <= ord(c) <= 0x2069]
sys.exit(1 if bad else 0)
PY
ok
grep -q '^99 ' out && fail "the forged line appears as a record of its own"
ok
# --place filters on the real bytes
run_ok $CONSTAT log --dir v --place "$(printf 'gpj')"
expect_eq "$(wc -l < out | tr -d ' ')" 1 "the filter matches the hostile record"

# --json keeps the data exact (JSON escapes of its own)
run_ok $CONSTAT log --dir v --json --kind incident
expect_in out 'Calais\n99      incident'
python3 - out <<'PY' || fail "--json does not round-trip the place name"
import json, sys
rec = json.load(open(sys.argv[1]))["items"][0]["record"]
assert rec["place"]["name"].startswith("Calais\n99 "), rec["place"]["name"]
assert "\u202egpj.exe \x1b[2J" in rec["place"]["name"]
PY
ok

# constat show: the JSON dump keeps its own lines; the RLO is made visible
run_ok $CONSTAT show "$id" --dir v
expect_in out '"name": "Calais\n99      incident'
expect_in out '<U+202E>gpj.exe \u001B[2J'
expect_not_in out "$(printf '\342\200\256')"

# the HTML report: markup-escaped and the RLO visible, in the incident list
run_ok $CONSTAT report --out r --dir v
expect_in r/index.html 'Calais\x0a99      incident'
expect_in r/index.html '&lt;U+202E&gt;gpj.exe \x1b[2J'
expect_not_in r/index.html "$(printf '\342\200\256')"
expect_not_in r/index.html "$(printf '\033')"

# the dossier: VERIFY.md names the organisation with its RLO escaped, and the
# selection with the --place text as given
run_ok $CONSTAT dossier --out d --dir v --place "$(printf 'exe \033[2J')"
expect_in d/VERIFY.md '- Organisation: hro-<U+202E>test'
expect_in d/VERIFY.md 'containing "exe \x1b[2J"'
expect_not_in d/VERIFY.md "$(printf '\342\200\256')"
expect_not_in d/VERIFY.md "$(printf '\033')"
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
expect_not_in out "$(printf '\342\200\256')"

# a file in the dossier whose name would print as a second FAIL line: still one
cp -r d d2
printf x > "d2/$(printf 'evil\nFAIL: forged \342\200\256')"
run_fails 1 $CONSTAT verify d2
expect_eq "$(grep -c '^FAIL:' out)" 1 "one failure, one FAIL line"
expect_in out "FAIL: evil"
expect_not_in out "$(printf '\342\200\256')"

# error messages are escaped too: a record id with a newline
run_fails 2 $CONSTAT show "$(printf 'no\nsuch')" --dir v
expect_in err 'no\x0asuch'
expect_eq "$(wc -l < err | tr -d ' ')" 1 "one error line"

done_ok
