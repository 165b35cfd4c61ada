#!/bin/sh
# A device that pinned the organisation key at enrolment (`constat submit
# enrol`) follows `keys rotate --org` (docs/api.md "Key transitions"): before
# sealing, `constat submit` sees that the server's key is not the pinned
# one, reads the key_transition leaves (each receipt checked against the
# pinned log key), follows them from the pinned key, pins the new key in its
# key file and seals to it: the record with a private narrative is logged
# and the vault opens it. Over two rotations at once, too. A key file that
# pins a key the transitions do not start from is refused before anything
# is sent, and the vault is unchanged.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite carla --dir v
code=$(sed -n 's/^enrolment code for monitor carla: //p' out)
spid=
start() {
    rm -f port
    $CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
    spid=$!
    wait_port port serve.log
    S=http://127.0.0.1:$(cat port)
}
stop() {
    kill $spid
    wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
}
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
mk() { # mk ID NARRATIVE
    cat > "$1.json" <<JSON
{"id": "$1",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"},
 "private": {"narrative": "$2"}}
JSON
}
sub() { CONSTAT_USER_PASSWORD="carla pass 1" $CONSTAT submit record --server "$S" --key carla.key "$@" >out 2>err; }

start
CONSTAT_USER_PASSWORD="carla pass 1" run_ok $CONSTAT submit enrol --server "$S" --key carla.key \
    --name carla --code "$code"
pinned0=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["org_key"])' carla.key)
mk inc-before "NARR-BEFORE-4411"
sub inc-before.json || { cat err; fail "a record before the rotation"; }
expect_not_in err "rotated"
ok
stop

# one rotation: the device follows it
run_ok $CONSTAT keys rotate --org --reason "yearly rotation" --dir v
start
curl -s "$S/api/v1/key-transitions" >tr.json
python3 - tr.json "$pinned0" <<'PY' || fail "GET /api/v1/key-transitions"
import json, sys
d = json.load(open(sys.argv[1]))
t = d["transitions"]
assert len(t) == 1, d
assert t[0]["index"] == t[0]["receipt"]["index"], t[0]
assert '"kind":"key_transition"' in t[0]["leaf"], t[0]["leaf"][:200]
assert sys.argv[2] in t[0]["leaf"], "the transition names the old key as old_vkey"
PY
ok
mk inc-after "NARR-AFTER-5522"
sub inc-after.json || { cat err; fail "a record after the rotation"; }
expect_in err "the organisation key was rotated (1 transition, the last recorded at"
expect_in err "carla.key now pins the new key"
pinned1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["org_key"])' carla.key)
[ "$pinned1" != "$pinned0" ] || fail "the key file still pins the old key"
expect_eq "$pinned1" "$(curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["org_key"])')" \
    "the key file pins the server's key"
[ "$(stat -c %a carla.key)" = 600 ] || fail "the key file is not 0600 after the re-pin"
[ ! -e carla.key.new ] || fail "a temporary key file was left"
# the next record: nothing more to follow
mk inc-next "NARR-NEXT-6633"
sub inc-next.json || { cat err; fail "the next record"; }
expect_not_in err "rotated"
ok
# a coarse record from the device: the server's prepared record has its
# position on the grid, which the client accepts as what it sent
cat > inc-coarse.json <<'JSON'
{"id": "inc-coarse", "location_precision": "coarse",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Near the dunes", "commune": "Calais", "country": "France",
           "lat_e7": 509512345, "lon_e7": 18550001, "precision_m": 20},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
sub inc-coarse.json || { cat err; fail "a coarse record from the device"; }
stop

# two rotations while the device was away: both followed at once
cp carla.key carla-old.key
run_ok $CONSTAT keys rotate --org --reason "second" --dir v
run_ok $CONSTAT keys rotate --org --reason "third" --dir v
start
mk inc-two "NARR-TWO-7744"
sub inc-two.json || { cat err; fail "a record after two rotations"; }
expect_in err "the organisation key was rotated (2 transitions"

stop

