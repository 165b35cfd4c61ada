#!/bin/sh
# Sealed at rest (docs/vault.md "Sealed at rest"): every private string and
# evidence file content recorded is absent from every file of the vault
# folder (database, WAL, evidence store, key files), also after a checkpoint
# and a flush of the WAL; reading them back (show --private, a dossier with
# its evidence) works with the passphrase only; a wrong passphrase, a
# tampered or truncated sealed value and a tampered sealed file each give a
# clear error naming the record and field, or the file and chunk; modes are
# 0600/0700; a named recipient gets the data keys of what is sealed after.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

pass="sealed at rest"
export CONSTAT_PASSPHRASE="$pass"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add amina --dir v

# three incidents with private values that must never be on disk in clear
for i in 1 2 3; do
    cat > inc$i.json <<EOF
{"occurred": {"start": "2026-11-0${i}T07:40:00+01:00", "end": "2026-11-0${i}T08:40:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"},
 "private": {"narrative": "PRIVNARR-$i shelter behind the depot at 50.95123 1.85821",
             "witness_contact": "+33 6 11 22 33 4$i"}}
EOF
    run_ok $CONSTAT record inc$i.json --monitor amina --dir v
    rid=$(sed -n 's/^record //p' out)
    eval "id$i=\$rid"
done
# two evidence files: a text with a unique line, and a photograph
printf 'EVIDCONTENT-8841 statement of the person, never in clear on disk\n' > statement.txt
cp "$SRC/data/demo/media/Canon_40D.jpg" "photo-of-the-place.jpg"
run_ok $CONSTAT attach "$id1" statement.txt photo-of-the-place.jpg --monitor amina --dir v
run_ok $CONSTAT checkpoint --dir v

