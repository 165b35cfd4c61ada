#!/bin/sh
# A report folder written again: `report --public` into a folder that holds a
# full report must not leave the full report's incident list there (a public
# folder holding incidents.csv would publish what disclosure control
# withholds), and the folders meant for publishing are readable by others
# (a web server running as another user), whatever constat's own umask.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"

run_ok $CONSTAT init --no-passphrase --org o-test --origin t.example/log
run_ok $CONSTAT monitor add alice
for n in 1 2 3 4 5 6; do incident $n '{"name": "Gare de Calais"}'; done
run_ok $CONSTAT checkpoint
run_ok $CONSTAT report --out r
[ -f r/incidents.csv ] || fail "the full report has no incidents.csv"
[ "$(wc -l < r/incidents.csv)" -eq 7 ] || fail "the full report lists $(wc -l < r/incidents.csv) lines, not a header and 6 incidents"

# the public report refuses a folder holding a full report, names the file, leaves it as it was
before=$(cd r && find . -type f | sort | xargs sha256sum)
run_fails 2 $CONSTAT report --public --out r
expect_in err "index.html"
expect_in err "holds a full report"
after=$(cd r && find . -type f | sort | xargs sha256sum)
[ "$before" = "$after" ] || fail "the refused public report changed the folder"

# into a fresh folder: published files are world-readable (0644 / 0755)
umask 022
run_ok $CONSTAT report --public --out pub
[ "$(wc -l < pub/incidents.csv)" -le 1 ] || fail "a public report lists incidents"
! ls pub/incidents-*.html >/dev/null 2>&1 || fail "a public report wrote incident pages"
mode=$(stat -c %a pub); [ "$mode" = 755 ] || fail "public report folder mode $mode, not 755"
mode=$(stat -c %a pub/figures.json); [ "$mode" = 644 ] || fail "figures.json mode $mode, not 644"
mode=$(stat -c %a pub/index.html); [ "$mode" = 644 ] || fail "index.html mode $mode, not 644"
mode=$(stat -c %a pub/keys/log.vkey); [ "$mode" = 644 ] || fail "keys/log.vkey mode $mode, not 644"
bad=$(find pub \( -type f ! -perm -0044 \) -o \( -type d ! -perm -0055 \))
[ -z "$bad" ] || fail "not readable by others: $bad"
run_ok $CONSTAT verify pub
# a public report written again over itself is fine
run_ok $CONSTAT report --public --out pub

# and a full report over a public one is refused too (meta.json would say "public")
run_fails 2 $CONSTAT report --out pub
expect_in err "holds a public report"
# tiles are published too
run_ok $CONSTAT tiles export tiles
bad=$(find tiles \( -type f ! -perm -0044 \) -o \( -type d ! -perm -0055 \))
[ -z "$bad" ] || fail "tiles not readable by others: $bad"
done_ok
