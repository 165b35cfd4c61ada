#!/bin/sh
# Trusted time with a local test TSA (tests/tsa: a CA and a TSA certificate
# made on the fly, `openssl ts -reply` behind a loopback HTTP responder):
# configure it, time-stamp the checkpoint, see the proven time in `show` and
# in the dossier verification; a tampered token fails naming its file; a
# token checked against another CA fails; a TSA that is down is a clear
# error and leaves the vault unchanged. No internet needed.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY 2>/dev/null || true

tsa_out=$(sh "$SRC/tests/tsa/start.sh" "$T/tsa") || fail "the test TSA did not start"
url=$(echo "$tsa_out" | sed -n 's/^url //p')
pid=$(echo "$tsa_out" | sed -n 's/^pid //p')
trap 'kill $pid 2>/dev/null || true; rm -rf "$T"' EXIT

run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
head -n 6 "$SRC/data/demo/incidents_public.csv" > five.csv
run_ok $CONSTAT import five.csv --monitor alice --dir v --quiet

# configuration
run_fails 2 $CONSTAT tsa add 'bad name' "$url" --ca "$T/tsa/ca.pem" --dir v
run_fails 2 $CONSTAT tsa add local ftp://127.0.0.1/ --ca "$T/tsa/ca.pem" --dir v
run_fails 2 $CONSTAT timestamp --dir v
expect_in err "no TSA configured"
run_ok $CONSTAT tsa add local "$url" --ca "$T/tsa/ca.pem" --dir v
run_fails 2 $CONSTAT tsa add local "$url" --ca "$T/tsa/ca.pem" --dir v
expect_in err "already configured"
run_ok $CONSTAT tsa list --dir v
expect_in out "local"
expect_in out "$url"

# before any token: no proven time
run_ok $CONSTAT show 1 --dir v
expect_in out "recorded (claimed, device): 2026-11-29T10:00:00Z"
expect_in out "no proven time"

# time-stamp: signs a checkpoint of the 6 leaves first, then asks the TSA
run_ok $CONSTAT timestamp --dir v
expect_in out "local            checkpoint size 6 time-stamped at "
expect_in out "constat test TSA"
run_ok $CONSTAT show 3 --dir v
expect_in out "existed by (proven):        20"
expect_in out "(RFC 3161 token by TSA local)"
run_ok $CONSTAT show 3 --dir v --json
expect_in out '"proven_tsa": "local"'

# a second record after the token: not proven until the next time-stamp
head -n 1 "$SRC/data/demo/incidents_public.csv" > more.csv
sed -n '7,8p' "$SRC/data/demo/incidents_public.csv" >> more.csv
run_ok $CONSTAT import more.csv --monitor alice --dir v --quiet
run_ok $CONSTAT show 7 --dir v
expect_in out "no proven time"
# a one-off TSA from the command line also works
run_ok $CONSTAT timestamp --tsa "$url" --ca "$T/tsa/ca.pem" --dir v
expect_in out "command-line     checkpoint size 8 time-stamped at "
run_ok $CONSTAT show 7 --dir v
expect_in out "(RFC 3161 token by TSA command-line)"

# the dossier carries both tokens; its verification prints a proven time per record
run_ok $CONSTAT dossier --out d --dir v
[ -f d/timestamps/1.tsr ] && [ -f d/timestamps/2.tsr ] && [ -f d/timestamps/1.checkpoint ] ||
    fail "dossier lacks timestamps/"
ok
openssl ts -verify -in d/timestamps/1.tsr -data d/timestamps/1.checkpoint \
    -CAfile d/timestamps/1.ca.pem >/dev/null 2>&1 || fail "openssl ts -verify by hand failed"
ok
run_ok $CONSTAT verify d
expect_in out "timestamps: 2 RFC 3161 token(s), 2 valid"
expect_in out "8 of 8 records have a proven time"
expect_in out "proven time: leaf 1 (record "
expect_in out "(RFC 3161, TSA local)"
expect_in out "proven time: leaf 7 (record "
expect_in out "(RFC 3161, TSA command-line)"
run_ok $CONSTAT verify d --tsa-ca "$T/tsa/ca.pem"
expect_in out "valid against the CA pinned by --tsa-ca"
run_ok $CONSTAT verify d --json
expect_in out '"proven_times"'

# pinned against another CA: every token fails, naming its file
run_fails 1 $CONSTAT verify d --tsa-ca "$T/tsa/other-ca.pem"
expect_in out "FAIL: timestamps/1.tsr: RFC 3161 token (TSA local) does not verify"
expect_in out "untrusted TSA certificate"
run_fails 2 $CONSTAT verify d --tsa-ca "$T/nonexistent.pem"
expect_in err "nonexistent.pem"

