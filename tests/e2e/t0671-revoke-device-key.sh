#!/bin/sh
# A monitor whose key is on their own device (enrolled by code with
# `constat submit enrol`, key_custody device) is revoked from the enrolled
# verifier key: verify then fails the record signed by it at or after
# --from and keeps the one before. `monitor rotate` of such a monitor says
# the key is on the device and that the device must enrol again.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite carla --dir v
code=$(sed -n 's/^enrolment code for monitor carla: //p' out)
# the organisation's own name is no monitor's (its records carry it as `monitor`)
run_fails 2 $CONSTAT monitor invite hro-test --dir v
expect_in err 'monitor name "hro-test" is the organisation'"'"'s own name'
run_fails 2 $CONSTAT monitor add hro-test --dir v
expect_in err 'monitor name "hro-test" is the organisation'"'"'s own name'
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
CONSTAT_USER_PASSWORD="carla pass 1" run_ok $CONSTAT submit enrol --server "$S" --key carla.key \
    --name carla --code "$code"
[ ! -e v/keys/monitors/carla.key ] || fail "the vault must not hold carla's key"
mk() { # mk ID RECORDED_AT
    cat > "$1.json" <<JSON
{"id": "$1", "recorded_at": "$2",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
}
mk inc-before 2026-11-29T09:59:59Z
mk inc-at 2026-11-29T10:00:00Z
CONSTAT_USER_PASSWORD="carla pass 1" run_ok $CONSTAT submit record --server "$S" --key carla.key \
    --json inc-before.json
CONSTAT_USER_PASSWORD="carla pass 1" run_ok $CONSTAT submit record --server "$S" --key carla.key \
    --json inc-at.json
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
run_ok $CONSTAT verify v

# the CLI cannot sign for a monitor whose key is on the device, and says so
before=$(vault_digest v)
mk inc-cli 2026-11-29T11:00:00Z
run_fails 2 $CONSTAT record inc-cli.json --monitor carla --dir v
expect_in err 'monitor "carla" holds their key on their own device'
expect_in err "they sign on the device"
expect_not_in err "keys/monitors/carla.key is missing"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a refused record"

# rotate: the key is on the device; the vault is unchanged
run_fails 2 $CONSTAT monitor rotate carla --dir v
expect_in err "the key is held on the monitor's device, not in the vault"
expect_in err "the device must enrol again"
expect_not_in err "is enrolled"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a refused rotation"

# revoke from the enrolled key
run_ok $CONSTAT monitor revoke carla --from 2026-11-29T10:00:00Z --reason lost --dir v
expect_in out "revoked the key of monitor carla from 2026-11-29T10:00:00Z"
run_fails 1 $CONSTAT verify v
expect_in out "(record inc-at): signed by carla+"
expect_in out "whose key was REVOKED by leaf"
expect_not_in out "record inc-before"
run_fails 2 $CONSTAT monitor revoke carla --from 2026-11-29T09:00:00Z --reason again --dir v
expect_in err "is already revoked by leaf"

# the server's verification (the review page's) runs the same checks as
# `constat verify VAULT`: the revoked key's record fails there too
$CONSTAT serve --listen 127.0.0.1:0 --port-file port2 --dir v >serve.out 2>serve2.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port2 serve2.log
S=http://127.0.0.1:$(cat port2)
curl -s -c chef.jar -H 'Content-Type: application/json' -d '{"name":"chef","password":"chef password 1"}' \
    "$S/api/v1/login" >/dev/null
curl -s -b chef.jar "$S/api/v1/verify" >verify.json
python3 - verify.json <<'PY' || fail "GET /api/v1/verify after the revocation"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False, d
assert any("(record inc-at): signed by carla+" in f["error"] and "REVOKED" in f["error"] for f in d["failures"]), d
assert not any("inc-before" in f["error"] for f in d["failures"]), d
PY
ok
kill $spid
wait $spid || { cat serve2.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
done_ok
