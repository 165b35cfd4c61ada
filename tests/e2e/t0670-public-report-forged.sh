#!/bin/sh
# constat verify PUBLIC_REPORT_DIR [--trust FILE] (docs/indicators.md "What a
# public report proves"): the checkpoint meta.json cites must be signed by
# the log key (pinned by --trust, else the report's own keys/log.vkey, and
# the output says which) and name the tree size and origin meta.json and
# index.html show; the pages must re-render from figures.json; the output
# says that the figures themselves cannot be recounted.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor m1
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --public --out pub
[ -s pub/keys/log.vkey ] || fail "the public report carries the log key"
run_ok $CONSTAT keys
cp out trust.txt
run_ok $CONSTAT verify pub --trust trust.txt
expect_in out "log key: pinned by --trust"
expect_in out "its figures cannot be recounted from the log"
expect_in out "VERIFIED: the public report obeys the k it declares"
run_ok $CONSTAT verify pub
expect_in out "log key: the public report's own keys/log.vkey (not pinned"
run_ok $CONSTAT verify pub --trust trust.txt --json
expect_in out '"log_key":"pinned by --trust"'
ok

# 1. the checkpoint signature changed (one byte of the base64 signature)
cp -r pub sig
python3 - sig/meta.json <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
note = m["checkpoint"]
body, sigs = note.split("\n\n", 1)
line = sigs.split("\n")[0]
head, b64 = line.rsplit(" ", 1)
i = len(b64) // 2
b64 = b64[:i] + ("A" if b64[i] != "A" else "B") + b64[i + 1:]
m["checkpoint"] = body + "\n\n" + head + " " + b64 + "\n" + "\n".join(sigs.split("\n")[1:])
open(p, "w").write(json.dumps(m, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
run_fails 1 $CONSTAT verify sig --trust trust.txt
expect_in out 'FAIL: meta.json: field "checkpoint": the checkpoint signature does not verify with the log key pinned by --trust'
expect_in out "NOT VERIFIED"
ok

# 2. tree size claimed larger in meta.json and index.html (the page still
# re-renders: the check against the signed checkpoint catches it)
cp -r pub size
TS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tree_size"])' pub/meta.json)
[ "$TS" -eq 171 ] || fail "171 leaves: 1 enrolment and 170 incidents, got $TS"
python3 - size/meta.json <<'PY'
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m["tree_size"] = 999
open(p, "w").write(json.dumps(m, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
grep -q '171' size/index.html || fail "index.html shows the tree size"
sed -i 's/\b171\b/999/g' size/index.html
run_fails 1 $CONSTAT verify size --trust trust.txt
expect_in out 'FAIL: meta.json: field "tree_size": the public report declares 999, the signed checkpoint is of tree size 171'
ok

# 3. the whole checkpoint re-signed with another log key: caught by the
# pinned key (not by the report's own copy, which the forger replaced)
run_ok $CONSTAT init --no-passphrase --org observatoire-test --origin test.example/obs/log --dir other
run_ok $CONSTAT monitor add m1 --dir other
run_ok $CONSTAT import "$SRC/data/demo/incidents_public.csv" --monitor m1 --dir other
run_ok $CONSTAT checkpoint --dir other
run_ok $CONSTAT report --public --out opub --dir other
cp -r pub resigned
python3 - resigned/meta.json opub/meta.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); o = json.load(open(sys.argv[2]))
m["checkpoint"] = o["checkpoint"]
open(sys.argv[1], "w").write(json.dumps(m, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
cp opub/keys/log.vkey resigned/keys/log.vkey
run_fails 1 $CONSTAT verify resigned --trust trust.txt
expect_in out "FAIL: keys/log.vkey: the public report's log key is not the one pinned in trust.txt line"
expect_in out 'FAIL: meta.json: field "checkpoint": the checkpoint signature does not verify'
ok

# 4. a figure changed in figures.json only, then in its CSV too: the pages
# no longer re-render, and the line names the public report
cp -r pub fig
python3 - fig/figures.json <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
f = [f for f in d["figures"] if f["id"] == "incidents_by_country"][0]
f["rows"][0]["value"] += 7
open(p, "w").write(json.dumps(d, separators=(",", ":"), sort_keys=True, ensure_ascii=False))
PY
run_fails 1 $CONSTAT verify fig --trust trust.txt
expect_in out "FAIL: figures/incidents_by_country.csv: line 2"
expect_in out "the public report has"
expect_not_in out "the dossier"
ok

# 5. a file the pages do not make, at the top or in a folder: no check
# vouches for it; a PDF printed from index.html is named as not checked
cp -r pub extra
printf '<p>forged</p>\n' >extra/summary.html
printf 'x,1\n' >extra/figures/forged.csv
run_fails 1 $CONSTAT verify extra --trust trust.txt
expect_in out "FAIL: summary.html: is not part of the report rendered from the verified figures"
expect_in out "FAIL: figures/forged.csv: is not part of the report rendered from the verified figures"
cp -r pub pdf
printf '%%PDF-1.4\n' >pdf/report.pdf
run_ok $CONSTAT verify pdf --trust trust.txt
expect_in out "not checked: report.pdf"
expect_in out "VERIFIED"
run_ok $CONSTAT verify pdf --trust trust.txt --json
expect_in out '"not_checked":["report.pdf"]'
# a report.pdf that is not a file, and an empty folder, are refused too
for kind in link fifo dir; do
    rm -rf pdf-$kind && cp -r pub pdf-$kind
    case $kind in
    link) ln -s / pdf-$kind/report.pdf ;;
    fifo) mkfifo pdf-$kind/report.pdf ;;
    dir) mkdir pdf-$kind/report.pdf ;;
    esac
    run_fails 1 timeout 20 $CONSTAT verify pdf-$kind --trust trust.txt
    expect_in out "FAIL: report.pdf: not a regular file"
    expect_not_in out "not checked: report.pdf"
done
cp -r pub emptydir
mkdir -p emptydir/a/b
run_fails 1 $CONSTAT verify emptydir --trust trust.txt
expect_in out "FAIL: a/b/: is not part of the report rendered from the verified figures"
ok

# a full report folder is named as one, not as an unknown folder
run_ok $CONSTAT report --out full
run_fails 2 $CONSTAT verify full
expect_in err "a full report folder"
expect_in err "verify the dossier"

# a malformed trust file: refused before any check, naming the line
printf 'log not-a-key\n' >bad-trust.txt
run_fails 2 $CONSTAT verify pub --trust bad-trust.txt
expect_in err "trust file bad-trust.txt line 1"
done_ok
