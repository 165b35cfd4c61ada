#!/bin/sh
# Rotation of the log (checkpoint-signing) key (docs/vault.md "Log key
# rotation"): `keys rotate --log` logs a key_transition record ("key":
# "log") signed by the old and the new log key and signs from then on with
# the new key (same origin); the vault, a dossier spanning the change and the
# published tiles verify across it, from a trust file made before the
# rotation or after it; `keys history` shows the log key of each range of
# checkpoint sizes; a witness pinned to the old key follows the transition
# through `constat publish`, one that cannot (offline cosign) refuses
# clearly; `constat serve` serves checkpoints signed by the new key, and a
# rotation while it runs is refused. Tampered: a checkpoint after the
# transition signed by the old key (vault and dossier), a transition missing
# the new key's or the old key's signature, a transition changed or dropped
# from a dossier.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="pw"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

mk() { # mk N: incN.json, on 2026-11-0N
    cat > "inc$1.json" <<EOF
{"occurred": {"start": "2026-11-0$1T07:40:00+01:00", "end": "2026-11-0$1T08:40:00+01:00", "precision": "minute"},
 "place": {"name": "Calais"}, "categories": ["eviction"],
 "source": {"type": "direct_observation"}, "summary": "incident $1"}
EOF
}
# kid NOTE_FILE: the hex key id of the log signature line of a signed note
kid() {
    python3 - "$1" <<'PY'
import base64, sys
note = open(sys.argv[1], encoding="utf-8").read()
line = note.split("\n\n", 1)[1].split("\n")[0]
print(base64.b64decode(line.rsplit(" ", 1)[1])[:4].hex())
PY
}

run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir v
run_ok $CONSTAT monitor add alice --dir v
run_ok $CONSTAT keys --dir v
cp out trust-first
log0=$(sed -n 's/^log \(test.example\/hro\/log+[0-9a-f]*\)+.*/\1/p' out)
logvk0=$(sed -n 's/^log //p' out)
[ -n "$log0" ] || fail "no log key id in: $(cat out)"
ok
mk 1
run_ok $CONSTAT record inc1.json --monitor alice --dir v

# a witness pinned to the first log key, cosigning before the rotation
run_ok $CONSTAT init --org wit1.example --origin wit1.example/log --dir W
run_ok $CONSTAT witness init --dir W
cp out W.vkey
run_ok $CONSTAT witness add-log test.example/hro/log "$logvk0" --dir W
$CONSTAT witness serve --listen 127.0.0.1:0 --port-file W.port --dir W >W.out 2>W.log &
pids="$pids $!"
wait_port W.port W.log
run_ok $CONSTAT publish add "$(tail -n 1 W.vkey)" "http://127.0.0.1:$(cat W.port)" --dir v
run_ok $CONSTAT publish --dir v
expect_in out "wit1.example: cosigned size 2 (from size 0)"

# refused: both keys named, a vault without its passphrase, a running
# server (it would go on signing with the old key); nothing changes
before=$(vault_digest v)
run_fails 2 $CONSTAT keys rotate --org --log --dir v
(unset CONSTAT_PASSPHRASE; run_fails 3 $CONSTAT keys rotate --log --dir v </dev/null)
CONSTAT_USER_PASSWORD="chef password 1" run_ok $CONSTAT user add chef --role coordinator --dir v
before=$(vault_digest v)
$CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
spid=$!
wait_port port serve.log
run_fails 2 $CONSTAT keys rotate --log --dir v
expect_in err "constat serve is running on the vault"
kill $spid
wait $spid || fail "the server did not stop cleanly"
expect_eq "$(vault_digest v)" "$before" "vault unchanged after refused rotations"

