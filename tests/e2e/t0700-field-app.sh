#!/bin/sh
# t0700 — the monitor's web app (docs/field-app.md) in a real browser:
# headless Chromium at 360 px driven by Selenium (tests/e2e/field_app.py)
# against `constat serve` on loopback. First the JS crypto against the C
# code's vectors (RFC 9162 inclusion proofs, C2SP signed notes, RFC 8785,
# BLAKE2b); then enrol by code, Arabic, offline (browser offline and server
# stopped), three incidents sealed and queued (one with a photo), reload,
# online, log in, sync, receipts verified on the device, a tampered receipt
# failing, no element past 360 px in RTL; the records are in `constat log`
# and a dossier of them verifies. The static files: types, CSP, ETag, 304,
# paths that are not plain file paths refused. Skipped (77) without
# chromium, chromedriver or python3-selenium (scripts/install-deps test
# installs them). CONSTAT_SHOTS=DIR keeps the screenshots (make screenshots).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
# the browser writes records at its own clock: the server's is the real one
unset CONSTAT_NOW

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v

# --- the static files, with curl
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
get() { # get PATH [HEADER]: status, headers and body into $T/status, $T/hdr, $T/body
    curl -s --path-as-is -D "$T/hdr" -o "$T/body" -w '%{http_code}' ${2:+-H "$2"} "$S$1" >"$T/status"
}
get /
expect_eq "$(cat status)" 200 "GET /"
expect_in hdr "Content-Type: text/html; charset=utf-8"
expect_in hdr "Content-Security-Policy: default-src 'self'; script-src 'self';"
expect_in hdr "frame-ancestors 'none'"
expect_in hdr "Cache-Control: no-cache"
expect_in body '<script type="module" src="/js/app.js"></script>'
cmp body "$SRC/web/index.html" || fail "/ is not web/index.html"
ok
etag=$(sed -n 's/^ETag: *\(.*\)\r$/\1/p' hdr)
[ -n "$etag" ] || fail "no ETag"
ok
get /index.html "If-None-Match: $etag"
expect_eq "$(cat status)" 304 "If-None-Match of the same file"
get /js/crypto.js
expect_eq "$(cat status)" 200 "a script"
expect_in hdr "Content-Type: text/javascript; charset=utf-8"
cmp body "$SRC/web/js/crypto.js" || fail "/js/crypto.js differs from web/js/crypto.js"
ok
get /i18n/ar.json
expect_in hdr "Content-Type: application/json"
expect_in body '"home.new": "حادثة جديدة"'
get /taxonomy.json
cmp body "$SRC/data/taxonomy/calais.json" || fail "/taxonomy.json is not the taxonomy"
ok
get /sw.js
expect_in hdr "Content-Type: text/javascript"
# paths that are not plain file paths of the app: 400; no such file: 404
for p in "/js/../index.html" "/../vault.db" "/.git/config" "//index.html" "/js/" "/%2e%2e/vault.db" "/js/%2e%2e/index.html" "/js/.hidden" "/x\\y"; do
    get "$p"
    expect_eq "$(cat status)" 400 "path $p"
    expect_in body "not a file path of the web app"
done
get /vault.db
expect_eq "$(cat status)" 404 "a file the app has not"
get /api/v1/nothing
expect_eq "$(cat status)" 404 "an unknown API route stays the API's 404"
expect_in body "no such route"
# the API keeps its own headers (no CSP there, no-store)
get /api/v1/info
expect_in hdr "Cache-Control: no-store"
expect_not_in hdr "Content-Security-Policy"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$S/index.html")" 404 "POST to a file"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT

# --- the browser (Debian's python3-selenium is for Debian's python3)
need_browser t0700
rm -f port
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
run_ok timeout 120 $PY "$SRC/tests/e2e/field_app.py" vectors "$SRC" "http://127.0.0.1:$(cat port)" load.json
nincl=$(find "$SRC/tests/vectors/merkle/transparency-dev-merkle/testdata/inclusion" -name '*.json' | wc -l)
[ "$nincl" -gt 90 ] || fail "inclusion vectors missing ($nincl)"
expect_in out "inclusion vectors: $nincl agree with the C verifier's expectations"
expect_in out "signed notes: 4 opened"
expect_in out "JCS: 5 outputs identical, 1 with reals refused"
# BLAKE2b-24 (the sealed box nonce) over two blocks, as Python's hashlib has it
expect_in out "blake2b-24 of bytes 0..199: $($PY -c 'import hashlib; print(hashlib.blake2b(bytes(range(200)), digest_size=24).hexdigest())')"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
rm -f port

run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)
python3 -c 'import struct,zlib,sys
def chunk(t, b): return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
raw = b"".join(b"\0" + bytes([200, 30, 30]) * 8 for _ in range(8))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))' >photo.png
run_ok timeout 300 $PY "$SRC/tests/e2e/field_app.py" flow "$CONSTAT" "$T/v" "$code" amina \
    "amina password 1" "$T" ${CONSTAT_SHOTS:+"$CONSTAT_SHOTS"}
