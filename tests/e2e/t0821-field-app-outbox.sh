#!/bin/sh
# t0821 — the monitor's web app beyond the first flow (docs/field-app.md),
# in headless Chromium at 360 px (tests/e2e/field_app_form.py): a draft
# survives a reload; a record the server refuses is edited and queued again
# in its place, or removed; a video goes by the resumable upload API and the
# app resumes at the offset the server received; the outbox's new buttons
# fit 360 px in Arabic; the PIN counter warns after 5 wrong PINs and wipes
# the device at 10. Then, on the server side: the edited record and the
# video's evidence are logged, the video was sent in chunks from the offset
# (no chunk twice), and the stored file is the video. Skipped (77) without
# chromium, chromedriver or python3-selenium.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
unset CONSTAT_NOW # the browser writes records at its own clock

need_browser t0821
export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code=$(sed -n 's/^enrolment code for monitor amina: //p' out)
# a 2.5 MiB "video": an MP4 header, then bytes that do not compress
python3 -c '
import hashlib, struct
out = bytearray(struct.pack(">I", 24) + b"ftypisom" + b"\0\0\2\0" + b"isomiso2")
i = 0
while len(out) < 2621440:
    out += hashlib.sha256(b"frame %d" % i).digest(); i += 1
open("video.mp4", "wb").write(bytes(out[:2621440]))'
vh=$(sha256sum video.mp4 | cut -c1-64)

$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT
wait_port port serve.log
run_ok timeout 300 $PY "$SRC/tests/e2e/field_app_form.py" "http://127.0.0.1:$(cat port)" "$code" amina \
    "amina password 1" "$T/video.mp4" "$T"
expect_in out "form: draft kept, refused record edited and logged, one removed, upload resumed"
kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT

python3 - "$vh" <<'PY' || fail "form.json"
import json, sys
r = json.load(open("form.json"))
assert r["upload"]["offset"] == 1048576 and r["upload"]["size"] == 2621440, r["upload"]
assert r["upload"]["sha256"] == sys.argv[1], (r["upload"], sys.argv[1])
assert r["warning"] == "Wrong PIN. 5 attempts left before this device is wiped.", r["warning"]
assert "Refused: categories" in r["refusal"] and "no_such_category" in r["refusal"], r["refusal"]
print(r["edited_id"]); print(r["video_record"])
PY
ok
uid=$(python3 -c 'import json; print(json.load(open("form.json"))["upload"]["id"])')
# the chunks: 0 by the test, then the app from 1 MiB on (2 chunks), none twice
expect_eq "$(grep -c "PUT /api/v1/uploads/$uid -> 200" serve.log)" 3 "three chunks of the video"
expect_eq "$(grep -c "PUT /api/v1/uploads/$uid -> 409" serve.log)" 0 "no chunk at a wrong offset"
expect_in serve.log "GET /api/v1/uploads/$uid -> 200"
expect_in serve.log "POST /api/v1/uploads/$uid/finish -> 201"
# the edited record and the video's are logged; the stored file is the video
edited=$(python3 -c 'import json; print(json.load(open("form.json"))["edited_id"])')
video=$(python3 -c 'import json; print(json.load(open("form.json"))["video_record"])')
run_ok $CONSTAT log --dir v --json
expect_in out "$edited"
expect_in out "$video"
expect_not_in out "no_such_category"
run_ok $CONSTAT show "$video" --dir v
expect_in out "$vh"
# the record edited after a refusal without typing its private values
# again: the vault opens the narrative and the person sealed on the device
kept=$(python3 -c 'import json; print(json.load(open("form.json"))["sealed_kept_id"])')
run_ok $CONSTAT show "$kept" --private --dir v
expect_in out "narrative typed once"
expect_in out "edited, sealed values kept"
run_ok $CONSTAT audit --dir v --json
expect_in out "upload_open"
expect_in out "\"evidence_upload\""
run_ok $CONSTAT verify v
expect_in out "every evidence file re-hashed"
done_ok
