#!/bin/sh
# t0701 — the review page (docs/field-app.md "Coordinators and auditors") in
# headless Chromium, with real values: the log's two witnesses (`constat
# witness`, cosigning over loopback as in t0080) listed with the size and
# time of their cosignature and "verified" (GET /api/v1/witnesses), then one
# stored cosignature altered in the vault and shown as not verifying; the
# records per shift worked out by hand below (recorded_at inside a shift's
# start and end, bounds included, the same monitor only); two dossiers
# downloaded by the coordinator (the incidents a search lists, and two
# ticked ones: POST /api/v1/dossier), each a tar archive that `tar -xf`
# unpacks into a dossier `constat verify` accepts with the keys pinned and
# both witnesses required, holding exactly the incidents chosen
# (manifest.json filter.ids); a changed byte refused, and an insider's copy
# re-signed without one of the chosen incidents refused naming it; an
# auditor offered no download and refused one (403); the exports and the
# refusal in the audit table. Skipped (77) without chromium, chromedriver or
# python3-selenium.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

need_browser t0701
command -v curl >/dev/null 2>&1 || fail "curl is needed (scripts/install-deps installs it)"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

export CONSTAT_USER_PASSWORD="chef password 1"
# the organisation key unsealed, so that an insider's re-signed copy can be
# made below (resign_dossier)
CONSTAT_NOW=2026-11-29T07:00:00Z run_ok $CONSTAT init --no-passphrase --org hro-test \
    --origin test.example/hro/log --coordinator chef --dir L
CONSTAT_USER_PASSWORD="auditor pass 1" run_ok $CONSTAT user add audra --role auditor --dir L
CONSTAT_NOW=2026-11-29T07:00:00Z run_ok $CONSTAT monitor add alice --dir L
CONSTAT_NOW=2026-11-29T07:00:00Z run_ok $CONSTAT monitor add bob --dir L