# the rotation
run_ok $CONSTAT keys rotate --log --reason "the laptop was seized" --dir v
expect_in out "rotated the log key: new key test.example/hro/log+"
expect_in out "(key transition at leaf 2, signed by the old key $log0 and the new key)"
expect_in out "checkpoints of tree size 3 and more are signed by the new key"
expect_in out "the origin stays test.example/hro/log"
log1=$(sed -n 's/.*new key \(test.example\/hro\/log+[0-9a-f]*\) .*/\1/p' out)
[ -n "$log1" ] && [ "$log1" != "$log0" ] || fail "no new key id (old $log0): $(cat out)"
ok
[ -f "v/keys/log-${log1#*+}.key" ] && [ ! -e v/keys/log.key ] || fail "key files (the retired one destroyed): $(ls v/keys)"
ok
expect_in "v/keys/log-${log1#*+}.key" "constat-key-v1 sealed argon2id13"
run_ok $CONSTAT keys --dir v
expect_in out "log $log1+"
cp out trust-now
run_ok $CONSTAT log --dir v
expect_in out "key_transition"
# the checkpoint the rotation signed: same origin, the new key's id
run_ok $CONSTAT checkpoint --dir v
cp out cp3
expect_eq "$(head -n 1 cp3)" "test.example/hro/log" "the origin line stays"
expect_eq "$(sed -n 2p cp3)" "3" "the checkpoint that holds the transition"
expect_eq "$(kid cp3)" "${log1#*+}" "signed by the new key"
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"

# more records after it: signed checkpoints by the new key, the vault verifies
mk 2
run_ok $CONSTAT record inc2.json --monitor alice --dir v
run_ok $CONSTAT monitor add bob --dir v
mk 3
run_ok $CONSTAT record inc3.json --monitor bob --dir v
run_ok $CONSTAT checkpoint --dir v
expect_eq "$(kid out)" "${log1#*+}" "later checkpoints by the new key"
run_ok $CONSTAT verify v
expect_in out "every leaf, tile, checkpoint and signature verified"
run_ok $CONSTAT keys history --dir v
expect_in out "log key $log0: signs the checkpoints of tree sizes 0 .. 2; the first log key; RETIRED by the key transition at leaf 2 ("
expect_in out ", signed by it and the new key): new key $log1"
expect_in out "log key $log1: signs the checkpoints of tree sizes 3 .. 6 (the current key); in force from size 3 (key transition at leaf 2, "
expect_not_in out "monitor key test.example"

# the witness pinned to the old key follows the transition
run_ok $CONSTAT publish --dir v
expect_in out "wit1.example: cosigned size 6 (from size 2), after following our log key transitions: it now pins our new log key"
run_ok $CONSTAT witness logs --dir W
expect_in out "$log1+"
expect_in W.log "POST /add-checkpoint -> 403: no valid signature by the log key $log0 this witness pins"
expect_in W.log "POST /constat/add-key-transition -> 200"
run_ok $CONSTAT monitor add carol --dir v
run_ok $CONSTAT publish --dir v
expect_in out "wit1.example: cosigned size 7 (from size 6)"
# a witness that is handed only the new key's checkpoint (offline) refuses it
# clearly
run_ok $CONSTAT init --org wit2.example --origin wit2.example/log --dir W2
run_ok $CONSTAT witness init --dir W2
run_ok $CONSTAT witness add-log test.example/hro/log "$logvk0" --dir W2
run_ok $CONSTAT checkpoint --dir v
cp out cp7
run_fails 1 $CONSTAT witness cosign cp7 --dir W2
expect_in err "refused (HTTP 403)"
expect_in err "the checkpoint is signed by key id ${log1#*+} of that name (a rotated log key?"

