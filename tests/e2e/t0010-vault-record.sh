#!/bin/sh
# A vault from scratch: init with sealed keys, enrol a monitor, record one
# incident with private fields and person identifiers, read the receipt, show
# it, prove it, verify the vault; wrong or missing passphrases are refused.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="correct horse"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
expect_in out "organisation key: hro-test+"
expect_in out "log key:          test.example/hro/log+"
[ "$(stat -c %a v/keys/org.key)" = 600 ] || fail "org.key must be mode 0600"
ok
expect_not_in v/keys/org.key "plain"
run_fails 2 $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
expect_in out "enrolled monitor alice"
run_fails 2 $CONSTAT monitor add alice --dir v
run_ok $CONSTAT monitor list --dir v
expect_in out "alice"

cat > inc.json <<'JSON'
{
  "occurred": {"start": "2026-11-28T07:40:00+01:00", "end": "2026-11-28T09:15:00+01:00",
               "precision": "minute"},
  "place": {"name": "Rue des Verrotières living site", "commune": "Calais",
            "country": "France", "lat_e7": 509510000, "lon_e7": 18580000, "precision_m": 200},
  "categories": ["property_seizure", "eviction", "identity_check"],
  "authority": {"forces": ["CRS", "Police nationale"], "officers": 30,
                "vehicles": [{"kind": "van", "count": 6}]},
  "affected": {"count": 40, "minors": "unknown", "person_identifiers": ["  Ali  HASSAN ", "ali hassan"]},
  "items": [{"kind": "tents", "action": "seized", "count": 12},
            {"kind": "blankets", "action": "seized", "count": null}],
  "source": {"type": "direct_observation"},
  "private": {"narrative": "Observers kept 50 m away; tents taken by the cleaning company.",
              "witness_contact": "+33 6 00 00 00 00"}
}
JSON
run_ok $CONSTAT record inc.json --monitor alice --dir v
expect_in out "leaf index 1"
expect_in out "checkpoint:"
expect_in out "test.example/hro/log"
expect_in out "inclusion proof (leaf 1 in tree of 2"
id=$(sed -n 's/^record //p' out)
[ -n "$id" ] || fail "receipt names no record id"
ok
# names never stored in clear, in the log or anywhere in the vault database
vault_dump v > db.bytes
[ -s db.bytes ] || fail "the vault database is empty"
if grep -qa "HASSAN" db.bytes || grep -qai "ali hassan" db.bytes; then fail "a person's name reached the vault"; fi
ok
run_ok $CONSTAT show "$id" --dir v
expect_in out "valid"
expect_in out "\"p:"
expect_in out "included in the signed checkpoint of size 2"
expect_not_in out "Observers kept"
run_ok $CONSTAT show "$id" --dir v --private
expect_in out "Observers kept 50 m away"
run_ok $CONSTAT show 1 --dir v --json
expect_in out "\"narrative\""
# same record again: its id is already logged, refused (nothing added)
run_fails 2 $CONSTAT record inc.json --monitor alice --dir v
expect_in err "is already logged at leaf 1"
run_ok $CONSTAT log --dir v
expect_in err "2 record(s)"
# unknown category: clear error naming it, vault unchanged
before=$(vault_digest v)
sed 's/"eviction"/"evicton"/' inc.json > bad.json
run_fails 2 $CONSTAT record bad.json --monitor alice --dir v
expect_in err "evicton"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after a bad record"
printf '{"id":"a","id":"b"}' > dup.json
run_fails 2 $CONSTAT record dup.json --monitor alice --dir v
expect_in err "duplicate"
run_fails 2 $CONSTAT record inc.json --monitor mallory --dir v
expect_in err "mallory"
# ids of enrolments are reserved: an incident cannot block a future monitor
sed 's/^{/{"id": "enrol:bob",/' inc.json > steal.json
run_fails 2 $CONSTAT record steal.json --monitor alice --dir v
expect_in err "reserved for monitor enrolments"
# counts beyond 10^9 are typing errors (they would break every sum)
sed 's/"count": 40,/"count": 9007199254740991,/' inc.json > huge.json
run_fails 2 $CONSTAT record huge.json --monitor alice --dir v
expect_in err "affected.count"
# a record larger than a tile entry (64 KiB) is refused, not logged
python3 -c 'import json; r=json.load(open("inc.json")); r["summary"]="x"*70000; json.dump(r, open("big.json","w"))'
run_fails 2 $CONSTAT record big.json --monitor alice --dir v
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused records"
run_ok $CONSTAT checkpoint --dir v
expect_in out "test.example/hro/log"
expect_eq "$(sed -n 2p out)" 2 "checkpoint size line"
run_ok $CONSTAT prove inclusion 0 --dir v
expect_in out "tree size 2"
run_ok $CONSTAT prove consistency 1 2 --dir v
expect_in out "proof (1 hashes)"
run_fails 2 $CONSTAT prove inclusion 5 --dir v
run_ok $CONSTAT verify v
expect_in out "verified"
# sealed keys: wrong passphrase and none at all are refused
CONSTAT_PASSPHRASE=wrong run_fails 3 $CONSTAT log --dir v
expect_in err "passphrase"
# reading needs no passphrase; signing does
(unset CONSTAT_PASSPHRASE; run_ok $CONSTAT log --dir v </dev/null)
(unset CONSTAT_PASSPHRASE; run_ok $CONSTAT keys --dir v </dev/null)
(unset CONSTAT_PASSPHRASE; run_ok $CONSTAT verify v </dev/null)
(unset CONSTAT_PASSPHRASE; run_fails 3 $CONSTAT monitor add bob --dir v </dev/null; expect_in err "sealed")
(unset CONSTAT_PASSPHRASE; run_fails 3 $CONSTAT record inc.json --monitor alice --dir v </dev/null)
done_ok
