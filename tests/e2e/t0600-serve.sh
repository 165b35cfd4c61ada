#!/bin/sh
# t0600 — constat serve end to end on loopback: a coordinator made by init,
# two monitors enrolled by one-time code whose devices hold their own keys,
# records (with sealed private values and person identifiers) and evidence
# submitted with the C client, receipts verified offline, a replay that adds
# nothing, the role x route x status table, CSRF, the bad inputs of issue 9
# (413, 415, 400 with the field, path traversal, unknown and disabled keys,
# a code used twice or expired), the audit table, and a dossier of the
# submitted records that verifies, by the CLI and downloaded by the API.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
expect_in out "account chef (coordinator) added"
CONSTAT_USER_PASSWORD="auditor pass 1" run_ok $CONSTAT user add audra --role auditor --dir v
run_ok $CONSTAT user list --dir v
expect_in out "audra                    auditor      active"
expect_in out "chef                     coordinator  active"
# an account name the rules refuse, a role that is none
run_fails 2 $CONSTAT user add "no space" --role auditor --dir v
run_fails 2 $CONSTAT user add x --role witness --dir v

run_ok $CONSTAT monitor invite amina --dir v --qr amina.svg --server http://127.0.0.1
code_a=$(sed -n 's/^enrolment code for monitor amina: //p' out)
[ ${#code_a} -eq 24 ] || fail "code of 24 characters, got '$code_a'"
ok
expect_in amina.svg "<svg xmlns"
expect_eq "$(stat -c %a amina.svg)" 600 "QR file mode"
run_ok $CONSTAT monitor invite bilal --dir v
code_b=$(sed -n 's/^enrolment code for monitor bilal: //p' out)
expect_in enrol-bilal.svg "<path"
# the vault keeps only a hash of the code
if vault_dump v | grep -qa "$code_a"; then fail "code stored in clear"; fi
ok
# a code issued a day before "now" with a one-hour life has expired
CONSTAT_NOW=2026-11-28T08:00:00Z run_ok $CONSTAT monitor invite late --ttl 3600 --dir v
code_late=$(sed -n 's/^enrolment code for monitor late: //p' out)

$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
S=http://127.0.0.1:$(cat port)

# http JAR METHOD PATH [BODY [CONTENT-TYPE]]: the status into $T/status, the
# body into $T/body; JAR is a cookie file (its CSRF token in JAR.csrf)
http() {
    jar=$1 m=$2 p=$3
    csrf=$(cat "$jar.csrf" 2>/dev/null || true)
    if [ $# -ge 4 ]; then
        curl -s --path-as-is -o "$T/body" -w '%{http_code}' -b "$jar" -c "$jar" -X "$m" \
            -H "X-CSRF-Token: $csrf" -H "Content-Type: ${5:-application/json}" \
            --data-binary "$4" "$S$p" >"$T/status"
    else
        curl -s --path-as-is -o "$T/body" -w '%{http_code}' -b "$jar" -c "$jar" -X "$m" \
            -H "X-CSRF-Token: $csrf" "$S$p" >"$T/status"
    fi
}
expect_status() {
    [ "$(cat "$T/status")" = "$1" ] || { cat "$T/body" >&2; fail "expected HTTP $1, got $(cat "$T/status"): $2"; }
    ok
}
jfield() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/body" "$1"; }
login() { # login JAR NAME PASSWORD
    rm -f "$1" "$1.csrf"
    http "$1" POST /api/v1/login "{\"name\":\"$2\",\"password\":\"$3\"}"
    expect_status 200 "login $2"
    jfield csrf >"$1.csrf"
}
size() { http none GET /api/v1/info; jfield tree_size; }

# --- enrolment by code: the device makes its key, the server never sees it
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit enrol --server "$S" --key amina.key \
    --name amina --code "$code_a"
expect_in out "enrolled monitor amina (enrolment record at leaf 0)"
expect_eq "$(stat -c %a amina.key)" 600 "device key file mode"
[ ! -e v/keys/monitors/amina.key ] || fail "the vault must not hold amina's key"
ok
# the code once only (a second device, a second key file)
CONSTAT_USER_PASSWORD="amina pass 1" run_fails 2 $CONSTAT submit enrol --server "$S" \
    --key amina2.key --name amina --code "$code_a"
expect_in err "server answered 409"
expect_in err "this enrolment code was already used"
[ ! -e amina2.key ] || fail "a refused enrolment keeps no key file"
ok
CONSTAT_USER_PASSWORD="late pass 12" run_fails 2 $CONSTAT submit enrol --server "$S" --key late.key \
    --name late --code "$code_late"
expect_in err "server answered 410"
expect_in err "expired"
# bilal's code used for another name is refused, and stays usable
CONSTAT_USER_PASSWORD="bilal pass 1" run_fails 2 $CONSTAT submit enrol --server "$S" --key x.key \
    --name mallory --code "$code_b"
expect_in err "another monitor"
CONSTAT_USER_PASSWORD="bilal pass 1" run_ok $CONSTAT submit enrol --server "$S" --key bilal.key \
    --name bilal --code "$code_b"
# an unknown code (with a well-formed key, made in a scratch vault)
run_ok $CONSTAT init --org scratch --origin scratch.example/log --dir scratch
run_ok $CONSTAT monitor add zed --dir scratch
zkey=$(sed -n 's/^monitor key: //p' out)
http none POST /api/v1/enrol "{\"code\":\"AAAAAAAAAAAAAAAAAAAAAAAA\",\"vkey\":\"$zkey\",\"password\":\"0123456789\"}"
expect_status 404 "unknown code"
expect_eq "$(jfield field)" code "field of an unknown code"
run_ok $CONSTAT monitor list --dir v
expect_in out "amina"
expect_in out "bilal"
run_ok $CONSTAT verify v
expect_in out "key held by the monitor's device"

# --- records through the C client, receipts verified offline
cat > a1.json <<'JSON'
{"occurred": {"start": "2026-11-29T07:40:00+01:00", "end": "2026-11-29T08:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotières", "commune": "Calais", "country": "France"},
 "categories": ["identity_check", "eviction"],
 "affected": {"count": 4, "person_identifiers": ["  Ali  HASSAN "]},
 "source": {"type": "direct_observation"},
 "private": {"narrative": "a secret the server sees only sealed"}}
JSON
cat > b1.json <<'JSON'
{"occurred": {"start": "2026-11-29T06:00:00+01:00", "end": "2026-11-29T06:30:00+01:00",
              "precision": "minute"},
 "place": {"name": "Marck", "commune": "Marck", "country": "France"},
 "categories": ["arrest"], "source": {"type": "direct_observation"}}
JSON
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit record --server "$S" --key amina.key \
    --json a1.json
expect_in err "receipt verified offline against the log key test.example/hro/log"
cp out a1.receipt
ida=$(python3 -c 'import json; print(json.load(open("a1.receipt"))["record_id"])')
expect_eq "$(python3 -c 'import json; print(json.load(open("a1.receipt"))["index"])')" 2 "leaf of a1"
CONSTAT_USER_PASSWORD="bilal pass 1" run_ok $CONSTAT submit record --server "$S" --key bilal.key b1.json
expect_in out "leaf index 3"
idb=$(sed -n 's/^record //p' out)
# the record as logged: monitor's key, pseudonym, commitment; no clear value
run_ok $CONSTAT show "$ida" --dir v
expect_in out "amina"
if vault_dump v | grep -qa "a secret the server"; then
    fail "the private value must not be in the database in clear (sealed vault: sealed)"
fi
ok
run_ok $CONSTAT log --dir v --json
expect_in out '"p:'
expect_not_in out "HASSAN"
# replay: the same content again gets the same leaf, no new one
before=$(size)
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit record --server "$S" --key amina.key \
    --json a1.json
expect_in err "already logged"
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["index"])' out)" 2 "replayed leaf"
expect_eq "$(size)" "$before" "tree size after a replay"
# evidence: upload, evidence record signed by the device
printf 'photo bytes' > photo.bin
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit evidence --server "$S" --key amina.key \
    --incident "$ida" photo.bin
expect_in out "leaf index 4"
expect_in err "receipt verified offline"
h=$(sha256sum photo.bin | cut -d' ' -f1)
[ -f "v/evidence/sha256/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-4)/$h" ] || fail "evidence stored"
ok

# --- roles x routes x status (docs/api.md "Roles")
login chef.jar chef "chef password 1"
login audra.jar audra "auditor pass 1"
login amina.jar amina "amina pass 1"
login bilal.jar bilal "bilal pass 1"
: > none
while read -r who m p want; do
    case $m in
        POST) http "$who" POST "$p" '{"name":"zed"}' ;;
        *) http "$who" GET "$p" ;;
    esac
    expect_status "$want" "$who $m $p"
