#!/bin/sh
# Bad CSV input: each case gets a clear error naming line (and column), a
# non-zero exit, and the vault stays byte-for-byte as it was. CRLF line ends,
# a UTF-8 BOM and a duplicated row are handled, not refused.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
csv="$SRC/data/demo/incidents_public.csv"
head -n 1 "$csv" > header.csv
sed -n 2,4p "$csv" > rows.csv

run_ok $CONSTAT init --no-passphrase --org obs-test --origin test.example/obs/log
run_ok $CONSTAT monitor add m1
run_ok $CONSTAT import "$csv" --monitor m1
before=$(vault_digest v)

must_refuse() { # FILE TEXT...
    f=$1
    shift
    run_fails 2 $CONSTAT import "$f" --monitor m1
    for t in "$@"; do expect_in err "$t"; done
    expect_in err "$f"
    expect_eq "$(vault_digest v)" "$before" "vault unchanged after $f"
}

# wrong column count on line 3
{ cat header.csv; sed -n 1p rows.csv; sed -n 2p rows.csv | sed 's/,[^,]*$//'; } > cols.csv
must_refuse cols.csv "line 3" "columns"
# a date that does not exist
{ cat header.csv; sed -n 1p rows.csv | sed 's/,2013-09-05,/,2013-02-30,/'; } > date.csv
must_refuse date.csv "line 2" "date"
# unknown category
{ cat header.csv; sed -n 1p rows.csv | sed 's/,eviction,/,evictoin,/'; } > cat.csv
must_refuse cat.csv "line 2" "evictoin"
# invalid UTF-8
{ cat header.csv; sed -n 1p rows.csv | sed 's/Mouron/Mour\xff\xfeon/'; } > utf8.csv
must_refuse utf8.csv "line 2" "UTF-8"
# a 10 MB line
{ cat header.csv; python3 -c 'import sys; sys.stdout.write("x" * (10 * 1024 * 1024) + "\n")'; } > big.csv
must_refuse big.csv "line 2"
# an empty file
: > empty.csv
must_refuse empty.csv "empty"
# a header that is not ours
{ echo "date,place"; cat rows.csv; } > header2.csv
must_refuse header2.csv "line 1"
# unterminated quote
{ cat header.csv; printf 'X-1,"https://example.org,2020-01-01\n'; } > quote.csv
must_refuse quote.csv "line 2"
# bad item count
{ cat header.csv; sed -n 1p rows.csv | sed 's/,Police nationale,,unknown,,,/,Police nationale,,unknown,,tents:many,/'; } > items.csv
must_refuse items.csv "line 2" "items"

# Handled, not refused: CRLF, BOM, a duplicated row. A new vault each, so
# the content is new and counted.
run_ok $CONSTAT init --no-passphrase --org obs-test2 --origin test.example/obs2/log --dir w
run_ok $CONSTAT monitor add m1 --dir w
{ cat header.csv rows.csv; } | sed 's/$/\r/' > crlf.csv
run_ok $CONSTAT import crlf.csv --monitor m1 --dir w
expect_in out "3 records signed"
{ printf '\357\273\277'; cat header.csv rows.csv; sed -n 1p rows.csv; } > bom-dup.csv
run_ok $CONSTAT import bom-dup.csv --monitor m1 --dir w
expect_in out "duplicate row"
expect_in out "already in the log"
# CRLF import produced the same records as LF: no new leaves
run_ok $CONSTAT log --dir w --kind incident
expect_in err "3 record(s)"
done_ok
