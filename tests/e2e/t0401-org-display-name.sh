#!/bin/sh
# constat init --org-name: a display name in any UTF-8 beside the key name
# (docs/vault.md "Display name"): derived key name, shown by init and in the
# report; control and bidirectional characters refused with nothing written;
# --org keeps its rules (no spaces) and may be given beside --org-name.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_PASSPHRASE=

run_ok "$CONSTAT" init --no-passphrase --org-name "Ligue des droits de l'Homme" --origin ldh.example/log --dir v1
expect_in out "organisation: Ligue des droits de l'Homme (key name ligue-des-droits-de-l-homme)"
expect_in out "organisation key: ligue-des-droits-de-l-homme+"
expect_eq "$(cat v1/org-name)" "Ligue des droits de l'Homme" "display name stored"

run_ok "$CONSTAT" init --no-passphrase --org auberge --org-name "Auberge des migrants — Calais" \
    --origin auberge.example/log --dir v2
expect_in out "organisation: Auberge des migrants — Calais (key name auberge)"
run_ok "$CONSTAT" monitor add amina --dir v2
cat > a.json <<'JSON'
{"occurred": {"start": "2026-11-20T07:40:00+01:00", "end": "2026-11-20T09:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"}}
JSON
run_ok "$CONSTAT" record a.json --monitor amina --dir v2
run_ok "$CONSTAT" report --out rep --dir v2
expect_in rep/index.html "Auberge des migrants — Calais (auberge)"

# refused, nothing written: a control character, a bidirectional override,
# a name with nothing to derive a key name from, --org with a space
run_fails 2 "$CONSTAT" init --org-name "$(printf 'LDH\033[2J')" --origin x.example/log --dir v3
expect_in err "control character U+001B at byte 3"
run_fails 2 "$CONSTAT" init --org-name "$(printf 'LDH \342\200\256evil')" --origin x.example/log --dir v3
expect_in err "bidirectional control U+202E"
run_fails 2 "$CONSTAT" init --org-name "مرحبا" --origin x.example/log --dir v3
expect_in err "give --org NAME too"
run_fails 2 "$CONSTAT" init --org "Ligue des droits" --origin x.example/log --dir v3
[ ! -e v3 ] || fail "a refused init wrote v3"
ok

# accented letters are folded into the key name, not dropped
run_ok "$CONSTAT" init --no-passphrase --org-name "Été solidaire" --origin x.example/log --dir v4
expect_in out "ete-solidaire"

done_ok
