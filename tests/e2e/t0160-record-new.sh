#!/bin/sh
# Records without hand-written JSON: `constat taxonomy` lists the categories;
# `constat record --new` on a terminal (a pty here) asks the questions, asks
# again with the reason after each invalid answer, converts local times to
# RFC 3339 and decimal degrees to x 10^7, and logs the record through the
# same path as `record FILE` (constat show displays it, signature valid);
# declined or cut-short answers log nothing; without a terminal, or with
# --template, it prints a commented template that `record FILE` takes once
# edited (and refuses unedited).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export TZ=Europe/Paris
export CONSTAT_PASSPHRASE="test pass"

# taxonomy: the bundled categories, numbered, with both labels
run_ok $CONSTAT taxonomy
expect_in out "eviction"
expect_in out "Eviction / Expulsion de lieu de vie"
expect_in out "Item actions (items[].action): seized destroyed seized_or_destroyed"
expect_in out "No vault at constat-vault"
expect_in out "cash_eur                     currency EUR  Cash (EUR) / Argent liquide (EUR)"
n=$(grep -c '^ *[0-9][0-9]*  [a-z_]' out)
expect_eq "$n" 19 "categories listed"
run_ok $CONSTAT taxonomy --json
python3 - out <<'PY' || fail "taxonomy --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["v"] == 1 and d["command"] == "taxonomy", d
ids = [c["id"] for c in d["items"]]
assert "eviction" in ids and len(ids) == 19, ids
c = d["items"][ids.index("eviction")]
assert c["number"] == ids.index("eviction") + 1 and c["label"]["en"] == "Eviction", c
assert d["item_actions"] == ["seized", "destroyed", "seized_or_destroyed"], d["item_actions"]
assert d["item_kinds_in_use"] is None and d["vault"] is None, d
k = {x["kind"]: x for x in d["item_kinds"]}
assert k["tents"]["unit"] == "items" and k["tents"]["currency"] is None, k["tents"]
assert k["cash_eur"]["unit"] == "currency" and k["cash_eur"]["currency"] == "EUR", k["cash_eur"]
PY
ok
run_fails 2 $CONSTAT taxonomy --dir no-such-vault
expect_in err "no-such-vault"

run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
run_ok $CONSTAT monitor add bob --dir v

# drive: python3 "$drive_py" SCRIPT ARGS... runs constat ARGS on a pty and
# answers: SCRIPT lines "expect TEXT" (wait for TEXT in the output since the
# last answer) and "send TEXT" (type TEXT and Enter); "eof" sends Ctrl-D.
# The whole transcript goes to stdout, the exit status is constat's.
drive_py="$SRC/tests/e2e/pty_drive.py"

