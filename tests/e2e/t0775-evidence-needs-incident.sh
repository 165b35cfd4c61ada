#!/bin/sh
# An evidence record binds its file to a logged incident (docs/evidence.md):
# intake (constat_intake_amend_check, shared by the CLI and constat serve)
# refuses one whose `incident` is not a logged incident record, naming it
# (400 / exit 2), through the API as through `constat record`; the vault is
# unchanged. An incident and its evidence submitted back to back, landing in
# the same intake batch, both go in, the incident first.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite dana --dir v
code=$(sed -n 's/^enrolment code for monitor dana: //p' out)
# a one-second window: submissions close together share a batch
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --window-us 1000000 --dir v \
    >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
export CONSTAT_USER_PASSWORD="dana pass 123"
run_ok $CONSTAT submit enrol --server "$S" --key dana.key --name dana --code "$code"
printf 'photo bytes\n' > photo.bin

size() { curl -s "$S/api/v1/info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tree_size"])'; }
# no such incident: refused, naming it; nothing logged (the upload and the
# login are kept: the file waits in the store, docs/api.md)
before=$(size)
run_fails 2 $CONSTAT submit evidence --server "$S" --key dana.key --incident DANA-COARSE photo.bin
expect_in err 'incident: "DANA-COARSE" is not a logged incident'
expect_in err '400'
expect_eq "$(size)" "$before" "log unchanged after a refused evidence record"

# an id that is a record, but not an incident (dana's enrolment)
run_ok $CONSTAT log --json --dir v
enr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["items"][0]["record"]["id"])' out)
run_fails 2 $CONSTAT submit evidence --server "$S" --key dana.key --incident "$enr" photo.bin
expect_in err "incident: \"$enr\" is not a logged incident (leaf 0 is a monitor_enrolment record)"

# the CLI's own intake path: an evidence record given to `constat record`
kill $spid
wait $spid || true
trap 'rm -rf "$T"' EXIT
run_ok $CONSTAT monitor add eve --dir v
cat > coarse.json <<'JSON'
{"id": "inc-dana-coarse", "location_precision": "coarse",
 "occurred": {"start": "2026-11-29T06:00:00+01:00", "end": "2026-11-29T06:30:00+01:00",
              "precision": "minute"},
 "place": {"name": "Shelter", "lat_e7": 509512345, "lon_e7": 18550001},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
JSON
run_ok $CONSTAT record coarse.json --monitor eve --dir v
h=$(sha256sum photo.bin | cut -d' ' -f1)
printf '{"kind": "evidence", "incident": "DANA-COARSE", "sha256": "%s", "size": 12, "media_type": "application/octet-stream"}\n' "$h" > ev.json
before=$(vault_digest v)
run_fails 2 $CONSTAT record ev.json --monitor eve --dir v
expect_in err 'incident: "DANA-COARSE" is not a logged incident'
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a refused evidence record"

# back to back, in one batch: the incident first, then its evidence
$CONSTAT serve --listen 127.0.0.1:0 --port-file port2 --window-us 1000000 --dir v \
    >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port2 serve.log
S=http://127.0.0.1:$(cat port2)
cat > inc.json <<'JSON'
{"id": "inc-dana-1", "occurred": {"start": "2026-11-29T06:00:00+01:00", "end": "2026-11-29T06:30:00+01:00",
              "precision": "minute"},
 "place": {"name": "Marck", "commune": "Marck", "country": "France"},
 "categories": ["arrest"], "source": {"type": "direct_observation"}}
JSON
n0=$($CONSTAT log --json --dir v | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))')
# both started together, the evidence 0.3 s later: its POST /api/v1/records
# comes while the incident waits in the batch window (1 s), not yet logged
$CONSTAT submit record --server "$S" --key dana.key --json inc.json >inc.out 2>inc.err &
ipid=$!
sleep 0.3
run_ok $CONSTAT submit evidence --server "$S" --key dana.key --json --incident inc-dana-1 photo.bin
cp out ev.out
wait $ipid || { cat inc.err >&2; fail "the incident submission failed"; }
ok

# a photo with GPS for an incident logged coarse: the server prepares the
# evidence record with the capture position on the grid (the exact one in the
# sealed private capture_exact); the device checks that and signs it
run_ok $CONSTAT submit evidence --server "$S" --key dana.key --json --incident inc-dana-coarse \
    "$SRC/data/demo/media/gps_DSCN0010.jpg"
evid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["record_id"])' out)
run_ok $CONSTAT show "$evid" --dir v --json
python3 - out <<'PY' || fail "coarse capture of a device-signed evidence record"
import json, sys
r = json.load(open(sys.argv[1]))["record"]
c = r["capture"]
assert c["lat_e7"] % 100000 == 0 and c["lon_e7"] % 100000 == 0, c
assert "alt_cm" not in c and "capture_exact" in r["private"], r
PY
run_ok $CONSTAT show "$evid" --dir v --private
expect_in out '"capture_exact"'

# one batch: both receipts are against the same checkpoint
python3 - inc.out ev.out <<'PY' || fail "the incident and its evidence in one batch"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ca, cb = a["checkpoint"], b["checkpoint"]
assert ca == cb, (ca, cb)
assert a["index"] + 1 == b["index"], (a["index"], b["index"])
PY
kill $spid
wait $spid || true
trap 'rm -rf "$T"' EXIT
run_ok $CONSTAT log --json --dir v
python3 - out "$n0" <<'PY' || fail "incident then evidence"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
n0 = int(sys.argv[2])
new = [(it["record"]["kind"], it["record"].get("incident", it["record"]["id"])) for it in items[n0:n0 + 2]]
assert new == [("incident", "inc-dana-1"), ("evidence", "inc-dana-1")], new
PY
done_ok