# the strings and contents to look for: every private value, the file names
# (private fields of evidence records), 64-byte pieces of the photo
cat > needles.py <<'PY'
import os, sys
root = sys.argv[1]
needles = [s.encode() for s in sys.argv[3:]]
photo = open(sys.argv[2], 'rb').read()
for off in (0, 4096, len(photo) // 2, len(photo) - 64):
    needles.append(photo[off:off + 64])
# a PostgreSQL dump shows blobs (bytea) as hex: each needle in hex too
needles += [n.hex().encode() for n in list(needles)]
found = []
nfiles = 0
for d, _, names in os.walk(root):
    for n in names:
        p = os.path.join(d, n)
        if os.path.islink(p) or not os.path.isfile(p):
            continue
        nfiles += 1
        data = open(p, 'rb').read()
        for i, s in enumerate(needles):
            if s in data:
                found.append("%s holds needle %d" % (os.path.relpath(p, root), i))
print("searched %d files" % nfiles)
for f in found:
    print("FOUND: " + f)
sys.exit(1 if found else 0)
PY
# the vault folder, and on PostgreSQL every row of the vault's schema
# (vault_dump, into a folder of its own)
look_in() {
    python3 needles.py "$@" > look.out || { cat look.out >&2; fail "a private string or file content is in clear in $1"; }
    if on_pg "$1"; then
        rm -rf dbdump && mkdir dbdump && vault_dump "$1" > dbdump/rows
        shift
        python3 needles.py dbdump "$@" > look.out ||
            { cat look.out >&2; fail "a private string or file content is in clear in the database"; }
    fi
    ok
}
look() {
    look_in "$1" photo-of-the-place.jpg PRIVNARR-1 PRIVNARR-2 PRIVNARR-3 \
        "50.95123" "+33 6 11 22 33 4" EVIDCONTENT-8841 "photo-of-the-place" "statement.txt"
}
# with a WAL still beside the database: a reader holds the database open
# while we look (no checkpoint folds the WAL in); PostgreSQL has no WAL in
# the folder, its rows are searched by look
if on_pg v; then
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina --dir v
look v
else
python3 - v/vault.db > hold.out 2>&1 <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("BEGIN")
db.execute("SELECT count(*) FROM leaves").fetchone()
print("holding", flush=True)
time.sleep(3)
PY
hold=$!
i=0
while ! grep -q holding hold.out 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
run_ok $CONSTAT record "$SRC/data/examples/observation.json" --monitor amina --dir v
[ -s v/vault.db-wal ] || fail "expected a WAL beside the database while a reader holds it"
look v
expect_in look.out "searched"
wait $hold
fi
# after a checkpoint and the WAL folded in
run_ok $CONSTAT checkpoint --dir v
on_pg v || python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_checkpoint(TRUNCATE)')" v/vault.db
look v
# the examples' own private strings too
look_in v photo-of-the-place.jpg "Observers were kept 50 m away" "+33 6 00 00 00 00"

# modes: folders 0700, files 0600, evidence 0400
expect_eq "$(find v -type d ! -perm 0700 | wc -l)" "0" "every vault folder is 0700"
expect_eq "$(find v -type f ! -perm 0600 ! -path 'v/evidence/*' | wc -l)" "0" \
    "every vault file is 0600"
expect_eq "$(find v/evidence -type f ! -perm 0400 | wc -l)" "0" "evidence files are 0400"

# reading back: with the passphrase, in memory
run_ok $CONSTAT show "$id2" --private --dir v
expect_in out "PRIVNARR-2 shelter behind the depot"
run_ok $CONSTAT dossier --out d --with-evidence --dir v
h=$(sha256sum statement.txt | cut -c1-64)
cmp statement.txt "d/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h" \
    || fail "the dossier's evidence file is not the file attached"
ok
run_ok $CONSTAT verify d
run_ok $CONSTAT verify v
expect_in out "every evidence file re-hashed"
# without the passphrase: the public log reads, private values and sealed
# files do not
(unset CONSTAT_PASSPHRASE; run_fails 3 $CONSTAT show "$id2" --private --dir v </dev/null)
(unset CONSTAT_PASSPHRASE; run_ok $CONSTAT verify v </dev/null;
 expect_in out "2 sealed evidence file(s) present but not re-hashed")
CONSTAT_PASSPHRASE=wrong run_fails 3 $CONSTAT show "$id2" --private --dir v
expect_in err "wrong passphrase"
expect_not_in out "PRIVNARR"

# tampered and truncated sealed values: the record and the field named
vault_copy v v0
# the stored value of a record through vault_sql (either backend), one
# field of it flipped or cut, written back as one UPDATE
cat > alter.py <<'PY'
import base64, json, sys
rid, field, how = sys.argv[1], sys.argv[2], sys.argv[3]
row = json.loads(sys.stdin.read())
b = bytearray(base64.b64decode(row["fields"][field]))
if how == "flip":
    b[30] ^= 1
else:
    b = b[:20]
row["fields"][field] = base64.b64encode(bytes(b)).decode()
lit = lambda t: "'" + t.replace("'", "''") + "'"
print("UPDATE private_values SET value_json=%s WHERE record_id=%s" % (lit(json.dumps(row)), lit(rid)))
PY
alter() {
    vault_sql v "SELECT value_json FROM private_values WHERE record_id='$1'" > value.json
    vault_sql v "$(python3 alter.py "$1" "$2" "$3" < value.json)" > /dev/null
}
alter "$id2" narrative flip
run_fails 1 $CONSTAT show "$id2" --private --dir v
expect_in err "record \"$id2\", field \"narrative\": sealed value does not open"
expect_not_in out "PRIVNARR"
alter "$id3" witness_contact cut
run_fails 1 $CONSTAT show "$id3" --private --dir v
expect_in err "record \"$id3\", field \"witness_contact\": sealed value malformed or truncated"
run_ok $CONSTAT show "$id1" --private --dir v
expect_in out "PRIVNARR-1"
rm -rf v
mv v0 v

# a tampered sealed evidence file: verify names it, a dossier refuses it
h=$(sha256sum statement.txt | cut -c1-64)
f=v/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h
cp "$f" sealed.bak
chmod u+w "$f"
flip_byte "$f" 200
chmod 0400 "$f"
run_fails 1 $CONSTAT verify v
expect_in out "does not open"
run_fails 1 $CONSTAT dossier --out d2 --with-evidence --dir v
expect_in err "does not open"
[ ! -e d2 ] || fail "a refused dossier must leave no folder"
ok
chmod u+w "$f"
cp sealed.bak "$f"
chmod 0400 "$f"
run_ok $CONSTAT verify v

# a named recipient (an X25519 key made with openssl): later values are
# sealed to it too; a bad key file is refused
openssl genpkey -algorithm X25519 -out coord.pem 2>/dev/null
openssl pkey -in coord.pem -pubout -out coord.pub 2>/dev/null
openssl genpkey -algorithm ED25519 -out ed.pem 2>/dev/null
openssl pkey -in ed.pem -pubout -out ed.pub 2>/dev/null
(unset CONSTAT_PASSPHRASE; run_ok $CONSTAT keys recipient add coordinator coord.pub --dir v </dev/null)
expect_in out "recipient coordinator added"
run_fails 2 $CONSTAT keys recipient add coordinator coord.pub --dir v
expect_in err "already exists"
run_fails 2 $CONSTAT keys recipient add other ed.pub --dir v
expect_in err "not an X25519 public key"
run_fails 2 $CONSTAT keys recipient add org coord.pub --dir v
run_ok $CONSTAT keys recipient list --dir v
expect_in out "coordinator"
want=$(openssl pkey -in coord.pem -pubout -outform DER 2>/dev/null | tail -c 32 | base64)
expect_in out "$want"
cat > inc4.json <<'EOF'
{"occurred": {"start": "2026-11-04T07:40:00+01:00", "end": "2026-11-04T08:00:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"}, "private": {"narrative": "PRIVNARR-4"}}
EOF
run_ok $CONSTAT record inc4.json --monitor amina --dir v
id4=$(sed -n 's/^record //p' out)
nkeys() {
    vault_sql v "SELECT value_json FROM private_values WHERE record_id='$1'" |
        python3 -c "import json,sys; print(len(json.load(sys.stdin)['keys']))"
}
expect_eq "$(nkeys "$id4")" "2" "a value sealed after the recipient was named"
expect_eq "$(nkeys "$id1")" "1" "a value sealed before"
# vault seal re-seals what was sealed before to every current key: values
# and files (the photo's header then lists 2 keys), and nothing else changes
run_ok $CONSTAT vault seal --dir v
expect_in out "evidence files: 2 sealed now, 0 already sealed"
expect_eq "$(nkeys "$id1")" "2" "a value re-sealed to the recipient"
h=$(sha256sum photo-of-the-place.jpg | cut -c1-64)
p=v/evidence/sha256/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-4)/$h
expect_eq "$(od -An -tu1 -j16 -N1 "$p" | tr -d ' ')" "2" "the file key sealed to 2 keys"
run_ok $CONSTAT show "$id1" --private --dir v
expect_in out "PRIVNARR-1"
run_ok $CONSTAT vault seal --dir v
expect_in out "evidence files: 0 sealed now, 2 already sealed"
expect_in out "private values: 0 record(s) sealed now"
look v
done_ok
