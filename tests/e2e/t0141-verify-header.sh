#!/bin/sh
# t0141-verify-header.sh — `constat verify` prints its header (what is
# verified: the dossier or vault, origin, size, keys) before the per-record
# lines (failures, proven times), then the summary and the verdict.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/v

run_ok $CONSTAT init --no-passphrase --org hro --origin hro.example/log
run_ok $CONSTAT monitor add amina
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina
run_ok $CONSTAT checkpoint
run_ok $CONSTAT dossier --out d

# line number of the first line of FILE matching the fixed string TEXT (0: none)
line_of() {
    n=$(grep -nF -- "$2" "$1" | head -1 | cut -d: -f1)
    echo "${n:-0}"
}

# a sound dossier: the header comes first
run_ok $CONSTAT verify d
expect_eq "$(line_of out 'dossier d')" 1 "the dossier line is the first"
expect_eq "$(line_of out '  checkpoint: hro.example/log, size 2, root ')" 2 "checkpoint line"
expect_eq "$(line_of out '  log key:          hro.example/log+')" 3 "log key line"
expect_eq "$(line_of out '  organisation key: hro+')" 5 "organisation key line"
expect_in out "  monitor amina: key held by the organisation"
# the verdict closes the output: the key-custody lines come before it
[ "$(line_of out '  monitor amina: key held')" -lt "$(line_of out 'VERIFIED')" ] ||
    { cat out >&2; fail "key custody printed after the verdict"; }

# a changed record: its failure lines come after the header, before the summary
cp -R d bad
chmod -R u+w bad
sed -i 's/"summary":"Eviction/"summary":"Changed/' bad/records.jsonl
run_fails 1 $CONSTAT verify bad
head_end=$(line_of out '  organisation key: hro+')
first_fail=$(line_of out 'FAIL: ')
records=$(line_of out '  records: ')
verdict=$(line_of out 'NOT VERIFIED: ')
[ "$head_end" -gt 0 ] && [ "$first_fail" -gt 0 ] || { cat out >&2; fail "header and failures"; }
[ "$(line_of out 'dossier bad')" -eq 1 ] || { cat out >&2; fail "dossier line not first"; }
[ "$(line_of out '  checkpoint: hro.example/log, size 2')" -lt "$first_fail" ] ||
    { cat out >&2; fail "checkpoint after the failures"; }
[ "$head_end" -lt "$first_fail" ] || { cat out >&2; fail "keys after the failures"; }
[ "$first_fail" -lt "$records" ] && [ "$records" -lt "$verdict" ] ||
    { cat out >&2; fail "failures not between header and summary"; }
expect_in out "FAIL: leaf 1 (record inc-"
ok

# a vault: its header (origin, size, log key) first, then failures, then the verdict
run_ok $CONSTAT verify v
expect_eq "$(line_of out 'vault v: log hro.example/log, 2 leaves, log key hro.example/log+')" 1 \
    "vault header"
expect_eq "$(line_of out '  monitor amina (enrolment leaf 0): key held by the organisation')" 2 \
    "the monitor's key custody under the header"
# the verdict is the last line, after the key-custody lines
expect_eq "$(tail -n 1 out | cut -c1-60)" \
    "vault v: every leaf, tile, checkpoint and signature verified" "vault verdict last"
# lose an evidence file: its failure comes under the header
printf 'photo' > p.txt
id=$(sed -n 's/.*"id":"\(inc-[0-9a-f]*\)".*/\1/p' d/records.jsonl | head -1)
run_ok $CONSTAT attach "$id" p.txt --monitor amina
find v/evidence/sha256 -type f -exec chmod u+w {} \; -exec sh -c 'printf x >> "$1"' _ {} \;
run_fails 1 $CONSTAT verify v
expect_eq "$(line_of out 'vault v: log hro.example/log, 3 leaves')" 1 "vault header first"
[ "$(line_of out 'FAIL: leaf 2 (record ev-')" -eq 2 ] || { cat out >&2; fail "failure under the header"; }
expect_in out "vault v: 1 check(s) FAILED"
expect_eq "$(tail -n 1 out)" "vault v: 1 check(s) FAILED" "vault verdict last when failing"
echo "t0141: $checks checks"
