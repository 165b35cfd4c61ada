#!/bin/sh
# t0620 — docs/openapi.yaml describes the server as built: every route the
# server serves (constat serve --routes) is a path and method of the OpenAPI
# file, and every path and method of the file is served; and each route
# answers on a running server with something other than "no such route".
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

run_ok $CONSTAT serve --routes
sort out > served
python3 - "$SRC/docs/openapi.yaml" > documented <<'PY'
import re, sys
path = None
routes = []
for line in open(sys.argv[1]):
    m = re.match(r"^  (/\S*):\s*$", line)
    if m:
        path = m.group(1)
        continue
    m = re.match(r"^    (get|post|put|delete|patch):\s*$", line)
    if m and path:
        routes.append(f"{m.group(1).upper()} {path}")
    if re.match(r"^\S", line):
        path = None
for r in sorted(routes):
    print(r)
PY
sort -o documented documented
if ! diff -u documented served >diff.out; then
    cat diff.out >&2
    fail "docs/openapi.yaml (-) and the served routes (+) differ"
fi
ok
[ "$(wc -l < served)" -ge 15 ] || fail "expected the full route table"
ok

# every route is routed: not 404 "no such route" (401, 400, 404 of a record...)
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --coordinator chef --dir v
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
while read -r m p; do
    url=$(echo "$p" | sed 's/{id}/x/; s/{name}/chef/; s/{path}/0\/000/')
    curl -s -o body -X "$m" "http://127.0.0.1:$(cat port)$url" || fail "curl $m $url"
    if grep -q "no such route" body; then fail "$m $p is documented but not routed"; fi
    ok
done < served
done_ok
