#!/bin/sh
# Erasure (crypto-shredding): an incident's private values, salts and
# evidence file are destroyed in the transaction that logs an erasure
# record signed by the organisation key; its leaf stays, so the old inclusion proof and checkpoint still
# verify, verify VAULT and the dossier pass, log/show mark it erased and the
# figures keep counting it (unless --exclude-from-figures). Bad input:
# unknown record, a kind that is not erased; kill -9 inside the transaction
# (nothing done) and after the commit (finished by running erase again).
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
mk() { # mk ID NARRATIVE CONTACT DAY
    cat > "$1.json" <<JSON
{"id": "$1",
 "occurred": {"start": "2026-11-$4T07:40:00+01:00", "end": "2026-11-$4T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotieres", "commune": "Calais", "country": "France"},
 "categories": ["eviction"], "source": {"type": "direct_observation"},
 "private": {"narrative": "$2", "witness_contact": "$3"}}
JSON
}
mk inc-a "Narrative-A-7781 tents taken" "contact-A-+33611" 28
mk inc-b "Narrative-B-5512" "contact-B-+33722" 27
mk inc-c "Narrative-C-9034" "contact-C-+33833" 26
printf 'PHOTO-A-BYTES-4417\n' > a.jpg
printf 'PHOTO-SHARED-BYTES-2290\n' > shared.jpg
printf 'PHOTO-C-BYTES-6021\n' > c.jpg
run_ok $CONSTAT record inc-a.json --monitor alice --dir v --attach a.jpg --attach shared.jpg
run_ok $CONSTAT record inc-b.json --monitor alice --dir v --attach shared.jpg
run_ok $CONSTAT record inc-c.json --monitor alice --dir v --attach c.jpg
run_ok $CONSTAT checkpoint --dir v
cp out cp-before
size=$($CONSTAT log --dir v 2>&1 >/dev/null | sed -n 's/^\([0-9]*\) record(s)$/\1/p')
run_ok $CONSTAT prove inclusion 1 --size "$size" --dir v
cp out proof-before

# bad input: nothing changed
before=$(vault_digest v)
run_fails 2 $CONSTAT erase inc-zz --reason "asked" --dir v
expect_in err "record \"inc-zz\" is not in the log; nothing erased"
run_fails 2 $CONSTAT erase enrol:alice --reason "asked" --dir v
expect_in err "only incident and evidence records are erased"
run_fails 2 $CONSTAT erase inc-a --reason "" --dir v
expect_in err "reason"
run_fails 2 $CONSTAT erase inc-a --dir v
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused erasures"

# kill -9 inside the transaction: nothing erased, nothing logged
set +e
CONSTAT_TEST_ERASE_KILL=txn $CONSTAT erase inc-a --reason "asked" --dir v \
    >out 2>err
got=$?
set -e
expect_eq "$got" 137 "erase killed by SIGKILL inside its transaction"
run_ok $CONSTAT log --dir v
expect_not_in out "erasure"
run_ok $CONSTAT show inc-a --private --dir v
expect_in out "Narrative-A-7781"
run_ok $CONSTAT verify v

# the erasure itself
run_ok $CONSTAT erase inc-a --reason "the person asked" --dir v
expect_in out "erased incident inc-a (leaf 1): erasure record at leaf $size, signed by the organisation key"
expect_in out "3 private value row(s) and 1 evidence file(s) destroyed"
# nothing of inc-a left anywhere in the vault folder; the shared file stays
for s in "Narrative-A-7781" "contact-A-+33611" "PHOTO-A-BYTES-4417"; do
    if grep -rqaF -- "$s" v; then fail "'$s' is still in the vault folder after erase"; fi
    ok
