#!/bin/sh
# t0140-json-listings.sh — --json on every listing command prints the one
# documented shape (docs/cli.md "JSON output"): an object {"v": 1,
# "command", "items": [...]} that python3's json parses, with the items the
# text listing shows; `show --json` carries the signature and inclusion
# results.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/v

run_ok $CONSTAT init --no-passphrase --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina
run_ok $CONSTAT monitor add bob
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina
run_ok $CONSTAT checkpoint
# another organisation's vault: its log key to witness, its witness key to publish to
run_ok $CONSTAT init --no-passphrase --org other --origin other.example/log --dir w
run_ok $CONSTAT witness init --dir w
wvkey=$(grep -v '^#' out)
run_ok $CONSTAT keys --dir w
ovkey=$(sed -n 's/^log //p' out)
run_ok $CONSTAT publish add "$wvkey" https://witness.example/
run_ok $CONSTAT witness add-log other.example/log "$ovkey"
openssl req -x509 -newkey ed25519 -nodes -keyout ca.key -out ca.pem -subj /CN=test-ca \
    -days 30 >/dev/null 2>&1 || fail "openssl req"
run_ok $CONSTAT tsa add test-tsa http://127.0.0.1:9/ --ca ca.pem

# shape CMD... : the JSON of `constat CMD --json` has the envelope; the
# items go to items.json
shape() {
    run_ok $CONSTAT "$@" --json
    python3 - out "$*" <<'PY' || { cat out >&2; fail "--json shape of $*"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, dict), type(d)
assert d["v"] == 1, d.get("v")
assert d["command"] == sys.argv[2], (d["command"], sys.argv[2])
assert isinstance(d["items"], list), d["items"]
assert list(d)[:3] == ["v", "command", "items"], list(d)
json.dump(d, open("items.json", "w"))
PY
}

shape log
python3 - <<'PY' || fail "log items"
import json
d = json.load(open("items.json"))
kinds = [(i["index"], i["record"]["kind"]) for i in d["items"]]
assert kinds == [(0, "monitor_enrolment"), (1, "monitor_enrolment"), (2, "incident")], kinds
PY
ok
shape monitor list
python3 - <<'PY' || fail "monitor list items"
import json
items = json.load(open("items.json"))["items"]
assert [(m["name"], m["enrolment_index"]) for m in items] == [("amina", 0), ("bob", 1)], items
assert all(m["vkey"].startswith(m["name"] + "+") for m in items), items
PY
ok
shape keys
python3 - "$ovkey" <<'PY' || fail "keys items"
import json, sys
d = json.load(open("items.json"))
assert [k["role"] for k in d["items"]] == ["log", "org"], d["items"]
assert d["items"][0]["vkey"].startswith("hro.example/log+"), d["items"]
assert d["items"][1]["vkey"].startswith("hro+"), d["items"]
assert d["origin"] == "hro.example/log" and d["organisation"] == "hro", d
PY
ok
shape taxonomy
python3 - <<'PY' || fail "taxonomy items"
import json
d = json.load(open("items.json"))
assert len(d["items"]) == 19 and d["items"][0]["number"] == 1, d["items"][:1]
assert d["item_actions"] == ["seized", "destroyed", "seized_or_destroyed"], d
assert d["vault"] is not None and isinstance(d["item_kinds_in_use"], list), d
assert all(set(k) == {"kind", "incidents"} for k in d["item_kinds_in_use"]), d
assert all(set(k) == {"kind", "unit", "currency", "label"} for k in d["item_kinds"]), d
assert d["legal_statuses"][0]["status"] == "asylum_seeker" and d["legal_statuses"][0]["lawfully_present"] is True, d
assert any(v["kind"] == "van" for v in d["vehicle_kinds"]), d["vehicle_kinds"]
assert list(d) == ["v", "command", "items", "taxonomy", "item_actions", "item_kinds",
                   "legal_statuses", "vehicle_kinds", "vault", "item_kinds_in_use"], list(d)
PY
ok
shape tsa list
python3 - <<'PY' || fail "tsa list items"
import json, hashlib
items = json.load(open("items.json"))["items"]
assert len(items) == 1 and items[0]["name"] == "test-tsa", items
assert items[0]["url"] == "http://127.0.0.1:9/", items
assert len(items[0]["ca_sha256"]) == 64, items
PY
ok
shape publish witnesses
python3 - "$wvkey" <<'PY' || fail "publish witnesses items"
import json, sys
items = json.load(open("items.json"))["items"]
assert len(items) == 1, items
w = items[0]
assert w["vkey"] == sys.argv[1] and w["url"] == "https://witness.example", w
assert w["name"] == "other" and w["cosigned_size"] == 0, w
PY
ok
shape witness logs
python3 - "$ovkey" <<'PY' || fail "witness logs items"
import json, sys
items = json.load(open("items.json"))["items"]
assert items == [{"origin": "other.example/log", "vkey": sys.argv[1], "cosigned_size": 0}], items
PY
ok
shape witness alerts
python3 - <<'PY' || fail "witness alerts items"
import json
assert json.load(open("items.json"))["items"] == []
PY
ok
# --json where it lists nothing is a usage error, not a silent text output
run_fails 2 $CONSTAT publish cosigned --json
run_fails 2 $CONSTAT witness key --json

# show --json: the record with the results of both checks
run_ok $CONSTAT show 2 --json
python3 - out <<'PY' || { cat out >&2; fail "show --json results"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["index"] == 2 and d["record"]["kind"] == "incident", d
s = d["signature"]
assert s["valid"] is True and s["result"].startswith("valid (key amina+"), s
assert s["key_id"] == d["key_id"], s
i = d["inclusion"]
assert i["state"] == "included" and i["included"] is True, i
assert i["checkpoint_size"] == 3 and i["proof_hashes"] == 1, i
PY
ok
# a record logged later: `record` signs a checkpoint that covers it
cat > second.json <<'J'
{"id": "INC-LATE", "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T08:00:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"], "source": {"type": "direct_observation"}}
J
run_ok $CONSTAT record second.json --monitor bob
run_ok $CONSTAT show INC-LATE --json
python3 - out <<'PY' || { cat out >&2; fail "show --json, a later record"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["index"] == 3 and d["signature"]["valid"] is True, d["signature"]
assert d["inclusion"] == {"state": "included", "included": True, "checkpoint_size": 4,
                          "proof_hashes": 2}, d["inclusion"]
PY
ok
# a vault with no checkpoint (enrolling signs none)
run_ok $CONSTAT monitor add carla --dir w
run_ok $CONSTAT show 0 --dir w --json
python3 - out <<'PY' || { cat out >&2; fail "show --json, no checkpoint"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["inclusion"] == {"state": "no_checkpoint", "included": False}, d["inclusion"]
PY
ok
# every listing command's help names --json
for c in log monitor keys taxonomy tsa publish witness; do
    run_ok $CONSTAT help "$c"
    expect_in out '--json'
done
echo "t0140: $checks checks"