# 1. the whole interview, with a wrong answer at each question first
cat > answers <<'EOF2'
expect Monitor signing the record
send 9
expect '9' is not an enrolled monitor; please answer again.
expect Monitor signing the record
send alice
expect Categories (numbers or ids
send 99
expect '99' is not a number from 1 to 19
send kettling
expect 'kettling' is not a category of the taxonomy
send
expect at least one category is required
send eviction, 1
expect When did it start?
send 2026-11-28 25:00
expect 25:00 is not a time of day
send 2026-02-30 10:00
expect 2026-02-30 is not a date
send 2026-03-29 02:30
expect does not exist in local time (the clocks moved forward)
send 2026-11-30 08:00
expect is in the future
send 28/11/2026
expect is not YYYY-MM-DD HH:MM
send 2026-11-28 07:40
expect When did it end?
send 07:30
expect is before the start, 2026-11-28T07:40:00+01:00
send 09:15
expect Place
send
expect an answer is required
send Rue des Verrotières living site
expect Commune
send Calais
expect Country
send France
expect Coordinates
send 91, 2
expect '91' is outside -90..90 degrees
send 50.9510
expect give two numbers
send 50.9510N, 1.8580
expect is not decimal degrees
send 50.9510, 1.8580
expect How exact
send 200 m
expect not a whole number
send 200
expect Source (number or name
send 7
expect is not 1, 2, 3
send
expect Number of people affected
send forty
expect 'forty' is not a whole number
send 40
expect Minors among them?
send maybe
expect is not yes, no or unknown
send unknown
expect Item seized or destroyed
send
expect Public summary
send Eviction of the living site by CRS; tents taken.
expect Private narrative
send Observers were kept 50 m away behind a perimeter.
expect Sign and log this record as alice?
send perhaps
expect answer yes or no
send yes
expect inclusion proof
EOF2
before=$(vault_digest v)
run_ok python3 "$drive_py" answers $CONSTAT record --new --dir v
cp out transcript1
expect_in out "record inc-"
expect_in out "leaf index 2"
expect_in out '"lat_e7": 509510000'
id=$(tr -d '\r' < out | grep -o 'record inc-[0-9a-f]*' | head -1 | sed 's/^record //')
[ -n "$id" ] || fail "no record id in the receipt"
ok
[ "$(vault_digest v)" != "$before" ] || fail "the vault did not change"
ok
run_ok $CONSTAT show "$id" --dir v --json --private
python3 - out <<'PY' || { cat out >&2; fail "the logged record"; }
import json, sys
d = json.load(open(sys.argv[1]))
r = d["record"]
assert r["monitor"] == "alice" and r["kind"] == "incident", r
assert r["categories"] == ["eviction", "identity_check"], r["categories"]
assert r["occurred"] == {"start": "2026-11-28T07:40:00+01:00",
                         "end": "2026-11-28T09:15:00+01:00", "precision": "minute"}, r["occurred"]
assert r["place"] == {"name": "Rue des Verrotières living site", "commune": "Calais",
                      "country": "France", "lat_e7": 509510000, "lon_e7": 18580000,
                      "precision_m": 200}, r["place"]
assert r["source"] == {"type": "direct_observation"}, r["source"]
assert r["affected"] == {"count": 40, "minors": "unknown"}, r["affected"]
assert r["summary"] == "Eviction of the living site by CRS; tents taken.", r["summary"]
assert set(r["private"]) == {"narrative"} and len(r["private"]["narrative"]) == 64, r["private"]
assert r["recorded_at"] == "2026-11-29T10:00:00Z", r["recorded_at"]
assert d["signature"]["valid"] is True, d["signature"]
assert d["signature"]["result"].startswith("valid"), d["signature"]
assert d["private_values"]["narrative"]["value"] == \
    "Observers were kept 50 m away behind a perimeter.", d.get("private_values")
PY
ok
run_ok $CONSTAT show "$id" --dir v
expect_in out "valid (key alice+"
expect_in out "Rue des Verrotières living site"
expect_in out "included in the signed checkpoint of size 3"
expect_not_in out "Observers were kept"

# 2. a whole local day on which the clocks go forward (23 hours), a
# publication, coordinates rounded past the 7th decimal; --monitor given
cat > answers <<'EOF2'
expect Categories (numbers or ids
send pushback
expect When did it start?
send 2026-03-29
expect Place
send Gare de Calais-Ville
expect Commune
send
expect Country
send
expect Coordinates
send -0.00000005, 1.85800005
expect How exact
send
expect Source (number or name
send 3
expect Reference of the publication
send
expect an answer is required
send https://example.org/report-2026
expect Number of people affected
send
expect Minors among them?
send
expect Item seized or destroyed
send
expect Public summary
send
expect Private narrative
send
expect Sign and log this record as bob?
send y
expect "inclusion_proof"
EOF2
run_ok python3 "$drive_py" answers $CONSTAT record --new --monitor bob --dir v --json
expect_in out '"index": 3'
expect_not_in out "Monitor signing the record"
run_ok $CONSTAT show 3 --dir v --json
python3 - out <<'PY' || { cat out >&2; fail "the day record"; }
import json, sys
r = json.load(open(sys.argv[1]))["record"]
assert r["monitor"] == "bob", r
assert r["occurred"] == {"start": "2026-03-29T00:00:00+01:00",
                         "end": "2026-03-30T00:00:00+02:00", "precision": "day"}, r["occurred"]
assert r["place"] == {"name": "Gare de Calais-Ville", "lat_e7": -1, "lon_e7": 18580001}, r["place"]
assert r["source"] == {"type": "publication", "reference": "https://example.org/report-2026"}
assert "affected" not in r and "summary" not in r and "private" not in r, r
PY
ok

# 3. declined, and cut short by end of input: nothing logged, vault unchanged
before=$(vault_digest v)
cat > answers <<'EOF2'
expect Categories (numbers or ids
send 1
expect When did it start?
send 2026-10-25 02:30
expect When did it end?
send
expect Place
send Somewhere
expect Commune
send
expect Country
send
expect Coordinates
send
expect Source (number or name
send 2
expect Number of people affected
send
expect Minors among them?
send
expect Item seized or destroyed
send
expect Public summary
send
expect Private narrative
send
expect Sign and log this record as alice?
send no
expect not confirmed; nothing logged
EOF2
run_fails 2 python3 "$drive_py" answers $CONSTAT record --new --monitor alice --dir v
# 02:30 happened twice that night (clocks back at 03:00): the earlier, summer-time instant
expect_in out '"start": "2026-10-25T02:30:00+02:00"'
expect_in out '"end": "2026-10-25T02:30:00+02:00"'
cat > answers <<'EOF2'
expect Categories (numbers or ids
send 1
expect When did it start?
eof
expect nothing logged
EOF2
run_fails 2 python3 "$drive_py" answers $CONSTAT record --new --monitor alice --dir v
expect_in out "the input ended before the record was complete"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a declined or cut-short record"
# a monitor that is not enrolled is refused before any question
run_fails 2 python3 "$drive_py" /dev/null $CONSTAT record --new --monitor mallory --dir v
expect_in out "'mallory' is not an enrolled monitor"
expect_not_in out "Categories"

# 4. no terminal: the template. Unedited it is refused (place, then
# categories); edited, it is logged like any file.
run_ok $CONSTAT record --new --dir v < /dev/null
cp out template.json
expect_in template.json '//   eviction'
expect_in template.json '"categories": [],'
expect_in template.json '"start": "2026-11-29T11:00:00+01:00"'
# and on a terminal with --template
run_ok python3 "$drive_py" /dev/null $CONSTAT record --new --template --monitor bob --dir v
expect_in out "constat record THIS_FILE --monitor bob"
expect_in out '//   eviction'
expect_not_in out "Categories (numbers"
run_fails 2 $CONSTAT record template.json --monitor alice --dir v
expect_in err "template.json: place: needs at least name or site"
sed 's/"place": {},/"place": {"name": "Dunes"},/' template.json > t2.json
run_fails 2 $CONSTAT record t2.json --monitor alice --dir v
expect_in err "categories: needs at least one category"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused templates"
sed -e 's/"categories": \[\],/"categories": ["theft"],/' \
    -e 's|^  // "items": \(.*\)$|  "items": \1|' t2.json > t3.json
run_ok $CONSTAT record t3.json --monitor alice --dir v
expect_in out "leaf index 4"
run_ok $CONSTAT show 4 --dir v
expect_in out '"theft"'
expect_in out '"tents"'
expect_in out "valid (key alice+"
# a comment line keeps the parser's line numbers: the error names line 2
printf '// a comment\n{"place": }\n' > bad.json
run_fails 2 $CONSTAT record bad.json --monitor alice --dir v
expect_in err "line 2"
# --template without --new is a usage error
run_fails 2 $CONSTAT record --template --monitor alice --dir v
# the vault's item kinds now show in taxonomy
run_ok $CONSTAT taxonomy --dir v
expect_in out "tents"
expect_in out "1 incident"
done_ok
