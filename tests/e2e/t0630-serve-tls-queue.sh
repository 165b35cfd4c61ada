#!/bin/sh
# t0630 — constat serve over TLS (--tls-cert/--tls-key: HTTPS, session
# cookies Secure) and its backpressure: with no room in the intake queue a
# submission is refused at once with 503 and Retry-After, and nothing is
# logged.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
    -subj /CN=127.0.0.1 >/dev/null 2>&1 || fail "openssl could not make a certificate"
ok

spid=
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
# a certificate without its key is a usage error
run_fails 2 $CONSTAT serve --listen 127.0.0.1:0 --tls-cert cert.pem --dir v
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --tls-cert cert.pem --tls-key key.pem \
    --dir v >serve.out 2>serve.log &
spid=$!
wait_port port serve.log
S=https://127.0.0.1:$(cat port)
expect_in serve.out "https://127.0.0.1:"
curl -s --cacert cert.pem -D hdr -o body -H 'Content-Type: application/json' \
    -d '{"name":"chef","password":"chef password 1"}' "$S/api/v1/login" ||
    fail "HTTPS login"
expect_in hdr "HttpOnly; SameSite=Strict; Secure"
expect_in body '"role":"coordinator"'
# plain HTTP to the TLS port gets no API answer
if curl -s -o body2 "http://127.0.0.1:$(cat port)/api/v1/info" && grep -q '"org"' body2; then
    fail "plain HTTP answered on the TLS port"
fi
ok
kill $spid
wait $spid || fail "TLS server did not stop cleanly"
ok

# --queue 0: every submission refused with 503 and Retry-After, no leaf
$CONSTAT serve --listen 127.0.0.1:0 --port-file port2 --queue 0 --dir v >serve2.out 2>serve2.log &
spid=$!
wait_port port2 serve2.log
S=http://127.0.0.1:$(cat port2)
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit enrol --server "$S" --key amina.key \
    --name amina --code "$code"
cat > r.json <<'JSON'
{"occurred": {"start": "2026-11-29T07:40:00+01:00", "end": "2026-11-29T08:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["identity_check"],
 "source": {"type": "direct_observation"}}
JSON
CONSTAT_USER_PASSWORD="amina pass 1" run_fails 3 $CONSTAT submit record --server "$S" \
    --key amina.key r.json
expect_in err "server answered 503"
expect_in err "intake queue is full"
run_ok $CONSTAT log --dir v --json
expect_eq "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' out)" 1 \
    "only the enrolment is logged"
kill $spid
wait $spid || fail "server did not stop cleanly"
ok
done_ok
