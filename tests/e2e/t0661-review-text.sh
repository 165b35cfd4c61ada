#!/bin/sh
# t0661 — the review page shows hostile record text as the CLI does
# (docs/formats.md "Text shown to people"): a record whose place and summary
# hold a right-to-left override, an isolate, C1 and C0 controls is opened in
# headless Chromium (tests/e2e/field_app.py reviewtext) and shown with each
# made visible (<U+202E>, \x7f ...), never raw; web/js/text.js against cases
# worked out from that table. Skipped (77) without chromium, chromedriver or
# python3-selenium.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW

need_browser t0661

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor add alice --dir v
python3 - > hostile.json <<'PY'
import json
print(json.dumps({
    "occurred": {"start": "2026-11-29T07:40:00+01:00", "end": "2026-11-29T08:00:00+01:00",
                 "precision": "minute"},
    "place": {"name": "photo gpj\u202eexe.jpg \u2066x\u2069", "commune": "Calais", "country": "France"},
    "categories": ["eviction"],
    "source": {"type": "direct_observation"},
    "summary": "C1 \x85 DEL \x7f ESC \x1b[31m red"}))
PY
run_ok $CONSTAT record hostile.json --monitor alice --dir v
id=$(sed -n 's/^record \([^ ]*\).*/\1/p' out | head -1)
[ -n "$id" ] || { cat out; fail "no record id"; }
ok
# the CLI shows it escaped too (the same table)
run_ok $CONSTAT show "$id" --dir v
expect_in out "gpj<U+202E>exe.jpg"

$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
run_ok timeout 120 $PY "$SRC/tests/e2e/field_app.py" reviewtext "http://127.0.0.1:$(cat port)" chef \
    "chef password 1" "$id"
expect_in out "reviewtext: 6 cases; record $id shown with its controls visible"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
done_ok