done <<EOF2
none.jar GET /api/v1/session 401
none.jar GET /api/v1/records 401
none.jar GET /api/v1/audit 401
none.jar GET /api/v1/sites 401
none.jar GET /api/v1/witnesses 401
none.jar POST /api/v1/dossier 401
chef.jar GET /api/v1/session 200
chef.jar GET /api/v1/accounts 200
chef.jar GET /api/v1/audit 200
chef.jar GET /api/v1/verify 200
chef.jar GET /api/v1/records 200
chef.jar GET /api/v1/records/$ida 200
chef.jar GET /api/v1/sites 200
chef.jar GET /api/v1/witnesses 200
chef.jar POST /api/v1/dossier 400
chef.jar POST /api/v1/records/prepare 403
audra.jar GET /api/v1/audit 200
audra.jar GET /api/v1/verify 200
audra.jar GET /api/v1/records 200
audra.jar GET /api/v1/records/$idb 200
audra.jar GET /api/v1/sites 200
audra.jar GET /api/v1/witnesses 200
audra.jar POST /api/v1/dossier 403
audra.jar GET /api/v1/accounts 403
audra.jar POST /api/v1/invites 403
audra.jar POST /api/v1/records 403
audra.jar POST /api/v1/evidence 403
amina.jar GET /api/v1/records 200
amina.jar GET /api/v1/records/$ida 200
amina.jar GET /api/v1/records/$idb 403
amina.jar GET /api/v1/sites 200
amina.jar GET /api/v1/audit 403
amina.jar GET /api/v1/witnesses 403
amina.jar POST /api/v1/dossier 403
amina.jar GET /api/v1/accounts 403
amina.jar POST /api/v1/invites 403
bilal.jar GET /api/v1/records/$ida 403
bilal.jar GET /api/v1/records/nosuch 404
EOF2
# no register entry in this log: an empty list of sites
http amina.jar GET /api/v1/sites
expect_eq "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sites"])' "$T/body")" "[]" "no sites"
# a monitor's listing holds only their own records
http amina.jar GET /api/v1/records
expect_in "$T/body" "$ida"
expect_not_in "$T/body" "$idb"
# no witness configured: an empty list beside the log's size
http audra.jar GET /api/v1/witnesses
expect_in "$T/body" '"witnesses":[]'
# the coordinator downloads the dossier of the two submitted incidents (a
# tar archive, docs/api.md "Dossiers"): it verifies, with amina's evidence
http chef.jar POST /api/v1/dossier "{\"ids\":[\"$ida\",\"$idb\"]}"
expect_status 200 "dossier download"
cp "$T/body" api.tar
mkdir api-d
run_ok tar -xf api.tar -C api-d
run_ok $CONSTAT verify api-d/constat-dossier-*
expect_in out "records: 5 (2 incidents, 2 monitor enrolments)"
# a list of ids longer than a record's 64 KiB (the review page's "download
# the listed incidents" on a large log) is taken; the dossier is the same
python3 -c 'import json,sys; print(json.dumps({"ids": [sys.argv[1], sys.argv[2]] * 3000}))' "$ida" "$idb" >big.json
[ "$(wc -c <big.json)" -gt 70000 ] || fail "setup: the body is larger than 64 KiB"
http chef.jar POST /api/v1/dossier @big.json
expect_status 200 "dossier download of a long id list"
# the coordinator invites (JSON answer with the code)
http chef.jar POST /api/v1/invites '{"name":"carla"}'
expect_status 201 "invite by the API"
expect_eq "$(jfield monitor)" carla "invited name"