done
# (files are sealed at rest, so the shared one is found by its hash, then
# re-hashed by verify VAULT, which opens it with the passphrase)
stored() { # stored FILE: the path of FILE's copy in the evidence store
    h=$(sha256sum "$1" | cut -c1-64)
    echo "v/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h"
}
[ -f "$(stored shared.jpg)" ] || fail "a file inc-b also binds was shredded"
[ ! -e "$(stored a.jpg)" ] || fail "inc-a's stored (sealed) file survived the erase"
ok
run_ok $CONSTAT show inc-b --private --dir v
expect_in out "Narrative-B-5512"
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"
# the old proof and checkpoint are unchanged and still lead to the new tree
run_ok $CONSTAT prove inclusion 1 --size "$size" --dir v
expect_eq "$(cat out)" "$(cat proof-before)" "inclusion proof of the erased leaf"
run_ok $CONSTAT prove consistency "$size" $((size + 1)) --dir v
run_ok $CONSTAT log --dir v
expect_in out "inc-a"
expect_in out "(erased by leaf $size (private values, salts and evidence files destroyed))"
expect_in out "reason: the person asked"
run_ok $CONSTAT show inc-a --private --dir v
expect_in out "ERASED: erased by leaf $size"
expect_in out "no private values"
run_fails 2 $CONSTAT disclose inc-a --fields narrative --clear --out dis --dir v
expect_in err "holds no value for it (erased?)"
# dossier: carries the erasure, verifies, and still counts inc-a
run_ok $CONSTAT dossier --out d --with-evidence --dir v
run_ok $CONSTAT verify d
expect_in out "VERIFIED"
expect_in d/records.jsonl '"kind":"erasure"'
# the coordinator erases: the erasure leaf is signed by the organisation key,
# and names the erased record's author
orgkid=$($CONSTAT keys --dir v | sed -n 's/^org \(hro-test+[0-9a-f]*\)+.*/\1/p')
[ -n "$orgkid" ] || fail "no org key id"
grep '"kind":"erasure"' d/records.jsonl > erasure.line
expect_in erasure.line "\"key_id\":\"$orgkid\""
expect_in erasure.line '"monitor":"alice"'
# the dossier's report marks inc-a erased, and says it is still counted
expect_in d/report/index.html "inc-a<br><small class=\"erased\">effacé <span class=\"en\">/ erased</span> (feuille <span class=\"en\">/ leaf</span> $size)</small>"
expect_in d/report/index.html "Of which 1 erased (marked \"erased\")"
expect_in d/report/index.html "are still counted in the figures"
expect_not_in d/report/index.html "inc-b<br><small"
run_ok $CONSTAT report --out rep --dir v
expect_in rep/index.html "inc-a<br><small class=\"erased\">effacé"
run_ok $CONSTAT show "$(sed -n 's/.*"id":"\(erasure-[0-9a-f]*\)".*/\1/p' erasure.line)" --dir v
expect_in out "signed by $orgkid: valid (key $orgkid)"
# the old spelling still runs, saying --monitor is not used any more
run_ok $CONSTAT erase inc-a --reason "again" --monitor alice --dir v
expect_in err "--monitor is no longer used"
python3 - d/figures.json 3 <<'PY' || fail "incidents_total of the dossier"
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["figures"]}
sys.exit(0 if f["incidents_total"]["rows"][0]["value"] == int(sys.argv[2]) else 1)
PY
ok
# again: already erased, nothing new logged
run_ok $CONSTAT erase inc-a --reason "again" --dir v
expect_in out "was already erased by leaf $size; finished: 0 private value row(s) and 0"

# kill -9 after the commit, before the files: erase again finishes
set +e
CONSTAT_TEST_ERASE_KILL=files $CONSTAT erase inc-c --reason "asked" --exclude-from-figures \
    --dir v >out 2>err
got=$?
set -e
expect_eq "$got" 137 "erase killed by SIGKILL after its commit"
run_ok $CONSTAT show inc-c --private --dir v
expect_in out "no private values"
[ -f "$(stored c.jpg)" ] || fail "the kill came before the shredding"
ok
run_ok $CONSTAT verify v
run_ok $CONSTAT erase inc-c --reason "asked" --dir v
expect_in out "was already erased by leaf $((size + 1)); finished: 0 private value row(s) and 1 evidence file(s)"
if grep -rqaF "PHOTO-C-BYTES-6021" v; then fail "inc-c's file survived the finished erase"; fi
[ ! -e "$(stored c.jpg)" ] || fail "inc-c's stored (sealed) file survived the finished erase"
ok
# --exclude-from-figures: inc-c leaves the figures, inc-a (kept) does not
run_ok $CONSTAT dossier --out d2 --dir v
run_ok $CONSTAT verify d2
# inc-c is left out of the list as it is of the figures; inc-a is still marked
expect_not_in d2/report/index.html ">inc-c<"
expect_in d2/report/index.html "Of which 1 erased"
python3 - d2/figures.json 2 <<'PY' || fail "incidents_total after an excluding erasure"
import json, sys
f = {x["id"]: x for x in json.load(open(sys.argv[1]))["figures"]}
sys.exit(0 if f["incidents_total"]["rows"][0]["value"] == int(sys.argv[2]) else 1)
PY
ok
done_ok
