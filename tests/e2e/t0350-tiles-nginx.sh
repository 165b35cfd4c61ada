#!/bin/sh
# Static tiles on a real web server: the log exported as C2SP tlog-tiles is
# served by Debian's nginx on a loopback port, through the example
# configuration data/nginx/constat-tiles.conf (its cache headers are checked),
# audited over HTTP, read by a witness; then a tile served by nginx is
# tampered with and the audit names it. nginx runs in the foreground with its
# own configuration, prefix, pid file and logs in the test folder, as root or
# as any user, for at most 120 s.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
server=
# stop nginx (its master by the pid file, then the timeout around it); either
# may be gone already, which is not an error
stop_nginx() {
    if [ -n "$server" ]; then
        if [ -s "$T/ngx/nginx.pid" ]; then
            kill "$(cat "$T/ngx/nginx.pid")" 2>/dev/null || true
        fi
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=
    fi
    return 0
}
trap 'stop_nginx; rm -rf "$T"' EXIT

nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || fail "nginx is not installed (scripts/install-deps test installs it)"
ok

# 300 imported records and the monitor's enrolment: 301 entries, so one full
# tile and bundle (000) and partial ones (001.p/45) at level 0
python3 "$SRC/scripts/gen-incidents" 300 incidents.csv
run_ok $CONSTAT init --no-passphrase --org observatoire-nginx --origin test.example/nginx/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import incidents.csv --monitor m1
run_ok $CONSTAT tiles export pub
expect_in out "published 301 entries (tree size 301)"
for f in checkpoint tile/0/000 tile/0/001.p/45 tile/entries/000 tile/entries/001.p/45 tile/1/000.p/1; do
    [ -f "pub/$f" ] || fail "the export has no $f"
done
ok
run_ok $CONSTAT keys
cp out trust.txt

# nginx: the shipped snippet inside a server block of our own, every path
# nginx writes (pid, logs, temporary folders) under ngx/
mkdir -p ngx
user_line=
[ "$(id -u)" -ne 0 ] || user_line="user $(id -un) $(id -gn);"
start_nginx() {
    cat >ngx/nginx.conf <<CONF
$user_line
daemon off;
worker_processes 1;
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log info;
events { worker_connections 64; }
http {
    access_log $T/ngx/access.log;
    client_body_temp_path $T/ngx/body;
    proxy_temp_path $T/ngx/proxy;
    fastcgi_temp_path $T/ngx/fastcgi;
    uwsgi_temp_path $T/ngx/uwsgi;
    scgi_temp_path $T/ngx/scgi;
    server {
        listen 127.0.0.1:$1;
        server_name localhost;
        root $T/pub;
        include $SRC/data/nginx/constat-tiles.conf;
    }
}
CONF
    timeout 120 "$nginx" -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" \
        >ngx/stdout 2>&1 &
    server=$!
    for _ in $(seq 1 50); do
        kill -0 "$server" 2>/dev/null || break
        curl -s -o /dev/null "http://127.0.0.1:$1/checkpoint" && return 0
        sleep 0.1
    done
    stop_nginx
    return 1
}
port=
for _ in 1 2 3 4 5; do
    # a free loopback port; another program may take it before nginx does,
    # then the next one is tried
    p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    if start_nginx "$p"; then
        port=$p
        break
    fi
done
[ -n "$port" ] || fail "nginx did not start: $(cat ngx/stdout ngx/error.log 2>/dev/null)"
ok
url="http://127.0.0.1:$port/"

# headers of the example configuration: HEADERS-FILE PATH
headers() {
    curl -s -D "$1" -o "$1.body" "$url$2" || fail "curl $url$2"
    tr -d '\r' <"$1" >"$1.txt"
}
headers h-cp checkpoint
expect_in h-cp.txt "HTTP/1.1 200"
expect_in h-cp.txt "Content-Type: text/plain"
expect_in h-cp.txt "Cache-Control: public, max-age=10, must-revalidate"
cmp -s h-cp.body pub/checkpoint || fail "nginx served another checkpoint than the export's"
ok
for f in tile/0/000 tile/entries/000; do
    headers h-full "$f"
    expect_in h-full.txt "HTTP/1.1 200"
    expect_in h-full.txt "Content-Type: application/octet-stream"
    expect_in h-full.txt "Cache-Control: public, max-age=31536000, immutable"
    cmp -s h-full.body "pub/$f" || fail "nginx served other bytes than pub/$f"
    ok
