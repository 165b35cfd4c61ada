#!/bin/sh
# What a monitor's key may sign (docs/record.md "Kinds", "Corrections and
# retractions"; docs/api.md "Submitting a record"): on the CLI and through
# the API, a monitor cannot log the kinds the organisation signs (a
# revocation, a forged erasure of another monitor's record, a key
# transition, a register entry), and cannot retract or correct (take over)
# another monitor's record. Each refusal names the field and leaves the
# vault unchanged; the organisation's commands (erase, monitor revoke) and a
# monitor's amendment of their own record still work.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor add amina --dir v
run_ok $CONSTAT monitor add carl --dir v
run_ok $CONSTAT monitor invite dana --dir v
code=$(sed -n 's/^enrolment code for monitor dana: //p' out)
run_ok $CONSTAT monitor invite eli --dir v
ecode=$(sed -n 's/^enrolment code for monitor eli: //p' out)
mk() { # mk ID
    cat > "$1.json" <<JSON
{"id": "$1",
 "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "affected": {"count": 3}, "source": {"type": "direct_observation"}}
JSON
}
mk CARL-1; mk CARL-2; mk AMINA-1
run_ok $CONSTAT record CARL-1.json --monitor carl --dir v
c1=$(sed -n 's/^leaf index //p' out)
run_ok $CONSTAT record CARL-2.json --monitor carl --dir v
c2=$(sed -n 's/^leaf index //p' out)
run_ok $CONSTAT record AMINA-1.json --monitor amina --dir v

cat > rev.json <<'JSON'
{"kind": "revocation", "monitor": "carl", "key_id": "carl+d46fb621",
 "from": "2026-12-08T00:00:00Z", "reason": "x"}
JSON
cat > era.json <<JSON
{"kind": "erasure", "erases": "CARL-1", "leaf": $c1, "reason": "forged", "figures": "exclude"}
JSON
cat > kt.json <<'JSON'
{"kind": "key_transition", "reason": "x"}
JSON
cat > reg.json <<'JSON'
{"kind": "register", "reason": "x"}
JSON
sed -e 's/"id": "CARL-2",//' -e 's/"count": 3/"count": 30/' -e 's/^{/{"monitor": "amina", /' \
    CARL-2.json > take.json

# --- CLI
before=$(vault_digest v)
run_fails 2 $CONSTAT record rev.json --monitor amina --dir v
expect_in err "kind: revocation records are signed by the organisation key, not a monitor's (constat monitor revoke NAME)"
sed 's/"monitor": "carl", //' rev.json > rev-own.json
run_fails 2 $CONSTAT record rev-own.json --monitor amina --dir v
expect_in err "kind: revocation records are signed by the organisation key"
run_fails 2 $CONSTAT record era.json --monitor amina --dir v
expect_in err "kind: erasure records are signed by the organisation key, not a monitor's (constat erase ID)"
run_fails 2 $CONSTAT record kt.json --monitor amina --dir v
expect_in err "(constat keys rotate)"
run_fails 2 $CONSTAT record reg.json --monitor amina --dir v
expect_in err "(constat register add FILE)"
run_fails 2 $CONSTAT retract CARL-1 --reason x --monitor amina --dir v
expect_in err "retracts: record \"CARL-1\" (leaf $c1) was recorded by monitor \"carl\"; only that monitor retracts it, not \"amina\""
run_fails 2 $CONSTAT correct CARL-2 take.json --monitor amina --dir v
expect_in err "corrects: record \"CARL-2\" (leaf $c2) was recorded by monitor \"carl\"; only that monitor corrects it, not \"amina\""
expect_eq "$(vault_digest v)" "$before" "vault unchanged after the CLI refusals"

# --- API, with dana's device key
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
size() { curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])'; }
export CONSTAT_USER_PASSWORD="dana pass 1"
run_ok $CONSTAT submit enrol --server "$S" --key dana.key --name dana --code "$code"
n0=$(size)
sed 's/"monitor": "carl"/"monitor": "dana"/' rev.json > rev-dana.json
run_fails 2 $CONSTAT submit record --server "$S" --key dana.key rev-dana.json
expect_in err "kind: revocation records are signed by the organisation key"
expect_in err "constat monitor revoke NAME"
run_fails 2 $CONSTAT submit record --server "$S" --key dana.key era.json
expect_in err "kind: erasure records are signed by the organisation key"
expect_in err "constat erase ID"
cat > ret.json <<'JSON'
{"kind": "retraction", "retracts": "CARL-1", "reason": "x"}
JSON
run_fails 2 $CONSTAT submit record --server "$S" --key dana.key ret.json
expect_in err "retracts: record \"CARL-1\" (leaf $c1) was recorded by monitor \"carl\"; only that monitor retracts it, not \"dana\""
python3 - CARL-2.json > corr.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r.update({"v": 1, "kind": "incident", "org": "hro-test", "monitor": "dana", "recorded_at": "2026-11-28T10:00:00Z"})
r["affected"]["count"] = 40
print(json.dumps({"kind": "correction", "corrects": "CARL-2", "reason": "x", "replacement": r}))
PY
run_fails 2 $CONSTAT submit record --server "$S" --key dana.key corr.json
expect_in err "corrects: record \"CARL-2\" (leaf $c2) was recorded by monitor \"carl\"; only that monitor corrects it, not \"dana\""
# signed on the device and posted as is (no prepare step): the same refusals
expect_eq "$(size)" "$n0" "tree_size unchanged after the refusals of prepared records"
OS=$SRC/tests/e2e/offline_sign.py
run_ok python3 "$OS" enrol "$S" "$ecode" eli "eli password 1" eli.key
n0=$(size)
cat > rev-eli.json <<'JSON'
{"id": "revocation-00000000000000e1", "kind": "revocation", "recorded_at": "2026-11-29T09:00:00Z",
 "key_id": "carl+d46fb621", "from": "2026-11-29T09:00:00Z", "reason": "x"}