# a tampered token (one byte of its signature): the manifest hash fails, and so does the
# token check itself, naming the file
cp -r d d2
sz=$(stat -c %s d2/timestamps/1.tsr)
flip_byte d2/timestamps/1.tsr $((sz - 5))
run_fails 1 $CONSTAT verify d2
expect_in out "timestamps/1.tsr"
expect_in out "FAIL: timestamps/1.tsr: RFC 3161 token (TSA local) does not verify"
# a token over a different checkpoint file
cp -r d d3
printf 'x' >> d3/timestamps/2.checkpoint
run_fails 1 $CONSTAT verify d3
expect_in out "timestamps/2.tsr"
expect_in out "message imprint mismatch"
# a TSA whose certificate (short.pem: 2 days) expires after it signed: the token stands, and the
# verdict says the certificate has expired since, with its dates, once verified after notAfter
rfc3339() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
nb=$(rfc3339 "$(openssl x509 -in "$T/tsa/short.pem" -noout -startdate | sed 's/^notBefore=//')")
na=$(rfc3339 "$(openssl x509 -in "$T/tsa/short.pem" -noout -enddate | sed 's/^notAfter=//')")
run_ok $CONSTAT timestamp --tsa "${url}short" --ca "$T/tsa/ca.pem" --dir v
expect_in out "signer /O=constat test/CN=constat short-lived TSA, certificate valid $nb to $na)"
run_ok $CONSTAT dossier --out d7 --dir v
[ -f d7/timestamps/3.tsr ] || fail "dossier lacks timestamps/3.tsr"
ok
later=$(($(date -u -d "$na" +%s) + 86400))
run_ok $CONSTAT verify d7
expect_in out "timestamps: 3 RFC 3161 token(s), 3 valid"
expect_not_in out "EXPIRED"
run_ok env CONSTAT_NOW=$later $CONSTAT verify d7
expect_in out "timestamps: 3 RFC 3161 token(s), 3 valid"
expect_in out "timestamps whose TSA certificate has expired since: 1"
expect_in out "timestamps/3.tsr (TSA command-line): the TSA certificate /O=constat test/CN=constat short-lived TSA EXPIRED on $na (valid from $nb to $na; this verification: $(rfc3339 "@$later"))"
expect_in out "inside that validity, so it stands; revocation is not checked (offline)."
expect_in out "VERIFIED"
run_ok env CONSTAT_NOW=$later $CONSTAT verify d7 --json
expect_in out '"tsa_certificates_expired": ['
expect_in out '"file": "timestamps/3.tsr"'
expect_in out "\"not_after\": \"$na\""
expect_in out "\"not_before\": \"$nb\""
# by hand, openssl ts -verify judges the chain at the time it runs: it refuses after notAfter
openssl ts -verify -in d7/timestamps/3.tsr -data d7/timestamps/3.checkpoint \
    -CAfile d7/timestamps/3.ca.pem -attime $later >/dev/null 2>&1 &&
    fail "openssl ts -verify -attime after notAfter accepted the token"
ok

# a missing description and a malformed one: each a failure naming its file, the other
# token still checked
cp -r d d5
rm d5/timestamps/1.json
printf '{"v":1}' > d5/timestamps/2.json
run_fails 1 $CONSTAT verify d5
expect_in out "FAIL: timestamps/1.json: cannot read"
expect_in out "FAIL: timestamps/2.json: must hold exactly v (1), tsa"
expect_in out "timestamps: 2 RFC 3161 token(s), 0 valid"
# a checkpoint file of another size than its description says
cp -r d d6
sed -i 's/"checkpoint_size":6/"checkpoint_size":5/' d6/timestamps/1.json
run_fails 1 $CONSTAT verify d6
expect_in out "FAIL: timestamps/1.checkpoint: size 6 differs from timestamps/1.json checkpoint_size 5"
expect_in out "timestamps: 2 RFC 3161 token(s), 1 valid"

# the TSA goes down: a clear error, and the vault is unchanged
kill $pid
wait $pid 2>/dev/null || true
before=$(vault_digest v)
run_fails 3 $CONSTAT timestamp --dir v
expect_in err "TSA local: $url"
expect_in err "0 of 1 TSAs gave a valid token"
expect_eq "$(vault_digest v)" "$before" "vault unchanged when the TSA is down"

# the report and the dossier's report give the delay from the event to proven existence
# (events of 2013-2017, tokens of today: all seven incidents over a year, none unproven)
run_ok $CONSTAT report --out r --dir v
expect_in r/figures/delay_event_to_proven.csv "5_gt_365d,7,1 2 3 4 5 6 7"
expect_in r/figures/delay_event_to_proven.csv "not_proven,0,"
expect_in r/index.html 'id="fig-delay_event_to_proven"'
expect_in r/index.html "It bounds when the record existed, not when the event happened."
expect_in r/incidents.csv ",recorded_at,proven_at,"
expect_in r/incidents.csv ",2026-11-29T10:00:00Z,20"
expect_in d/report/figures/delay_event_to_proven.csv "5_gt_365d,7,1 2 3 4 5 6 7"
expect_in d/report/index.html "existed by (proven, RFC 3161)"
# the verifier recomputes it from the tokens it verified: an altered value fails...
cp -r d d4
python3 - d4/figures.json <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for f in doc["figures"]:
    if f["id"] == "delay_event_to_proven":
        for r in f["rows"]:
            if r["key"] == ["not_proven"]:
                r["value"] = 3
open(sys.argv[1], "w").write(json.dumps(doc, separators=(",", ":")))
EOF
run_fails 1 $CONSTAT verify d4
expect_in out 'figure delay_event_to_proven row ["not_proven"]: value claimed 3, recomputed 0'
# ...and so does the claim when the tokens do not verify against the pinned CA
run_fails 1 $CONSTAT verify d --tsa-ca "$T/tsa/other-ca.pem"
expect_in out 'figure delay_event_to_proven row ["not_proven"]: value claimed 0, recomputed 7'

done_ok