# --- CSRF: a state-changing request without or with a wrong token
mv chef.jar.csrf chef.jar.csrf.good
echo wrong > chef.jar.csrf
http chef.jar POST /api/v1/invites '{"name":"dora"}'
expect_status 403 "wrong CSRF token"
expect_eq "$(jfield field)" X-CSRF-Token "CSRF field"
rm chef.jar.csrf
http chef.jar POST /api/v1/invites '{"name":"dora"}'
expect_status 403 "no CSRF token"
mv chef.jar.csrf.good chef.jar.csrf

# --- bad input: each refused with its status and field, the vault unchanged
before=$(size)
digest=$(vault_digest v)
http chef.jar POST /api/v1/invites '{"name":"dora"' ; expect_status 400 "malformed JSON"
expect_in "$T/body" "malformed JSON"
http chef.jar POST /api/v1/invites '{"name":"dora","role":"x"}'; expect_status 400 "unknown field"
expect_eq "$(jfield field)" role "unknown field named"
http chef.jar POST /api/v1/invites '{"name":"dora","name":"eve"}'; expect_status 400 "duplicate key"
http chef.jar POST /api/v1/invites '{"name":"dora"}' text/plain; expect_status 415 "content type"
python3 -c 'print("{\"name\":\"" + "a" * 20000 + "\"}")' > big.json
http chef.jar POST /api/v1/invites @big.json; expect_status 413 "oversized body"
python3 -c 'print("{\"leaf\": \"" + "x" * 300000 + "\"}")' > bigleaf.json
http amina.jar POST /api/v1/records @bigleaf.json
expect_status 413 "oversized record"
# a body declared larger than the route takes is refused at once, unread:
# the client that never sends it gets its answer, not a timeout
curl -s -m 10 -o "$T/body" -w '%{http_code}' -X POST -H 'Content-Length: 999999999' \
    -H 'Content-Type: application/json' "$S/api/v1/login" >"$T/status" || true
