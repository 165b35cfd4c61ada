#!/bin/sh
# t0660 — fixes of a new user's findings on constat serve: an uploaded
# evidence file is sealed at rest as `constat attach` seals it (no clear
# copy; `constat verify` re-hashes it with the passphrase); a %-escaped
# control byte in a path is 400, not the app's index.html; an enrolment code
# used with another name says so without confirming an enrolled monitor, an
# unknown code names its field once; /api/v1/info gives the display name;
# the CLI's invite is audited with the account it concerns.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org-name "Ligue des droits de l'Homme" --origin test.example/ldh/log \
    --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code_a=$(sed -n 's/^enrolment code for monitor amina: //p' out)
run_ok $CONSTAT monitor invite carla --dir v
code_c=$(sed -n 's/^enrolment code for monitor carla: //p' out)
# 6. the CLI's invite row names the account invited (as enrol and account_add do)
run_ok $CONSTAT audit --dir v --json
python3 -c '
import json,sys
rows = [r for r in json.load(open(sys.argv[1]))["items"] if r["action"] == "invite"]
assert [(r["account"], r["detail"]) for r in rows] == [("amina", "amina"), ("carla", "carla")], rows
' out || fail "audit rows of the CLI invites"
ok

$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
get() { curl -s --path-as-is -o body -w '%{http_code}' "$S$1"; }

# 5. /api/v1/info: the display name beside the key name
[ "$(get /api/v1/info)" = 200 ] || fail "info"
python3 -c '
import json,sys
d = json.load(open(sys.argv[1]))
assert d["org_name"] == "Ligue des droits de l'"'"'Homme", d
assert d["org"] == "ligue-des-droits-de-l-homme", d
' body || fail "org_name in /api/v1/info"
ok

# 4. %-escaped control bytes: 400, never index.html; plain escapes still decode
for p in /%00 /%00.html /index.html%00 /%0a /%0D%0A /%1b /%7F /js/app.js%00.png; do
    st=$(get "$p")
    [ "$st" = 400 ] || fail "GET $p answered $st, want 400"
    expect_not_in body "<html"
done
expect_eq "$(get /js/app%2Ejs)" 200 "an escaped dot is decoded"
expect_in body "import"
expect_eq "$(get /)" 200 "the app itself"
expect_in body "<html"

# 5. enrolment refusals
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit enrol --server "$S" --key amina.key \
    --name amina --code "$code_a"
# carla's code with the name of amina, who is enrolled: the code is another
# name's, and nothing says that amina is enrolled
CONSTAT_USER_PASSWORD="mallory pass 1" run_fails 2 $CONSTAT submit enrol --server "$S" \
    --key m.key --name amina --code "$code_c"
expect_in err "server answered 409: code: this enrolment code was issued for another monitor name, not \"amina\""
expect_not_in err "already enrolled"
expect_not_in err "carla"
# the same with a name nobody has
CONSTAT_USER_PASSWORD="mallory pass 1" run_fails 2 $CONSTAT submit enrol --server "$S" \
    --key m.key --name mallory --code "$code_c"
expect_in err "issued for another monitor name, not \"mallory\""
[ ! -e m.key ] || fail "a refused enrolment keeps no key file"
ok
# amina's used code: used, not "amina is enrolled"
CONSTAT_USER_PASSWORD="amina pass 1" run_fails 2 $CONSTAT submit enrol --server "$S" \
    --key a2.key --name amina --code "$code_a"
expect_in err "server answered 409: code: this enrolment code was already used"
expect_not_in err "already enrolled"
# an unknown code: the field named once
CONSTAT_USER_PASSWORD="mallory pass 1" run_fails 2 $CONSTAT submit enrol --server "$S" \
    --key m.key --name mallory --code AAAAAAAAAAAAAAAAAAAAAAAA
expect_in err "server answered 404: code: unknown enrolment code"
expect_not_in err "(field code)"
# the wrong uses left carla's code usable
CONSTAT_USER_PASSWORD="carla pass 1" run_ok $CONSTAT submit enrol --server "$S" --key carla.key \
    --name carla --code "$code_c"
expect_in out "enrolled monitor carla"

# 1. evidence by the API: sealed at rest
cat > i.json <<'JSON'
{"occurred": {"start": "2026-11-29T07:40:00+01:00", "end": "2026-11-29T08:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotières", "commune": "Calais", "country": "France"},
 "categories": ["identity_check"], "source": {"type": "direct_observation"}}
JSON
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit record --server "$S" --key amina.key i.json
inc=$(sed -n 's/^record //p' out)
printf 'JPEG-LIKE photo bytes: the face of a witness, 0123456789' > photo.bin
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit evidence --server "$S" --key amina.key \
    --incident "$inc" photo.bin
expect_in err "receipt verified offline"
h=$(sha256sum photo.bin | cut -d' ' -f1)
f="v/evidence/sha256/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-4)/$h"
[ -f "$f" ] || fail "evidence stored at $f"
ok
expect_eq "$(head -c 15 "$f")" "constat-seal-v2" "sealed file header"
if grep -qa "the face of a witness" "$f"; then fail "the uploaded bytes are stored in clear"; fi
ok
[ "$(stat -c %s "$f")" -gt "$(stat -c %s photo.bin)" ] || fail "a sealed file is larger than the clear one"
ok
# no clear copy left behind by the upload either
if grep -rqa "the face of a witness" v; then fail "a clear copy of the upload is in the vault"; fi
ok

kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
# with the passphrase, verify opens the sealed file and re-hashes it
run_ok $CONSTAT verify v
expect_in out "every evidence file re-hashed"
# without it, the file is there but cannot be re-hashed: it is sealed
env -u CONSTAT_PASSPHRASE $CONSTAT verify v >out 2>err </dev/null || true
expect_in out "1 sealed evidence file(s) present but not re-hashed"
# a dossier with the evidence carries the clear bytes, that verify re-hashes
run_ok $CONSTAT dossier --out d --with-evidence --dir v
run_ok $CONSTAT verify d
expect_in out "1 evidence files re-hashed"
done_ok
