#!/bin/sh
# t0642 — kill -9 of constat serve at 200 random moments under load (issue
# 9): four client threads keep posting records signed by the monitor's device
# key over keep-alive connections; once a round has an acknowledged record,
# the server is killed at a random moment within the next 100 ms and started
# again. Every record whose 201/200 receipt reached a client is in the log
# afterwards, no record id is logged twice, the log verifies, and the last
# start stops cleanly. Bounded: 200 rounds of well under a second each
# (a round that gets no acknowledgement within 10 s fails the test).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)
spid=
trap 'kill -9 $spid 2>/dev/null || true; rm -rf "$T"' EXIT
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
wait_port port serve.log
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit enrol \
    --server "http://127.0.0.1:$(cat port)" --key amina.key --name amina --code "$code"
kill $spid
wait $spid || fail "server did not stop cleanly"
"$(dirname "$CONSTAT")/bench_serve_leaves" amina.key hro-test 12000 bodies.jsonl >/dev/null ||
    fail "signing the records with the device key"
ok

python3 - "$CONSTAT" <<'PY' || fail "kill -9 rounds"
import http.client, json, os, random, signal, subprocess, sys, threading, time

constat = sys.argv[1]
bodies = [l.strip() for l in open("bodies.jsonl") if l.strip()]
lock = threading.Lock()
acked, nxt = [], [0]
# each round may use its share of the signed bodies, so a faster server
# cannot run out of them before the last round
limit = [0]

def start():
    if os.path.exists("port"):
        os.unlink("port")
    p = subprocess.Popen([constat, "serve", "--listen", "127.0.0.1:0", "--port-file", "port",
                          "--dir", "v"], stdout=subprocess.DEVNULL,
                         stderr=open("serve.log", "ab"))
    t0 = time.monotonic()
    while not (os.path.exists("port") and open("port").read().strip()):
        if time.monotonic() - t0 > 10 or p.poll() is not None:
            sys.exit("server did not start")
        time.sleep(0.01)
    return p, int(open("port").read())

def login(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/api/v1/login", json.dumps({"name": "amina", "password": "amina pass 1"}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    body = json.loads(r.read())
    assert r.status == 200, (r.status, body)
    cookie = r.getheader("Set-Cookie").split(";")[0]
    return {"Content-Type": "application/json", "Cookie": cookie, "X-CSRF-Token": body["csrf"]}

def worker(port, headers):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while True:
            with lock:
                if nxt[0] >= limit[0]:
                    return
                body = bodies[nxt[0]]
                nxt[0] += 1
            c.request("POST", "/api/v1/records", body, headers)
            r = c.getresponse()
            data = r.read()
            if r.status in (200, 201):
                rec = json.loads(data)
                assert "inclusion_proof" in rec and "checkpoint" in rec, rec
                with lock:
                    acked.append(rec["record_id"])
            elif r.status != 503:
                sys.stderr.write(f"unexpected {r.status}: {data[:200]!r}\n")
                os._exit(1)
    except (OSError, http.client.HTTPException):
        return  # the server died

for rnd in range(200):
    p, port = start()
    headers = login(port)
    had = len(acked)
    limit[0] = (rnd + 1) * len(bodies) // 200
    ts = [threading.Thread(target=worker, args=(port, headers)) for _ in range(4)]
    for t in ts:
        t.start()
    t0 = time.monotonic()
    while len(acked) <= had:
        if time.monotonic() - t0 > 10:
            p.kill()
            sys.exit(f"round {rnd}: no record acknowledged in 10 s")
        time.sleep(0.002)
    time.sleep(random.uniform(0, 0.1))
    p.send_signal(signal.SIGKILL)
    p.wait()
    for t in ts:
        t.join()
json.dump(acked, open("acked.json", "w"))
print(f"200 kills, {len(acked)} records acknowledged, {nxt[0]} sent")
PY
ok
# the vault after the last kill: a clean start and stop, then every
# acknowledged record is there, once
$CONSTAT serve --listen 127.0.0.1:0 --port-file port2 --dir v >serve.out 2>>serve.log &
spid=$!
wait_port port2 serve.log
kill $spid
wait $spid || fail "server did not stop cleanly after the kills"
expect_in serve.log "serve: stopped"
run_ok $CONSTAT log --dir v --json
python3 - out acked.json <<'PY' || fail "an acknowledged record is missing, or one is logged twice"
import json, sys
ids = [i["record"]["id"] for i in json.load(open(sys.argv[1]))["items"]]
acked = json.load(open(sys.argv[2]))
assert len(acked) >= 200, len(acked)
missing = sorted(set(acked) - set(ids))
assert not missing, missing[:10]
dups = len(ids) - len(set(ids))
assert dups == 0, f"{dups} record ids logged twice"
print(f"{len(set(acked))} acknowledged, all of them in the log of {len(ids)} leaves")
PY
ok
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"
done_ok
