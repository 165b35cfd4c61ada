#!/bin/sh
# t0733 — the phone app follows `keys rotate --org` from the key it pinned
# at enrolment (docs/api.md "Key transitions", web/js/orgkey.js), in
# headless Chromium (tests/e2e/field_app_rotation.py): a record sealed to
# the previous key is refused on the device and comes back to be typed
# again; records sealed after the transition, and the one typed again, are
# logged and their narratives open in the vault; a device whose pinned key
# the transitions do not start from sends nothing. Skipped (77) without
# chromium, chromedriver or python3-selenium.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW # the browser writes records at its own clock

need_browser t0733
export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)

run_ok timeout 300 $PY "$SRC/tests/e2e/field_app_rotation.py" "$CONSTAT" "$T/v" "$code" amina \
    "amina password 1" "$T"
expect_in out "rotation: followed from the pinned key"
ids=$(python3 -c 'import json; print(" ".join(json.load(open("rotation.json"))["records"]))')
set -- $ids
[ $# -eq 4 ] || fail "four records logged: $ids"
for id in "$@"; do
    run_ok $CONSTAT show "$id" --private --dir v
    cat out >> shown.txt
done
expect_in shown.txt "NARR-A-1101"
expect_in shown.txt "NARR-C-3303"
expect_in shown.txt "NARR-B-AGAIN-4404"
expect_in shown.txt "NARR-E-6606"
expect_not_in shown.txt "NARR-B-2202"
run_ok $CONSTAT verify v
done_ok