done
for f in tile/0/001.p/45 tile/entries/001.p/45 tile/1/000.p/1; do
    headers h-part "$f"
    expect_in h-part.txt "HTTP/1.1 200"
    expect_in h-part.txt "Cache-Control: public, max-age=60"
    expect_not_in h-part.txt "immutable"
done
# a tile not published yet: 404, and no cache lifetime that would keep it so
headers h-404 tile/0/001
expect_in h-404.txt "HTTP/1.1 404"
expect_not_in h-404.txt "Cache-Control"
headers h-404 tile/0/001.p/45.tmp
expect_in h-404.txt "HTTP/1.1 404"

# the audit over HTTP, key pinned
run_ok $CONSTAT tiles audit "$url" --trust trust.txt
expect_in out "signature:  valid by the pinned log key"
expect_in out "recomputed: 301 entries from 2 bundle(s)"
expect_in out "VERIFIED"
expect_not_in out "NOT VERIFIED"
run_ok $CONSTAT tiles audit "$url" --trust trust.txt --json
expect_in out '"ok": true'
# usage: no location, two locations, a location that is no folder or http(s) URL
run_fails 2 $CONSTAT tiles audit
run_fails 2 $CONSTAT tiles audit "$url" pub
run_fails 2 $CONSTAT tiles audit ftp://127.0.0.1/x
cp pub/checkpoint kept-checkpoint

# a witness of this log reads the checkpoint nginx serves and cosigns it
logkey=$(sed -n 's/^log //p' trust.txt)
[ -n "$logkey" ] || fail "no log key in constat keys"
run_ok $CONSTAT init --no-passphrase --org witness-nginx --origin test.example/witness/log --dir W
run_ok $CONSTAT witness init --dir W
run_ok $CONSTAT witness add-log test.example/nginx/log "$logkey" --dir W
curl -sf -o cp-served "${url}checkpoint" || fail "curl checkpoint"
ok
run_ok $CONSTAT witness cosign cp-served --dir W
expect_in out "— witness-nginx "
run_ok $CONSTAT witness logs --dir W
expect_in out "301"

# the log grows by one entry; the new publication is consistent with the
# kept checkpoint, and the witness follows the checkpoint nginx serves with
# the log's consistency proof (as `constat publish` would send it)
run_ok $CONSTAT monitor add m2
run_ok $CONSTAT tiles export pub
expect_in out "published 302 entries"
run_ok $CONSTAT tiles audit "$url" --trust trust.txt --since-checkpoint kept-checkpoint
expect_in out "consistent with your earlier checkpoint of size 301: yes"
curl -sf -o cp-served "${url}checkpoint" || fail "curl checkpoint"
ok
run_ok $CONSTAT prove consistency 301 302
{
    echo "old 301"
    sed '1,/^proof (/d' out
} >proof.txt
run_ok $CONSTAT witness cosign cp-served --proof proof.txt --dir W
expect_in out "— witness-nginx "

# tampering with what nginx serves: one byte of the first entry of the full
# bundle, then one hash of the partial level-0 tile
cp pub/tile/entries/000 saved-bundle
flip_byte pub/tile/entries/000 40
run_fails 1 $CONSTAT tiles audit "$url" --trust trust.txt
expect_in out "FAIL: tile/0/000: 1 hash(es) differ from the hashes of the entries, the first at position 0 (leaf 0)"
expect_in out "NOT VERIFIED"
cp saved-bundle pub/tile/entries/000
run_ok $CONSTAT tiles audit "$url" --trust trust.txt
flip_byte pub/tile/0/001.p/46 $((32 * 10 + 5))
run_fails 1 $CONSTAT tiles audit "$url" --trust trust.txt
expect_in out "FAIL: tile/0/001.p/46: 1 hash(es) differ from the hashes of the entries, the first at position 10 (leaf 266)"
expect_in out "NOT VERIFIED"
stop_nginx
done_ok