# a dossier spanning the change: keys/log.vkey is the first log key, the
# transition travels; verified from the first key or from the current one
run_ok $CONSTAT dossier --out d --dir v
expect_eq "$(cut -d+ -f1,2 d/keys/log.vkey)" "$log0" "the dossier's log key is the first"
expect_in d/records.jsonl '"key":"log"'
expect_in d/VERIFY.md "Log keys: \`keys/log.vkey\` is the first one"
expect_in d/VERIFY.md "leaf 2: \`$log0\` -> \`$log1\`; the checkpoints of tree size 3 and more are signed by the new key"
expect_in d/VERIFY.fr.md "Clés du journal"
run_ok $CONSTAT verify d --trust trust-first
expect_in out "log key rotated at leaf 2: $log0 -> $log1, signed by both; checkpoints of tree size 3 and more are signed by the new key"
expect_in out "signature valid"
expect_in out ", 0 failed"
run_ok $CONSTAT verify d --trust trust-now
expect_in out "the log key pinned in trust-now line 3 is $log1, in force from tree size 3: reached from keys/log.vkey through the transitions above"
run_ok $CONSTAT verify d
expect_in out "log key rotated at leaf 2"
run_ok $CONSTAT verify d --trust trust-first --json
expect_in out '"log_key_rotations": "log key rotated at leaf 2:'
# a trust file pinning a stranger's log key: the chain is not followed
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --dir stranger
$CONSTAT keys --dir stranger | grep '^log ' > trust-stranger
run_fails 1 $CONSTAT verify d --trust trust-stranger
expect_in out "nor does a log key transition of this dossier lead from it to the pinned key"

# the published tiles: an auditor pinning the first key follows the
# transition among the entries
run_ok $CONSTAT tiles export pub --dir v
run_ok $CONSTAT verify --tiles pub --trust trust-first
expect_in out "signature:  valid by the log key $log1, reached from the pinned log key"
expect_in out "leaf 2: $log0 -> $log1 (checkpoints of size 3 and more)"
run_ok $CONSTAT verify --tiles pub --trust trust-now
expect_in out "signature:  valid by the pinned log key"
run_fails 1 $CONSTAT verify --tiles pub --trust trust-stranger

# constat serve after the rotation: its checkpoint and tiles are the new key's
$CONSTAT serve --listen 127.0.0.1:0 --port-file port2 --dir v >serve2.out 2>serve2.log &
spid=$!
pids="$pids $spid"
wait_port port2 serve2.log
curl -fsS "http://127.0.0.1:$(cat port2)/checkpoint" > served.cp || fail "GET /checkpoint"
expect_eq "$(kid served.cp)" "${log1#*+}" "the served checkpoint is signed by the new key"
expect_eq "$(head -n 1 served.cp)" "test.example/hro/log" "the served origin"
run_ok $CONSTAT verify --tiles "http://127.0.0.1:$(cat port2)" --trust trust-first
expect_in out "reached from the pinned log key"
kill $spid
wait $spid || fail "the server did not stop cleanly"

# a public report carries the key that signs its checkpoint; pinning the
# retired one is refused with the reason
run_ok $CONSTAT report --public --out pubrep --dir v
expect_eq "$(cut -d+ -f1,2 pubrep/keys/log.vkey)" "$log1" "the public report's log key"
run_ok $CONSTAT verify pubrep --trust trust-now
run_fails 1 $CONSTAT verify pubrep --trust trust-first
expect_in out "the log key was rotated since the pinned one?"

# the new key file is re-sealed by keys passwd; a second rotation follows the chain
CONSTAT_NEW_PASSPHRASE=pw2 run_ok $CONSTAT keys passwd --dir v
export CONSTAT_PASSPHRASE=pw2
run_ok $CONSTAT keys rotate --log --dir v
log2=$(sed -n 's/.*new key \(test.example\/hro\/log+[0-9a-f]*\) .*/\1/p' out)
expect_in out "(key transition at leaf 7, signed by the old key $log1 and the new key)"
[ "$(ls v/keys | grep -c '^log')" -eq 1 ] || fail "one log key file: $(ls v/keys)"
ok
mk 4
run_ok $CONSTAT record inc4.json --monitor bob --dir v
run_ok $CONSTAT verify v
run_ok $CONSTAT keys history --dir v
expect_in out "log key $log1: signs the checkpoints of tree sizes 3 .. 7; in force from size 3"
expect_in out "RETIRED by the key transition at leaf 7"
expect_in out "log key $log2: signs the checkpoints of tree sizes 8 .. 9 (the current key)"
run_ok $CONSTAT dossier --out d2 --dir v
run_ok $CONSTAT verify d2 --trust trust-first
expect_in out "log key rotated at leaf 2: $log0 -> $log1"
expect_in out "log key rotated at leaf 7: $log1 -> $log2"
expect_in out ", 0 failed"
run_ok $CONSTAT publish --dir v
expect_in out "wit1.example: cosigned size 9 (from size 7), after following our log key transitions"

