#!/bin/sh
# Findings of a review, each checked as a user meets it: a negative leaf
# index or one past the log is named as such (not getopt's "invalid option
# -- '1'"); `verify` of a path that does not exist or is a file says so; the
# summaries say "1 monitor enrolment"; a control character in a record never
# reaches incidents.csv raw; `witness serve` escapes the request's text in
# its log lines (path and method are the client's).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/v
pid=""
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT

run_ok $CONSTAT init --no-passphrase --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina
esc=$(printf '\033')
rlo=$(printf '\342\200\256')
# a summary with ESC [ 2 J (clear screen), BEL and a right-to-left override,
# as JSON escapes: the record holds the raw characters
cat > inc.json <<'JSON'
{"occurred": {"start": "2026-11-20T07:40:00+01:00", "end": "2026-11-20T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais\u001b[2J\u0007 quai", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "affected": {"count": 3},
 "source": {"type": "direct_observation"},
 "summary": "cleared\u202egpj.exe"}
JSON
run_ok $CONSTAT record inc.json --monitor amina
expect_in out "leaf index 1"

# prove: negative and past-the-end indexes
run_fails 2 $CONSTAT prove inclusion -1
expect_in err "'-1' is negative: leaf indexes and tree sizes are non-negative integers (the first leaf is 0)"
expect_not_in err "invalid option"
run_fails 2 $CONSTAT prove consistency -2 2
expect_in err "'-2' is negative"
run_fails 2 $CONSTAT prove inclusion 0 --size -5
expect_in err "'-5' is negative"
run_fails 2 $CONSTAT prove inclusion 7
expect_in err "prove inclusion: no leaf 7: the log has 2 leaves (0 to 1)"
run_ok $CONSTAT prove inclusion 1
expect_in out "tree size 2"

# verify: what the path is
run_fails 2 $CONSTAT verify "$T/nonexist"
expect_in err "$T/nonexist: No such file or directory (give a dossier folder or a vault folder)"
expect_not_in err "neither a vault"
run_fails 2 $CONSTAT verify inc.json
expect_in err "inc.json: not a folder: give a dossier folder or a vault folder"
mkdir empty
run_fails 2 $CONSTAT verify empty
expect_in err "empty: neither a vault (no vault.db) nor a dossier"

# one monitor, one incident: singular
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d
expect_in out "2 records (1 incident, 1 monitor enrolment)"
run_ok $CONSTAT verify d
expect_in out "records: 2 (1 incident, 1 monitor enrolment)"

# incidents.csv: the controls spelled out, nothing raw
run_ok $CONSTAT report --out r
expect_in r/incidents.csv 'Calais\x1b[2J\x07 quai'
expect_in r/incidents.csv 'cleared<U+202E>gpj.exe'
expect_not_in r/incidents.csv "$esc"
expect_not_in r/incidents.csv "$rlo"
expect_not_in r/incidents.csv "$(printf '\007')"

# witness serve: the request's path, decoded by the server, is escaped in
# the log line
command -v curl >/dev/null 2>&1 || fail "curl is needed (scripts/install-deps installs it)"
run_ok $CONSTAT init --no-passphrase --org wit.example --origin wit.example/log --dir W
run_ok $CONSTAT witness init --dir W
$CONSTAT witness serve --listen 127.0.0.1:0 --port-file W.port --dir W >W.out 2>W.log &
pid=$!
i=0
while [ ! -s W.port ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { cat W.log >&2; fail "witness server did not start"; }
    sleep 0.05
done
url="http://127.0.0.1:$(cat W.port)"
code=$(curl -s -o resp -w '%{http_code}' "$url/x%1b%5b2J%e2%80%aey")
expect_eq "$code" 404 "unknown path"
code=$(curl -s -o resp -w '%{http_code}' --data-binary "$(printf 'old 1\n\033[2Jforged')" \
    "$url/add-checkpoint")
expect_eq "$code" 400 "malformed body"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
expect_in W.log 'witness: GET /x\x1b[2J<U+202E>y -> 404: no such path'
expect_in W.log 'witness: POST /add-checkpoint -> 400'
expect_not_in W.log "$esc"
expect_not_in W.log "$rlo"
done_ok