# inc NAME MONITOR RECORDED_AT: an incident that occurred an hour before it
# was recorded; its id in NAME.id
inc() {
    start=$(python3 -c 'import datetime,sys; t = datetime.datetime.fromisoformat(sys.argv[1].replace("Z", "+00:00")) - datetime.timedelta(hours=1); print(t.strftime("%Y-%m-%dT%H:%M:%SZ"))' "$3")
    cat >"$1.json" <<JSON
{"occurred": {"start": "$start", "end": "$start", "precision": "minute"},
 "place": {"name": "Rue des Verrotières $1", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"}, "summary": "incident $1"}
JSON
    CONSTAT_NOW=$3 run_ok $CONSTAT record "$1.json" --monitor "$2" --dir L
    sed -n 's/^record \([^ ]*\).*/\1/p' out | head -1 >"$1.id"
    [ -s "$1.id" ] || fail "no record id for $1"
}
# shift NAME MONITOR START END: a shift recorded at its end; its id in NAME.id
shift_rec() {
    cat >"$1.json" <<JSON
{"kind": "shift", "start": "$3", "end": "$4", "area": {"name": "Calais"}}
JSON
    CONSTAT_NOW=$4 run_ok $CONSTAT record "$1.json" --monitor "$2" --dir L
    sed -n 's/^record \([^ ]*\).*/\1/p' out | head -1 >"$1.id"
    [ -s "$1.id" ] || fail "no record id for $1"
}
# alice's shift a1, 08:00-12:00: two incidents and one evidence file inside
# it -> 3 records, 2 incidents; her 14:00 incident falls in bob's shift's
# hours but is hers: it counts for no shift
inc i1 alice 2026-11-29T09:00:00Z
inc i2 alice 2026-11-29T10:30:00Z
printf 'photo bytes' >photo.bin
CONSTAT_NOW=2026-11-29T11:00:00Z run_ok $CONSTAT attach "$(cat i2.id)" photo.bin --monitor alice --dir L
shift_rec a1 alice 2026-11-29T08:00:00Z 2026-11-29T12:00:00Z
# bob's shift b1, 13:00-16:00: an incident at exactly 13:00 (the bound
# counts) and one at 14:30 -> 2 records, 2 incidents; his 17:00 one is after it
inc b0 bob 2026-11-29T13:00:00Z
inc i3 alice 2026-11-29T14:00:00Z
inc b1 bob 2026-11-29T14:30:00Z
shift_rec b1s bob 2026-11-29T13:00:00Z 2026-11-29T16:00:00Z
inc b2 bob 2026-11-29T17:00:00Z
# alice's shift a2, 18:00-19:00: nothing written during it -> 0
shift_rec a2 alice 2026-11-29T18:00:00Z 2026-11-29T19:00:00Z
run_ok $CONSTAT log --dir L --json
size=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' out)
expect_eq "$size" 12 "leaves: 2 enrolments, 6 incidents, 1 evidence, 3 shifts"

# --- two witnesses (t0080), their clock at 08:00 the next day
logkey=$($CONSTAT keys --dir L | sed -n 's/^log //p')
for w in 1 2; do
    CONSTAT_PASSPHRASE="witness $w" run_ok $CONSTAT init --org wit$w.example --origin wit$w.example/log --dir W$w
    CONSTAT_PASSPHRASE="witness $w" run_ok $CONSTAT witness init --dir W$w
    tail -n 1 out >W$w.vkey
    CONSTAT_PASSPHRASE="witness $w" run_ok $CONSTAT witness add-log test.example/hro/log "$logkey" --dir W$w
    CONSTAT_PASSPHRASE="witness $w" CONSTAT_NOW=2026-11-30T08:00:00Z $CONSTAT witness serve \
        --listen 127.0.0.1:0 --port-file W$w.port --dir W$w >W$w.serve.out 2>W$w.serve.log &
    pids="$pids $!"
done
for w in 1 2; do
    wait_port W$w.port W$w.serve.log
    run_ok $CONSTAT publish add "$(cat W$w.vkey)" "http://127.0.0.1:$(cat W$w.port)" --dir L
done
CONSTAT_NOW=2026-11-30T08:00:00Z run_ok $CONSTAT publish --dir L
expect_in out "wit1.example: cosigned size 12 (from size 0)"
expect_in out "wit2.example: cosigned size 12 (from size 0)"
kid1=$(cut -d+ -f2 W1.vkey)
kid2=$(cut -d+ -f2 W2.vkey)
{
    echo "witness wit1.example $(cat W1.vkey)"
    echo "witness wit2.example $(cat W2.vkey)"
    echo "quorum 2"
} >policy.txt
run_ok $CONSTAT keys --dir L
sed -n 's/^\(log\|org\) /\1 /p' out >trusted.txt

# --- the server, its clock at 09:00 the next day
CONSTAT_NOW=2026-11-30T09:00:00Z $CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir L \
    >serve.out 2>serve.log &
spid=$!
pids="$pids $spid"
wait_port port serve.log
S=http://127.0.0.1:$(cat port)
URL=$S

# the API's answer, as the page reads it
curl -s -c chef.jar -o login.json -H 'Content-Type: application/json' \
    -d '{"name":"chef","password":"chef password 1"}' "$S/api/v1/login"
csrf=$(python3 -c 'import json; print(json.load(open("login.json"))["csrf"])')
curl -s -b chef.jar -o wit.json "$S/api/v1/witnesses"
python3 - wit.json "$kid1" "$kid2" "$(cat W1.vkey)" <<'PY' || fail "GET /api/v1/witnesses: $(cat wit.json)"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["tree_size"] == 12 and d["checkpoint_size"] == 12, d
w = {x["name"]: x for x in d["witnesses"]}
assert sorted(w) == ["wit1.example", "wit2.example"], w
for name, kid in (("wit1.example", sys.argv[2]), ("wit2.example", sys.argv[3])):
    x = w[name]
    assert x["key_id"] == kid and x["cosigned_size"] == 12 and x["verified"] is True, x
    assert x["cosigned_at"] == "2026-11-30T08:00:00Z", x
    assert x["url"].startswith("http://127.0.0.1:") and "error" not in x, x
assert w["wit1.example"]["vkey"] == sys.argv[4], w
PY
ok
# the listing gives recorded_at, and a shift its start and end
curl -s -b chef.jar -o recs.json "$S/api/v1/records"
python3 - recs.json "$(cat a1.id)" "$(cat i1.id)" <<'PY' || fail "GET /api/v1/records: $(head -c 2000 recs.json)"
import json, sys
r = {x["record_id"]: x for x in json.load(open(sys.argv[1]))["records"]}
s = r[sys.argv[2]]
assert s["kind"] == "shift" and s["start"] == "2026-11-29T08:00:00Z" and s["end"] == "2026-11-29T12:00:00Z", s
assert s["recorded_at"] == "2026-11-29T12:00:00Z", s
i = r[sys.argv[3]]
assert i["recorded_at"] == "2026-11-29T09:00:00Z" and "start" not in i, i
PY
ok
# refusals of the download, each naming the field
dossier() { # dossier BODY: status into status, body into body
    curl -s -b chef.jar -o body -w '%{http_code}' -H "X-CSRF-Token: $csrf" \
        -H 'Content-Type: application/json' --data-binary "$1" "$S/api/v1/dossier" >status
}
dossier '{"ids": []}'
expect_eq "$(cat status)" 400 "no id"
expect_in body '"field":"ids"'
dossier '{"ids": "x"}'
expect_eq "$(cat status)" 400 "ids not an array"
dossier '{"ids": ["a b"]}'
expect_eq "$(cat status)" 400 "not a record id"
expect_in body "not a record id"
dossier '{"ids": ["inc-nosuch"]}'
expect_eq "$(cat status)" 404 "unknown id"
expect_in body 'inc-nosuch'
expect_in body "is no incident of the log"
dossier "{\"ids\": [\"$(cat a1.id)\"]}"
expect_eq "$(cat status)" 404 "a shift is no incident"
dossier '{"ids": ["x"], "with_evidence": true}'
expect_eq "$(cat status)" 400 "unknown member"
curl -s -b chef.jar -o body -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "{\"ids\": [\"$(cat i1.id)\"]}" "$S/api/v1/dossier" >status
expect_eq "$(cat status)" 403 "no CSRF token"

# --- the page: the coordinator sees the witnesses and the shifts, downloads two dossiers
for n in i1 i2 i3 b0 b1 b2 a1 b1s a2; do eval "$n=\$(cat $n.id)"; done
file=constat-dossier-12-20261130T090000Z.tar
want=$(python3 - "$a1" "$b1s" "$a2" "$i1" "$i3" "$file" <<'PY'
import json, sys
a1, b1s, a2, i1, i3, f = sys.argv[1:7]
print(json.dumps({
    "witnesses": {"wit1.example": {"verified": "true", "size": 12, "when": "2026-11-30T08:00:00Z"},
                  "wit2.example": {"verified": "true", "size": 12, "when": "2026-11-30T08:00:00Z"}},
    "shifts": {a1: [3, 2], b1s: [2, 2], a2: [0, 0]},
    "downloads": [{"search": "bob", "n": 3, "file": f}, {"pick": [i1, i3], "n": 2, "file": f}]}))
PY
)
mkdir dl
run_ok timeout 300 $PY "$SRC/tests/e2e/field_app.py" reviewmore "$URL" chef "chef password 1" "$want" "$T/dl"
cat out
expect_in out "witness wit1.example: wit1.example ($kid1) | size 12, cosigned at 2026-11-30T08:00:00Z | Verified against the witness's key"
expect_in out "shift $a1: alice | 2026-11-29T08:00:00Z → 2026-11-29T12:00:00Z | 3 (2 incidents)"
expect_in out "shift $b1s: bob | 2026-11-29T13:00:00Z → 2026-11-29T16:00:00Z | 2 (2 incidents)"
expect_in out "shift $a2: alice | 2026-11-29T18:00:00Z → 2026-11-29T19:00:00Z | 0 (0 incidents)"
expect_in out "download 1: $file; Downloaded $file (3 incidents,"
expect_in out "Unpack it with tar -xf $file, then check it with constat verify ${file%.tar}."
expect_in out "reviewmore chef: 2 witnesses, 3 shifts, 2 downloads, no overflow in Arabic"

# each archive: one folder, unpacked by tar, verified with the keys pinned
# and both witnesses required; exactly the incidents chosen
check_dossier() { # check_dossier N IDS...: dl/N-$file
    n=$1
    shift
    rm -rf "x$n"
    mkdir "x$n"
    run_ok tar -xf "dl/$n-$file" -C "x$n"
    expect_eq "$(ls "x$n")" "${file%.tar}" "the archive's one folder"
    run_ok $CONSTAT verify "x$n/${file%.tar}" --trust trusted.txt --witness-policy policy.txt
    expect_in out "witnesses: 2 of 2 listed in policy.txt cosigned this checkpoint; 2 required — quorum met"
    expect_in out "records: "
    expect_in out "($# incidents,"
    expect_in out "VERIFIED"
    python3 - "x$n/${file%.tar}" "$@" <<'PY' || fail "dossier $n holds other incidents than those chosen"
import json, sys
d, want = sys.argv[1], sorted(sys.argv[2:])
m = json.load(open(d + "/manifest.json"))
assert m["filter"] == {"ids": want}, m["filter"]
got = sorted(json.loads(l)["record"]["id"] for l in open(d + "/records.jsonl") if json.loads(l)["record"]["kind"] == "incident")
assert got == want, (got, want)
PY
    ok
}
check_dossier 1 "$b0" "$b1" "$b2"
expect_in "x1/${file%.tar}/VERIFY.md" "incidents chosen one by one by record id (3 listed in manifest.json, filter.ids)"
check_dossier 2 "$i1" "$i3"

# a changed byte: refused
D=x2/${file%.tar}
cp -r "$D" bad
sed -i 's/incident i1/incident I1/' bad/records.jsonl
run_fails 1 $CONSTAT verify bad --trust trusted.txt
expect_in out "FAIL: records.jsonl: SHA-256"
# an insider holding the organisation key drops one chosen incident and
# signs the manifest again: the list says it was chosen, it is not there
cp -r "$D" short
python3 - short "$i3" <<'PY'
import json, sys
d, drop = sys.argv[1:3]
recs = open(d + "/records.jsonl").read().splitlines(True)
proofs = open(d + "/proofs.jsonl").read().splitlines(True)
keep = [i for i, l in enumerate(recs) if json.loads(l)["record"]["id"] != drop]
assert len(keep) == len(recs) - 1
open(d + "/records.jsonl", "w").write("".join(recs[i] for i in keep))
open(d + "/proofs.jsonl", "w").write("".join(proofs[i] for i in keep))
m = json.load(open(d + "/manifest.json"))
m["records"] = len(keep)
open(d + "/manifest.json", "w").write(json.dumps(m, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
resign_dossier short "$T/L/keys/org.key"
run_fails 1 $CONSTAT verify short --trust trusted.txt
expect_in out "manifest.sig valid"
expect_in out "FAIL: manifest.json: filter.ids["
expect_in out "]: incident \"$i3\" is listed but not in records.jsonl"

# --- the auditor: no download offered, one refused (403)
want=$(python3 - "$a1" "$b1s" "$a2" "$i1" <<'PY'
import json, sys
a1, b1s, a2, i1 = sys.argv[1:5]
print(json.dumps({
    "witnesses": {"wit1.example": {"verified": "true", "size": 12, "when": "2026-11-30T08:00:00Z"},
                  "wit2.example": {"verified": "true", "size": 12, "when": "2026-11-30T08:00:00Z"}},
    "shifts": {a1: [3, 2], b1s: [2, 2], a2: [0, 0]}, "refused": True, "try": [i1]}))
PY
)
run_ok timeout 300 $PY "$SRC/tests/e2e/field_app.py" reviewmore "$URL" audra "auditor pass 1" "$want" "$T/dl"
expect_in out "auditor download: 403 "
expect_in out "role auditor may not POST /api/v1/dossier (allowed: coordinator)"
ls dl >dl.list
expect_eq "$(grep -c . dl.list)" 3 "the two downloads and the browser's folder"

# --- one stored cosignature altered in the vault: shown as not verifying
line=$(vault_sql L "SELECT line FROM cosignatures WHERE witness = 'wit2.example' AND size = 12")
bad=$(python3 -c 'import sys; l = sys.argv[1]; c = l[-10]; print(l[:-10] + ("A" if c != "A" else "B") + l[-9:])' "$line")
vault_sql L "UPDATE cosignatures SET line = '$bad' WHERE witness = 'wit2.example' AND size = 12" >/dev/null
curl -s -b chef.jar -o wit.json "$S/api/v1/witnesses"
python3 - wit.json <<'PY' || fail "an altered cosignature: $(cat wit.json)"
import json, sys
w = {x["name"]: x for x in json.load(open(sys.argv[1]))["witnesses"]}
assert w["wit1.example"]["verified"] is True, w
x = w["wit2.example"]
assert x["verified"] is False and x["cosigned_at"] is None and x["cosigned_size"] == 12, x
assert "does not verify with the witness's key" in x["error"], x
PY
ok
want=$(python3 - "$a1" "$b1s" "$a2" <<'PY'
import json, sys
a1, b1s, a2 = sys.argv[1:4]
print(json.dumps({
    "witnesses": {"wit1.example": {"verified": "true", "size": 12, "when": "2026-11-30T08:00:00Z"},
                  "wit2.example": {"verified": "false", "size": 12}},
    "shifts": {a1: [3, 2], b1s: [2, 2], a2: [0, 0]}, "refused": True, "try": []}))
PY
)
run_ok timeout 300 $PY "$SRC/tests/e2e/field_app.py" reviewmore "$URL" audra "auditor pass 1" "$want" "$T/dl"
expect_in out "witness wit2.example: wit2.example ($kid2) | size 12 | Does NOT verify: the stored cosignature does not verify with the witness's key"

kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
pids=$(echo "$pids" | sed "s/ $spid//")
# the exports, by whom, and the auditor's refusal, in the audit table
run_ok $CONSTAT audit --dir L
expect_eq "$(grep -c " export .*$file: " out)" 2 "two exports audited"
expect_in out "chef                 127.0.0.1       export           $file: 3 incidents chosen by id"
expect_in out "$file: 2 incidents chosen by id"
expect_in out "audra                127.0.0.1       denied           /api/v1/dossier"
done_ok
