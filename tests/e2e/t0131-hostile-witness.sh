#!/bin/sh
# A witness whose key name holds a right-to-left override (U+202E: key names
# may hold any non-space, non-control character) is shown escaped wherever
# constat prints it: `publish witnesses`, `publish`, the dossier's VERIFY.md
# and `verify --witness-policy` (docs/formats.md, "Text shown to people").
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="hostile witness test"
pid=""
cleanup() {
    [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
    [ -z "$pid" ] || wait "$pid" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
rlo=$(printf '\342\200\256')
wname="wit${rlo}elpmaxe"

run_ok $CONSTAT init --org log.example --origin log.example/log --dir L
logkey=$($CONSTAT keys --dir L | sed -n 's/^log //p')
run_ok $CONSTAT init --org "$wname" --origin wit.example/log --dir W
run_ok $CONSTAT witness init --dir W
expect_in out "# witness key of wit<U+202E>elpmaxe:"
run_ok $CONSTAT witness key --dir W
expect_in out "wit<U+202E>elpmaxe+"
vkey=$($CONSTAT witness key --dir W | sed -n 1p)
# the printed key is escaped: the real one is read from the escaped form back
vkey=$(printf '%s' "$vkey" | sed "s/<U+202E>/$rlo/")
run_ok $CONSTAT witness add-log log.example/log "$logkey" --dir W
$CONSTAT witness serve --listen 127.0.0.1:0 --port-file W.port --dir W >W.serve.out 2>W.serve.log &
pid=$!
i=0
while [ ! -s W.port ]; do
    i=$((i + 1))
    [ $i -le 100 ] || { cat W.serve.log >&2; fail "witness server did not start"; }
    sleep 0.05
done
run_ok $CONSTAT publish add "$vkey" "http://127.0.0.1:$(cat W.port)" --dir L
expect_in out "added witness wit<U+202E>elpmaxe"
run_ok $CONSTAT publish witnesses --dir L
expect_in out "wit<U+202E>elpmaxe+"
expect_not_in out "$rlo"
run_ok $CONSTAT monitor add alice --dir L
cat > inc.json <<'JSON'
{
  "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
               "precision": "minute"},
  "place": {"name": "Calais", "country": "France"},
  "categories": ["eviction"],
  "source": {"type": "direct_observation"}
}
JSON
run_ok $CONSTAT record inc.json --monitor alice --dir L
run_ok $CONSTAT publish --dir L
expect_in out "wit<U+202E>elpmaxe: cosigned size 2"
expect_not_in out "$rlo"

run_ok $CONSTAT dossier --out D --dir L
expect_in D/checkpoint "— $wname "
expect_in D/VERIFY.md "- wit<U+202E>elpmaxe, at 2026-"
expect_not_in D/VERIFY.md "$rlo"
echo "witness $wname $vkey" >policy.txt
run_ok $CONSTAT verify D --witness-policy policy.txt
expect_in out "    wit<U+202E>elpmaxe: cosigned at 2026-"
expect_not_in out "$rlo"

done_ok
