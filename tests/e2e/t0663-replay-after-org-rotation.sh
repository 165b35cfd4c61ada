#!/bin/sh
# A replay after an organisation key rotation (docs/api.md "Submitting a
# record", docs/vault.md "Organisation key rotation"): a device posts a record
# signed offline whose private values and person identifiers are sealed to the
# organisation key; the key is rotated (`constat keys rotate --org`, the
# server stopped and started again); the device, which never saw its receipt,
# posts the same bytes again: it gets the first receipt (200, the same leaf),
# not 400 "not sealed to this organisation's key", and nothing is logged. A
# new record sealed to the old key is still refused (400 sealed_private,
# then sealed_persons), the vault unchanged; sealed to the new key it is
# logged with its binding.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
OS=$SRC/tests/e2e/offline_sign.py
PW="dina password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite dina --dir v
code=$(sed -n 's/^enrolment code for monitor dina: //p' out)
serve() {
    rm -f port
    $CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>>serve.log &
    spid=$!
    trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
    wait_port port serve.log
    U=http://127.0.0.1:$(cat port)
}
stop() {
    kill $spid
    wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
    trap 'rm -rf "$T"' EXIT
}
draft() { # draft ID: an identity check with a private narrative
    cat > "$1.json" <<JSON
{"id": "$1", "recorded_at": "2026-11-29T09:00:00Z",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T08:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Gare de Calais"}, "categories": ["identity_check"],
 "source": {"type": "direct_observation"}, "private": {"narrative": "NARR-$1 behind the depot"}}
JSON
}
# id|status|index|error of one post's answer line ("STATUS JSON")
answer() {
    python3 - out <<'PY'
import json, sys
line = open(sys.argv[1]).read().strip()
st, body = line.split(" ", 1)
b = json.loads(body)
print("%s|%s|%s|%s|%s" % (b.get("record_id"), st, b.get("index"), b.get("field"), b.get("error")))
PY
}

serve
run_ok python3 "$OS" enrol "$U" "$code" dina "$PW" dina.key
draft incident-00000000000000a1
run_ok python3 "$OS" record "$U" dina.key "$PW" incident-00000000000000a1.json a.body "Ali Hassan"
expect_eq "$(answer)" "incident-00000000000000a1|201|1|None|None" "the first post"
cp out first.txt
# signed before the rotation, sealed to the key of then, never posted: one
# with private values and person identifiers, one with identifiers only
draft incident-00000000000000c3
run_ok python3 "$OS" sign "$U" dina.key "$PW" incident-00000000000000c3.json c-old.body "Sara K."
python3 - incident-00000000000000c3.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d.pop("private"); d["id"] = "incident-00000000000000d4"
json.dump(d, open("incident-00000000000000d4.json", "w"))
PY
run_ok python3 "$OS" sign "$U" dina.key "$PW" incident-00000000000000d4.json d-old.body "Sara K."
# the same bytes again, before the rotation: the first receipt
run_ok python3 "$OS" post "$U" dina.key "$PW" a.body
expect_eq "$(answer)" "incident-00000000000000a1|200|1|None|None" "a replay before the rotation"
stop

run_ok $CONSTAT keys rotate --org --reason "yearly rotation" --dir v
expect_in out "rotated the organisation key: new key hro-test+"
leaves() { # the number of leaves in the log
    run_ok $CONSTAT log --json --dir v
    python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' out
}
nleaves=$(leaves)
serve

# the replay: the first receipt, the leaf as logged, no new leaf
run_ok python3 "$OS" post "$U" dina.key "$PW" a.body
cat out
expect_eq "$(answer)" "incident-00000000000000a1|200|1|None|None" "a replay after the rotation"
python3 - first.txt out a.body <<'PY' || fail "the replay's receipt is not the first one's"
import json, sys
first = json.loads(open(sys.argv[1]).read().split(" ", 1)[1])
again = json.loads(open(sys.argv[2]).read().split(" ", 1)[1])
body = json.load(open(sys.argv[3]))
assert again["leaf"] == body["leaf"], "the stored leaf is not the bytes posted"
for k in ("record_id", "index", "leaf_hash"):
    assert again[k] == first[k], (k, again[k], first[k])
PY
ok
expect_eq "$(leaves)" "$nleaves" "no leaf, no binding for the replay"

# a new record sealed to the old key: refused, naming the box; nothing logged
run_ok python3 "$OS" post "$U" dina.key "$PW" c-old.body
expect_eq "$(answer)" "None|400|None|sealed_private|sealed_private: sealed: not sealed to this organisation's key" \
    "a new record, its private values sealed to the old key"
run_ok python3 "$OS" post "$U" dina.key "$PW" d-old.body
expect_eq "$(answer)" "None|400|None|sealed_persons|sealed_persons: sealed: not sealed to this organisation's key" \
    "a new record, its person identifiers sealed to the old key"
expect_eq "$(leaves)" "$nleaves" "nothing logged for the refusals"

# sealed to the new key (the device reads /api/v1/info again): logged, with its binding
draft incident-00000000000000e5
run_ok python3 "$OS" record "$U" dina.key "$PW" incident-00000000000000e5.json e.body "Sara K."
expect_eq "$(answer)" "incident-00000000000000e5|201|$nleaves|None|None" "a record sealed to the new key"
stop
run_ok $CONSTAT log --json --dir v
python3 - out <<'PY' >log.txt
import json, sys
for it in json.load(open(sys.argv[1]))["items"]:
    print(it["index"], it["record"]["kind"], it["record"].get("record", it["record"]["id"]))
PY
cat log.txt
expect_eq "$(grep -c ' incident ' log.txt)" 2 "two incidents logged"
expect_eq "$(grep -c 'pseudonym_binding' log.txt)" 2 "one binding each"
run_ok $CONSTAT audit --dir v
expect_eq "$(grep -c 'record_replayed' out)" 2 "both replays audited"
run_ok $CONSTAT show incident-00000000000000a1 --private --dir v
expect_in out "NARR-incident-00000000000000a1 behind the depot"
run_ok $CONSTAT verify v
done_ok