# the log key rotated: receipts are signed by the new key; the device
# follows the log key's transition from the log key it pinned, then checks
# the receipt against the new key
loglast=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log_key"])' carla.key)
run_ok $CONSTAT keys rotate --log --reason "log key rotation" --dir v
start
mk inc-log "NARR-LOG-9966"
sub inc-log.json || { cat err; fail "a record after the log key rotation"; }
expect_in err "the log key was rotated (1 transition, the last recorded at"
expect_in err "receipt verified offline against the log key"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log_key"])' carla.key)" != "$loglast" ] ||
    fail "the key file still pins the old log key"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["log_key"])' carla.key)" \
    "$(curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["log_key"])')" \
    "the key file pins the server's log key"

# a key file pinning a key no transition starts from: refused before
# anything is prepared or sealed
python3 - carla-old.key <<'PY'
import base64, hashlib, json, sys
p = sys.argv[1]
d = json.load(open(p))
name = d["org_key"].split("+", 1)[0]
# another Ed25519 key of the same name (C2SP vkey: key id = SHA-256(name \n 0x01 key)[:4])
pk = hashlib.sha256(b"not the organisation's key").digest()
kid = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pk).hexdigest()[:8]
d["org_key"] = "%s+%s+%s" % (name, kid, base64.b64encode(b"\x01" + pk).decode())
json.dump(d, open(p, "w"))
PY
size() { curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])'; }
before=$(size)
mk inc-forged "NARR-FORGED-8855"
CONSTAT_USER_PASSWORD="carla pass 1" run_fails 1 $CONSTAT submit record --server "$S" --key carla-old.key inc-forged.json
expect_in err "is not the one carla-old.key pins"
expect_in err "no key transition starts from the organisation key pinned at enrolment"
expect_in err "nothing sent"
expect_eq "$(size)" "$before" "nothing logged after a refused submission"
# the same for the log key: a pinned log key no log transition starts from
python3 - carla.key carla-log.key <<'PY'
import base64, hashlib, json, sys
d = json.load(open(sys.argv[1]))
name = d["log_key"].split("+", 1)[0]
pk = hashlib.sha256(b"not the log's key").digest()
kid = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pk).hexdigest()[:8]
d["log_key"] = "%s+%s+%s" % (name, kid, base64.b64encode(b"\x01" + pk).decode())
json.dump(d, open(sys.argv[2], "w"))
PY
chmod 600 carla-log.key
CONSTAT_USER_PASSWORD="carla pass 1" run_fails 1 $CONSTAT submit record --server "$S" --key carla-log.key inc-forged.json
expect_in err "the server's log key"
expect_in err "is not the one carla-log.key pins (test.example/hro/log+"
expect_in err "no key transition starts from the log key pinned at enrolment"
# a key file with a field that is not a key: refused naming the field
python3 - carla.key carla-bad.key <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["org_key"] = "not a key"
json.dump(d, open(sys.argv[2], "w"))
PY
CONSTAT_USER_PASSWORD="carla pass 1" run_fails 2 $CONSTAT submit record --server "$S" --key carla-bad.key inc-forged.json
expect_in err "carla-bad.key: not a device key file of constat submit enrol (field org_key missing or not valid)"
expect_eq "$(size)" "$before" "nothing logged after a refused submission"
stop
trap 'rm -rf "$T"' EXIT
run_fails 2 $CONSTAT show inc-forged --dir v

# every narrative sealed to the key then in force opens in the vault
run_ok $CONSTAT show inc-coarse --json --dir v
expect_in out '"lat_e7": 509500000'
expect_in out '"lon_e7": 18600000'
expect_in out '"precision_m": 1020'
expect_not_in out "509512345"
run_ok $CONSTAT show inc-coarse --private --dir v
expect_in out "509512345"
for r in before:NARR-BEFORE-4411 after:NARR-AFTER-5522 next:NARR-NEXT-6633 two:NARR-TWO-7744 log:NARR-LOG-9966; do
    run_ok $CONSTAT show "inc-${r%%:*}" --private --dir v
    expect_in out "${r#*:}"
done
run_ok $CONSTAT verify v
done_ok