cat out
expect_in out "flow: 3 records, receipts verified on the device"
expect_eq "$(grep -c . ids)" 3 "three record ids"
# the photo's hash, as the device showed it, is the file's
expect_in stats.json "\"photo_sha256_shown\": \"$(sha256sum photo.png | cut -c1-64)\""

# a second monitor: PIN lock, a shift, wipe
run_ok $CONSTAT monitor invite bilal --dir v
code=$(sed -n 's/^enrolment code for monitor bilal: //p' out)
rm -f port
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
run_ok timeout 120 $PY "$SRC/tests/e2e/field_app.py" pin "http://127.0.0.1:$(cat port)" "$code" bilal \
    "bilal password 1" "$T"
expect_in out "pin: wrapped key, shift shift-"
# a third, in a browser without Ed25519 in WebCrypto: TweetNaCl signs and checks
run_ok $CONSTAT monitor invite chloe --dir v
code=$(sed -n 's/^enrolment code for monitor chloe: //p' out)
run_ok timeout 120 $PY "$SRC/tests/e2e/field_app.py" fallback "http://127.0.0.1:$(cat port)" "$code" chloe \
    "chloe password 1"
expect_in out "fallback: enrolled, signed and verified with TweetNaCl's Ed25519"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
run_ok $CONSTAT log --kind shift --dir v
expect_in out " $(cat shift-ids) "

# the coordinator's and the auditor's page
CONSTAT_USER_PASSWORD="auditor pass 1" run_ok $CONSTAT user add audra --role auditor --dir v
rm -f port
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
want="{\"size\": 10, \"monitors\": {\"amina\": [3, 0, 0], \"bilal\": [0, 1, 0], \"chloe\": [1, 0, 0]}, \"open\": \"$(sed -n 1p ids)\"}"
for who in "chef:chef password 1" "audra:auditor pass 1"; do
    run_ok timeout 120 $PY "$SRC/tests/e2e/field_app.py" review "http://127.0.0.1:$(cat port)" "${who%%:*}" "${who#*:}" "$want"
    expect_in out "review ${who%%:*}: Vault verified by the server: 10 entries"
    expect_in out "proof and checkpoint verified in this browser"
done
want="{\"refused\": \"amina\"}"
run_ok timeout 120 $PY "$SRC/tests/e2e/field_app.py" review "http://127.0.0.1:$(cat port)" amina "amina password 1" "$want"
expect_in out "review amina: refused, a monitor"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT

run_ok $CONSTAT log --dir v
for id in $(cat ids); do expect_in out " $id "; done
run_ok $CONSTAT log --kind incident --dir v --json
python3 -c '
import json, sys
items = json.load(open(sys.argv[1]))["items"]
print(json.dumps(items[0], ensure_ascii=False)[:400])
' out
run_ok $CONSTAT show "$(sed -n 3p ids)" --dir v
expect_in out "$(sha256sum photo.png | cut -c1-64)"
run_ok $CONSTAT dossier --out d --with-evidence --dir v
run_ok $CONSTAT verify d
expect_in out "records: 10 (4 incidents, 3 monitor enrolments)"
expect_in out "monitor bilal: key held by the monitor's device"
expect_in out "monitor chloe: key held by the monitor's device"
expect_in out "monitor amina: key held by the monitor's device"
run_ok $CONSTAT verify v
# signed offline: the two records with persons got their pseudonym bindings,
# signed by the organisation, each naming its record; the figures count the
# pseudonyms: the same person ("أحمد، مواليد 1999", once with extra spaces,
# normalised alike) in records 1 and 2, both identity checks -> one person
# checked twice, one interval
run_ok $CONSTAT log --kind pseudonym_binding --dir v
expect_eq "$(grep -c ' pb-' out)" 2 "two pseudonym bindings"
run_ok $CONSTAT report --out rep --dir v
# the dossier carries the bindings, and its figures (recomputed by verify) count them too
for f in rep/figures.json d/figures.json; do
    python3 - "$f" <<'PY' > fig.txt
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["figures"]:
    for r in f["rows"]:
        print(f["id"], json.dumps(r["key"], separators=(",", ":")), r["value"])
PY
    expect_in fig.txt 'check_intervals ["persons_checked_twice_or_more"] 1'
    expect_in fig.txt 'check_intervals ["intervals"] 1'
done
# the figures for make bench (bench/run prints them; nothing here depends on speed)
if [ -n "${CONSTAT_APP_STATS:-}" ]; then
    $PY -c 'import json, sys; d = json.load(open(sys.argv[1])); d.update(json.load(open(sys.argv[2]))); json.dump(d, open(sys.argv[3], "w"))' \
        stats.json load.json "$CONSTAT_APP_STATS"
fi
done_ok