# ---- tamper cases, on a vault with plain keys (to sign as a thief would) ----
export CONSTAT_PASSPHRASE=
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --dir x
run_ok $CONSTAT monitor add alice --dir x
run_ok $CONSTAT record inc1.json --monitor alice --dir x
# an RFC 3161 token over the old key's checkpoint of size 2 (tests/tsa)
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY 2>/dev/null || true
tsa_out=$(sh "$SRC/tests/tsa/start.sh" "$T/tsa") || fail "the test TSA did not start"
pids="$pids $(echo "$tsa_out" | sed -n 's/^pid //p')"
run_ok $CONSTAT tsa add local "$(echo "$tsa_out" | sed -n 's/^url //p')" --ca "$T/tsa/ca.pem" --dir x
run_ok $CONSTAT timestamp --dir x
expect_in out "checkpoint size 2 time-stamped at "
cp x/keys/log.key stolen-log.key
run_ok $CONSTAT keys rotate --log --dir x
xold=$(sed -n 's/.*signed by the old key \(test.example\/hro\/log+[0-9a-f]*\) .*/\1/p' out)
xnew=$(sed -n 's/.*new key \(test.example\/hro\/log+[0-9a-f]*\) .*/\1/p' out)
run_ok $CONSTAT record inc2.json --monitor alice --dir x
run_ok $CONSTAT checkpoint --dir x
cp out xcp4
expect_eq "$(sed -n 2p xcp4)" "4" "setup: checkpoint of size 4"
run_ok $CONSTAT timestamp --dir x
expect_in out "checkpoint size 4 time-stamped at "
run_ok $CONSTAT dossier --out xd --dir x
# a public dossier across the rotation: public/keys/log.vkey is the key that
# signs its checkpoint; the dossier's first key put there instead is refused
run_ok $CONSTAT dossier --public --out pubdos --dir x
run_ok $CONSTAT verify pubdos
expect_in out "VERIFIED"
cp -r pubdos pubdos-first
cp pubdos/keys/log.vkey pubdos-first/public/keys/log.vkey
resign_dossier pubdos-first x/keys/org.key
run_fails 1 $CONSTAT verify pubdos-first
expect_in out "FAIL: public/keys/log.vkey: not the log key that signs the dossier's checkpoint"
# the first token's checkpoint (size 2, before the transition) is the old
# key's, the second's (size 4) the new key's: both verify along the chain
expect_eq "$(kid "$(ls xd/timestamps/*.checkpoint | head -n 1)")" "${xold#*+}" "the time-stamped checkpoint is the old key's"
run_ok $CONSTAT verify xd --tsa-ca "$T/tsa/ca.pem"
expect_in out "timestamps: 2 RFC 3161 token(s), 2 valid"
expect_in out ", 0 failed"
# the thief of the retired key signs the checkpoint of size 4 (after the
# transition at leaf 2) with it: (KEY, TEXT) -> signed note
python3 - stolen-log.key xcp4 fake.der > fake.txt <<'PY'
import sys
key, cp, der = sys.argv[1:4]
lines = open(key).read().split('\n')
assert lines[0] == 'constat-key-v1 plain', lines[0]
import base64
open(der, 'wb').write(bytes.fromhex('302e020100300506032b657004220420') + base64.b64decode(lines[1]))
sys.stdout.write(open(cp, encoding='utf-8').read().split('\n\n', 1)[0] + '\n')
PY
openssl pkeyutl -sign -rawin -keyform DER -inkey fake.der -in fake.txt -out fake.sig
openssl pkey -inform DER -in fake.der -pubout -outform DER -out fake.pub
python3 - fake.txt fake.sig fake.pub > fake.cp <<'PY'
import base64, hashlib, sys
text = open(sys.argv[1], 'rb').read()
sig = open(sys.argv[2], 'rb').read()
pk = open(sys.argv[3], 'rb').read()[-32:]
name = text.split(b'\n')[0]
kid = hashlib.sha256(name + b'\n' + b'\x01' + pk).digest()[:4]
sys.stdout.write(text.decode() + '\n\u2014 ' + name.decode() + ' ' + base64.b64encode(kid + sig).decode() + '\n')
PY
expect_eq "$(kid fake.cp)" "${xold#*+}" "setup: signed by the retired key"
vault_copy x xt
nl='
'
vault_sql xt "UPDATE checkpoints SET note = '$(cat fake.cp)$nl' WHERE size = 4"
run_fails 1 $CONSTAT verify xt
expect_in out "checkpoint of size 4: signed by the log key $xold, RETIRED by the key transition at leaf 2 ("
expect_in out "new key $xnew): a checkpoint of tree size 4, which contains that transition, is signed by $xnew only"
# the same checkpoint in the dossier (its manifest signed again, as an
# insider holding the organisation key would)
cp -a xd xdt
cp fake.cp xdt/checkpoint
resign_dossier xdt x/keys/org.key
run_fails 1 $CONSTAT verify xdt
expect_in out "checkpoint of tree size 4: signed by the log key $xold, RETIRED by the key transition at leaf 2"
expect_in out "signature INVALID"
# a transition changed in the dossier (its new_signature, which the old
# key's signature covers): its leaf no longer proves, the chain is not
# followed, the new key's checkpoint fails
cp -a xd xds
python3 - xds/records.jsonl <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split('\n')
for i, l in enumerate(lines):
    if '"key":"log"' in l:
        j = l.index('"new_signature":"') + len('"new_signature":"')
        lines[i] = l[:j] + ('B' if l[j] == 'A' else 'A') + l[j + 1:]
open(p, 'w').write('\n'.join(lines))
PY
resign_dossier xds x/keys/org.key
run_fails 1 $CONSTAT verify xds
expect_in out "key transition of the log key not followed: not signed by the old key $xold"
expect_in out "no valid signature by the log key $xold"
expect_in out "inclusion proof does not lead to the checkpoint root"
# the transition dropped from the dossier: the new key is unknown
cp -a xd xdr
python3 - xdr <<'PY'
import sys
d = sys.argv[1]
r = open(d + "/records.jsonl").read().splitlines(True)
p = open(d + "/proofs.jsonl").read().splitlines(True)
keep = [i for i, l in enumerate(r) if '"key":"log"' not in l]
open(d + "/records.jsonl", "w").write("".join(r[i] for i in keep))
open(d + "/proofs.jsonl", "w").write("".join(p[i] for i in keep))
PY
resign_dossier xdr x/keys/org.key
run_fails 1 $CONSTAT verify xdr
expect_in out "no valid signature by the log key $xold"
expect_not_in out "log key rotated"

# a transition signed by the old key only, or not by the old key: not
# followed; the checkpoints after it and the vault's key fail; no dossier,
# no further rotation
for spoil in newsig oldsig; do
    run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --dir y$spoil
    run_ok $CONSTAT monitor add dan --dir y$spoil
    CONSTAT_TEST_LOG_ROTATE=$spoil run_ok $CONSTAT keys rotate --log --dir y$spoil
    run_ok $CONSTAT monitor add erin --dir y$spoil
    run_ok $CONSTAT checkpoint --dir y$spoil
    run_fails 1 $CONSTAT verify y$spoil
    expect_in out "leaf 1 (record transition-"
    if [ $spoil = newsig ]; then
        expect_in out "key transition of the log key not followed: new_signature does not verify under the new key: the transition is signed by the old key only"
    else
        expect_in out "key transition of the log key not followed: not signed by the old key"
    fi
    expect_in out "checkpoint of size 2: log key"
    expect_in out "is not the one its key transitions lead to"
    run_fails 1 $CONSTAT dossier --out yd$spoil --dir y$spoil
    expect_in err "the chain of log keys of this log does not verify"
    [ ! -e yd$spoil ] || fail "a refused dossier left yd$spoil/"
    ok
    run_fails 1 $CONSTAT keys rotate --log --dir y$spoil
    expect_in err "the chain of log keys of this log does not verify"
done
done_ok
