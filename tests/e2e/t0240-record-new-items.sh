#!/bin/sh
# `constat record --new` asks for the items seized or destroyed, by kind of
# the taxonomy (listed with the unit of their count), as it asks the rest:
# a kind by its number or id, the action, the count in the kind's unit (an
# amount in the kind's currency; none asked for cash whose currency is not
# stated); each invalid answer is asked again with the reason; an empty kind
# ends the list. The logged record carries them exactly.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export TZ=Europe/Paris
export CONSTAT_DIR=$T/v
drive_py="$SRC/tests/e2e/pty_drive.py"

run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log
run_ok $CONSTAT monitor add alice
# the number the list gives tents, as `constat taxonomy` numbers item kinds
run_ok $CONSTAT taxonomy --json
tents=$(python3 -c 'import json,sys
ks = [k["kind"] for k in json.load(open(sys.argv[1]))["item_kinds"]]
print(ks.index("tents") + 1)' out)
nkinds=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["item_kinds"]))' out)

cat > answers <<EOF2
expect Categories (numbers or ids
send property_destruction property_seizure
expect When did it start?
send 2026-11-28 07:40
expect When did it end?
send 09:15
expect Place
send Rue des Verrotières living site
expect Commune
send Calais
expect Country
send France
expect Coordinates
send
expect Source (number or name
send
expect Number of people affected
send 30
expect Minors among them?
send no
expect Items seized or destroyed, by kind
expect cash_eur                     currency EUR  Cash (EUR)
expect $tents  tents                        items         Tents
expect Item seized or destroyed (number or kind; empty: none)
send tarp
expect 'tarp' is not an item kind of the taxonomy (a number from 1 to $nkinds, or its kind)
send 0
expect is not an item kind
send $tents
expect Seized, destroyed, or one of the two
send burned
expect 'burned' is not 1, 2, 3 or one of seized, destroyed, seized_or_destroyed
send 2
expect How many items? (empty: not stated)
send twelve
expect 'twelve' is not a whole number
send 12
expect Another item seized or destroyed (number or kind; empty: no more)
send sleeping_bags
expect Seized, destroyed
send seized
expect How many items?
send
expect Another item
send cash
expect Seized, destroyed
send 1
expect (cash: the currency is not stated, so the amount is recorded as unknown)
expect Another item
send cash_eur
expect Seized, destroyed
send seized_or_destroyed
expect How much, in whole EUR? (empty: not stated)
send 150
expect Another item
send
expect Public summary
send Tents slashed, sleeping bags and cash taken.
expect Private narrative
send
expect "items": [
expect Sign and log this record as alice?
send yes
expect inclusion proof
EOF2
run_ok python3 "$drive_py" answers $CONSTAT record --new --monitor alice
cp out transcript
id=$(tr -d '\r' < out | grep -o 'record inc-[0-9a-f]*' | head -1 | sed 's/^record //')
[ -n "$id" ] || fail "no record id in the receipt"
ok
run_ok $CONSTAT show "$id" --json
python3 - out <<'PY' || { cat out >&2; fail "the logged items"; }
import json, sys
r = json.load(open(sys.argv[1]))["record"]
assert r["items"] == [
    {"kind": "tents", "action": "destroyed", "count": 12},
    {"kind": "sleeping_bags", "action": "seized", "count": None},
    {"kind": "cash", "action": "seized", "count": None},
    {"kind": "cash_eur", "action": "seized_or_destroyed", "count": 150},
], r["items"]
assert r["categories"] == ["property_destruction", "property_seizure"], r["categories"]
assert r["affected"] == {"count": 30, "minors": "no"}, r["affected"]
PY
ok
# the taxonomy now says the vault's incidents use these kinds
run_ok $CONSTAT taxonomy
expect_in out "tents"

# the questions before the items, for a day-long eviction at Dunes
day_answers() {
    cat <<'EOF2'
expect Categories (numbers or ids
send eviction
expect When did it start?
send 2026-11-27
expect Place
send Dunes
expect Commune
send
expect Country
send
expect Coordinates
send
expect Source (number or name
send
expect Number of people affected
send
expect Minors among them?
send
EOF2
}

# no item: the record has no items member
{
    day_answers
    cat <<'EOF2'
expect Item seized or destroyed
send
expect Public summary
send
expect Private narrative
send
expect Sign and log this record as alice?
send y
expect "inclusion_proof"
EOF2
} > answers
run_ok python3 "$drive_py" answers $CONSTAT record --new --monitor alice --json
run_ok $CONSTAT show 2 --json
python3 - out <<'PY' || { cat out >&2; fail "a record without items"; }
import json, sys
r = json.load(open(sys.argv[1]))["record"]
assert "items" not in r and r["categories"] == ["eviction"], r
PY
ok

# cut short in the middle of an item: nothing logged
before=$(vault_digest v)
{
    day_answers
    cat <<EOF2
expect Item seized or destroyed
send $tents
expect Seized, destroyed
eof
expect nothing logged
EOF2
} > answers
run_fails 2 python3 "$drive_py" answers $CONSTAT record --new --monitor alice
expect_in out "the input ended before the record was complete"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a cut-short record"
done_ok