expect_status 413 "a declared oversized body, unsent"
expect_in "$T/body" "request body larger than 16384 bytes, the limit of POST /api/v1/login"
http none GET "/tile/../vault.db"; expect_status 400 "path traversal"
http none GET "/tile/0/x001/../../vault.db"; expect_status 400 "path traversal deeper"
expect_eq "$before" 5 "leaves so far"
http none GET "/tile/0/000.p/5"; expect_status 200 "a real partial tile"
expect_eq "$(wc -c < "$T/body")" 160 "5 hashes of 32 bytes"
http none GET "/tile/0/000.p/9"; expect_status 404 "a tile wider than the tree"
http none GET "/tile/entries/000.p/5"; expect_status 200 "entry bundle"
http none GET "/tile/entries/000.p/200"; expect_status 404 "bundle past the tree"
http none GET /checkpoint; expect_status 200 "checkpoint"
expect_in "$T/body" "test.example/hro/log"
http none GET /nowhere; expect_status 404 "unknown route"
http none DELETE /api/v1/info; expect_status 405 "method"
http none POST /add-checkpoint "old 0"; expect_status 404 "no witness key"
# a leaf signed by a key that is not the monitor's enrolled key
python3 - "$T/a1.receipt" > forged.json <<'PY'
import json
print(json.dumps({"leaf": json.dumps({"key_id": "amina+00000000", "record": {"v": 1}, "signature": "AA=="})}))
PY
http amina.jar POST /api/v1/records @forged.json; expect_status 400 "not a canonical leaf"
expect_eq "$(jfield field)" leaf "leaf field"
# amina's real leaf (as logged) submitted by bilal: not his record
if on_pg v; then
    printf %s "$(vault_sql v "SELECT convert_from(leaf, 'UTF8') FROM leaves WHERE idx = 2")" > leaf2.txt