JSON
run_fails 1 python3 "$OS" record "$S" eli.key "eli password 1" rev-eli.json rev-eli.body
expect_in out '400 '
expect_in out '"field": "kind"'
expect_in out "kind: revocation records are signed by the organisation key"
cat > era-eli.json <<JSON
{"id": "erasure-00000000000000e2", "kind": "erasure", "recorded_at": "2026-11-29T09:00:00Z",
 "erases": "CARL-1", "leaf": $c1, "reason": "forged", "figures": "exclude"}
JSON
run_fails 1 python3 "$OS" record "$S" eli.key "eli password 1" era-eli.json era-eli.body
expect_in out '"field": "kind"'
expect_in out "kind: erasure records are signed by the organisation key"
cat > ret-eli.json <<'JSON'
{"id": "retraction-00000000000000e3", "kind": "retraction", "recorded_at": "2026-11-29T09:00:00Z",
 "retracts": "CARL-1", "reason": "x"}
JSON
run_fails 1 python3 "$OS" record "$S" eli.key "eli password 1" ret-eli.json ret-eli.body
expect_in out "only that monitor retracts it, not"
expect_eq "$(size)" "$n0" "tree_size unchanged after the API refusals"
# dana's own incident, then its retraction by dana: logged
mk DANA-1
run_ok $CONSTAT submit record --server "$S" --key dana.key DANA-1.json
sed 's/CARL-1/DANA-1/' ret.json > ret-own.json
run_ok $CONSTAT submit record --server "$S" --key dana.key ret-own.json
expect_eq "$(size)" "$((n0 + 2))" "dana's record and its retraction logged"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT

# --- the organisation's commands still sign these kinds
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT erase CARL-1 --reason "consent withdrawn" --dir v
run_ok $CONSTAT show CARL-1 --dir v
expect_in out "ERASED"
sed -e 's/"id": "CARL-2",//' -e 's/"count": 3/"count": 30/' CARL-2.json > own.json
run_ok $CONSTAT correct CARL-2 own.json --monitor carl --dir v
run_ok $CONSTAT verify v
run_ok $CONSTAT monitor revoke amina --from 2026-11-29T10:00:00Z --reason lost --dir v
run_fails 1 $CONSTAT verify v
expect_in out "(record AMINA-1): signed by amina+"
expect_in out "REVOKED"
done_ok