else
    python3 -c 'import sqlite3, sys; sys.stdout.write(sqlite3.connect("v/vault.db").execute("select leaf from leaves where idx = 2").fetchone()[0].decode())' > leaf2.txt
fi
python3 -c 'import json; print(json.dumps({"leaf": open("leaf2.txt").read()}))' > stolen.json
http bilal.jar POST /api/v1/records @stolen.json; expect_status 403 "another monitor's leaf"
expect_eq "$(jfield field)" monitor "monitor field"
# amina's leaf with its content changed: the signature no longer holds
sed 's/\\"count\\":4/\\"count\\":5/' stolen.json > tampered.json
expect_in tampered.json 'count\":5'
http amina.jar POST /api/v1/records @tampered.json; expect_status 403 "tampered leaf"
expect_eq "$(jfield field)" signature "signature field"
run_ok $CONSTAT verify v
expect_eq "$(size)" "$before" "tree size after bad inputs"

# --- disabled: the session dies, the login is refused
run_ok $CONSTAT user disable bilal --dir v
sleep 1.2 # a change by the CLI shows within the server's 1 s cache (docs/api.md)
http bilal.jar GET /api/v1/records; expect_status 401 "disabled account's session"
http none.jar POST /api/v1/login '{"name":"bilal","password":"bilal pass 1"}'
expect_status 401 "disabled account's login"
CONSTAT_USER_PASSWORD="bilal pass 1" run_fails 2 $CONSTAT submit record --server "$S" \
    --key bilal.key b1.json
expect_in err "server answered 401"

# --- login rate limit per account: five failures, then 429 with Retry-After
for n in 1 2 3 4 5; do
    http none.jar POST /api/v1/login '{"name":"audra","password":"wrong password"}'
    expect_status 401 "failed login $n"
done
http none.jar POST /api/v1/login '{"name":"audra","password":"auditor pass 1"}'
expect_status 429 "throttled login"
curl -s -D hdr -o /dev/null -H 'Content-Type: application/json' \
    -d '{"name":"audra","password":"auditor pass 1"}' "$S/api/v1/login"
grep -qi '^Retry-After: [0-9]' hdr || fail "Retry-After on 429"
ok
grep -qi '^Set-Cookie' hdr && fail "no cookie for a refused login"
ok
# cookie flags of a session
curl -s -D hdr -o /dev/null -H 'Content-Type: application/json' \
    -d '{"name":"chef","password":"chef password 1"}' "$S/api/v1/login"
expect_in hdr "HttpOnly; SameSite=Strict"

# --- the audit table
run_ok $CONSTAT audit --dir v
for a in account_add invite enrol enrol_refused login login_failed login_throttled record \
    record_replayed evidence_upload denied disable export; do
    expect_in out " $a "
done
expect_in out "127.0.0.1"
run_ok $CONSTAT audit --dir v --json
python3 -c '
import json,sys
d = json.load(open(sys.argv[1]))
rows = d["items"]
assert any(r["action"] == "login_failed" and r["account"] == "audra" and r["address"] == "127.0.0.1" for r in rows)
assert any(r["action"] == "denied" and r["account"] == "amina" for r in rows)
assert sum(1 for r in rows if r["action"] == "record") == 3, rows
' out || fail "audit rows"
ok

# --- stop the server; the dossier of the submitted records verifies offline
kill $spid
# a clean stop: exit 0 (under the sanitizers: no leak, no error)
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
ok
trap 'rm -rf "$T"' EXIT
expect_in serve.log "serve: stopped"
run_ok $CONSTAT dossier --out d --with-evidence --dir v
run_ok $CONSTAT audit --dir v
expect_in out " export "
run_ok $CONSTAT verify d
expect_in out "records: 5 (2 incidents, 2 monitor enrolments)"
expect_in out "monitor amina: key held by the monitor's device"
expect_in out "monitor bilal: key held by the monitor's device"
run_ok $CONSTAT verify v
done_ok
