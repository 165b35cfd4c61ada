#!/bin/sh
# t0820 — resumable upload of large evidence (docs/api.md "Resumable
# uploads"), by curl against constat serve: declare, send in chunks, a
# connection cut mid-chunk loses only that chunk (GET tells the offset), a
# chunk at the wrong offset is 409 naming the offset, the upload survives a
# restart of the server, the part is kept encrypted on disk, finish re-hashes
# and stores the file sealed at rest
# and the evidence record then goes in; a wrong hash is 422 and stores
# nothing; limits per monitor 413 (one file) and 429 (open uploads, bytes);
# another monitor's upload is 404, a coordinator's call 403; refusals leave
# the vault as it was.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

export CONSTAT_PASSPHRASE="vault passphrase"
export CONSTAT_USER_PASSWORD="chef password 1"
run_ok $CONSTAT init --org hro-test --origin test.example/hro/log --coordinator chef --dir v
run_ok $CONSTAT monitor invite amina --dir v
code_a=$(sed -n 's/^enrolment code for monitor amina: //p' out)
run_ok $CONSTAT monitor invite carla --dir v
code_c=$(sed -n 's/^enrolment code for monitor carla: //p' out)
CONSTAT_USER_PASSWORD="auditor pass 1" run_ok $CONSTAT user add audra --role auditor --dir v

start_server() {
    rm -f port
    $CONSTAT serve --listen 127.0.0.1:0 --port-file port --dir v >serve.out 2>serve.log &
    spid=$!
    wait_port port serve.log
    S=http://127.0.0.1:$(cat port)
}
start_server
trap 'kill $spid 2>/dev/null || true; rm -rf "$T"' EXIT

CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit enrol --server "$S" --key amina.key \
    --name amina --code "$code_a"
CONSTAT_USER_PASSWORD="carla pass 1" run_ok $CONSTAT submit enrol --server "$S" --key carla.key \
    --name carla --code "$code_c"

# login NAME PASSWORD: cookie jar NAME.jar, CSRF token in NAME.csrf
login() {
    st=$(curl -s -c "$1.jar" -o body -w '%{http_code}' -H 'Content-Type: application/json' \
        --data "{\"name\":\"$1\",\"password\":\"$2\"}" "$S/api/v1/login")
    [ "$st" = 200 ] || { cat body >&2; fail "login $1: $st"; }
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf"])' body > "$1.csrf"
}
# call WHO METHOD PATH [curl args...]: status on stdout, answer in ./body
call() {
    who=$1 m=$2 p=$3
    shift 3
    curl -s -b "$who.jar" -H "X-CSRF-Token: $(cat "$who.csrf")" -o body -w '%{http_code}' \
        -X "$m" "$@" "$S$p"
}
jget() { python3 -c 'import json,sys; v=json.load(open("body")).get(sys.argv[1]); print("null" if v is None else v)' "$1"; }
# put WHO ID FIRST LAST FILE: send bytes FIRST..LAST of FILE
put() {
    dd if="$5" of=chunk bs=65536 iflag=skip_bytes,count_bytes skip="$3" count=$(($4 - $3 + 1)) 2>/dev/null
    call "$1" PUT "/api/v1/uploads/$2" -H 'Content-Type: application/octet-stream' \
        -H "Content-Range: bytes $3-$4/$(stat -c %s "$5")" --data-binary @chunk
}
login amina "amina pass 1"
login carla "carla pass 1"
login chef "chef password 1"
login audra "auditor pass 1"

# a 3 MiB "video", not compressible, deterministic
python3 -c '
import hashlib,sys
out = bytearray()
i = 0
while len(out) < 3 * 1024 * 1024 + 123:
    out += hashlib.sha256(b"video %d" % i).digest(); i += 1
open("video.bin", "wb").write(bytes(out[:3 * 1024 * 1024 + 123]))'
size=$(stat -c %s video.bin)
h=$(sha256sum video.bin | cut -d' ' -f1)
expect_eq "$size" 3145851 "video size"

# --- declaration: its checks
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' --data '{"sha256":"ABC","size":1}')
expect_eq "$st" 400 "bad hash"
expect_eq "$(jget error)" "sha256: must be 64 lowercase hexadecimal digits" "bad hash message"
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h\",\"size\":0}")
expect_eq "$st" 400 "size 0"
expect_eq "$(jget field)" size "size field"
st=$(call chef POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h\",\"size\":$size}")
expect_eq "$st" 403 "a coordinator may not upload"
st=$(call audra POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h\",\"size\":$size}")
expect_eq "$st" 403 "an auditor may not upload"
st=$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$h\",\"size\":$size}" "$S/api/v1/uploads")
expect_eq "$st" 401 "no session"

st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h\",\"size\":$size}")
expect_eq "$st" 201 "declared"
id=$(jget id)
expect_eq "$(jget offset)" 0 "fresh offset"
expect_eq "${#id}" 32 "id length"

# --- first MiB
st=$(put amina "$id" 0 1048575 video.bin)
expect_eq "$st" 200 "chunk 1"
expect_eq "$(jget offset)" 1048576 "offset after chunk 1"
# the part on disk is not the bytes in clear (docs/api.md "Resumable uploads")
[ "$(stat -c %s "v/uploads/$id.part")" = 1048576 ] || fail "the part holds chunk 1"
if cmp -s -n 1048576 "v/uploads/$id.part" video.bin; then fail "the part is stored in clear"; fi
python3 - "v/uploads/$id.part" video.bin <<'PY' || fail "a run of the clear bytes is in the part"
import sys
part, clear = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read(1048576)
assert not any(clear[i:i + 32] in part for i in range(0, len(clear), 4096))
PY
ok

# --- a network cut in the middle of chunk 2: the server keeps nothing of it
dd if=video.bin of=chunk bs=65536 iflag=skip_bytes,count_bytes skip=1048576 count=1048576 2>/dev/null
curl -s -b amina.jar -H "X-CSRF-Token: $(cat amina.csrf)" -X PUT -o /dev/null \
    -H 'Content-Type: application/octet-stream' -H "Content-Range: bytes 1048576-2097151/$size" \
    --limit-rate 200k --max-time 1 --data-binary @chunk "$S/api/v1/uploads/$id" || true
sleep 0.3
st=$(call amina GET "/api/v1/uploads/$id")
expect_eq "$st" 200 "state after the cut"
expect_eq "$(jget offset)" 1048576 "a cut chunk leaves nothing"
expect_eq "$(jget sha256)" "$h" "the declared hash"

# --- a chunk at another offset than the received one: 409 naming it
st=$(put amina "$id" 0 1048575 video.bin)
expect_eq "$st" 409 "a chunk sent twice"
expect_eq "$(jget offset)" 1048576 "409 says where to go on"
# a range that is not the body, or not the declared size: 400
dd if=video.bin of=chunk bs=1 count=10 2>/dev/null
st=$(call amina PUT "/api/v1/uploads/$id" -H 'Content-Type: application/octet-stream' \
    -H "Content-Range: bytes 1048576-1048595/$size" --data-binary @chunk)
expect_eq "$st" 400 "range longer than the body"
expect_eq "$(jget field)" Content-Range "field of a bad range"
for r in "bytes 1048576-1048585/999" "bytes=1048576-1048585/$size" "bytes 1048585-1048576/$size" \
    "bytes -1-8/$size" "bytes 1048576-1048585/*" "bytes 99999999999999999999-1/2"; do
    st=$(call amina PUT "/api/v1/uploads/$id" -H 'Content-Type: application/octet-stream' \
        -H "Content-Range: $r" --data-binary @chunk)
    expect_eq "$st" 400 "Content-Range '$r'"
done
st=$(call amina PUT "/api/v1/uploads/$id" -H 'Content-Type: application/octet-stream' --data-binary @chunk)
expect_eq "$st" 400 "no Content-Range"
# a chunk over the 8 MiB limit: 413 before the route
head -c $((8 * 1024 * 1024 + 1)) /dev/zero > big
st=$(call amina PUT "/api/v1/uploads/$id" -H 'Content-Type: application/octet-stream' \
    -H "Content-Range: bytes 1048576-9437184/$size" --data-binary @big)
expect_eq "$st" 413 "chunk over 8 MiB"

# --- another monitor neither sees nor touches it
expect_eq "$(call carla GET "/api/v1/uploads/$id")" 404 "carla reads amina's upload"
expect_eq "$(call audra GET "/api/v1/uploads/$id")" 403 "an auditor reads an upload"
expect_eq "$(call chef POST "/api/v1/uploads/$id/finish")" 403 "a coordinator finishes an upload"
expect_eq "$(put carla "$id" 1048576 2097151 video.bin)" 404 "carla writes amina's upload"
expect_eq "$(call carla POST "/api/v1/uploads/$id/finish")" 404 "carla finishes amina's upload"
expect_eq "$(call carla DELETE "/api/v1/uploads/$id")" 404 "carla deletes amina's upload"
expect_eq "$(call amina GET /api/v1/uploads/0123456789abcdef0123456789abcdef)" 404 "unknown id"

# --- finish too early: 409 with the offset
expect_eq "$(call amina POST "/api/v1/uploads/$id/finish")" 409 "finish before the end"
expect_in body "incomplete: 1048576 of 3145851 bytes"

# --- the server restarts: the upload is still there; the app lost the id:
# declaring the same file again gives the open upload
kill $spid
wait $spid || true
start_server
login amina "amina pass 1"
login carla "carla pass 1"
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h\",\"size\":$size}")
expect_eq "$st" 200 "declared again"
expect_eq "$(jget id)" "$id" "the same upload"
expect_eq "$(jget offset)" 1048576 "resumed at the offset"

# chunk 2 in two pieces, the second at an offset inside a 64-byte block
expect_eq "$(put amina "$id" 1048576 1049576 video.bin)" 200 "chunk 2, first piece"
expect_eq "$(put amina "$id" 1049577 2097151 video.bin)" 200 "chunk 2, the rest"
expect_eq "$(put amina "$id" 2097152 $((size - 1)) video.bin)" 200 "last chunk"
expect_eq "$(jget offset)" "$size" "every byte"
run_ok $CONSTAT log --dir v --json
cp out log.before
st=$(call amina POST "/api/v1/uploads/$id/finish")
expect_eq "$st" 201 "finished"
expect_eq "$(jget sha256)" "$h" "the stored hash"
expect_eq "$(jget size)" "$size" "the stored size"
f="v/evidence/sha256/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-4)/$h"
[ -f "$f" ] || fail "evidence stored at $f"
expect_eq "$(head -c 15 "$f")" "constat-seal-v2" "sealed at rest"
[ ! -e "v/uploads/$id.part" ] && [ ! -e "v/uploads/$id.meta" ] || fail "the upload's files are removed"
ok
expect_eq "$(call amina GET "/api/v1/uploads/$id")" 404 "a finished upload is gone"
# declaring a stored file: nothing to send
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h\",\"size\":$size}")
expect_eq "$st" 200 "already stored"
expect_eq "$(jget stored)" True "stored flag"

# the evidence record naming the hash goes in (its upload answers "already stored")
cat > i.json <<'JSON'
{"occurred": {"start": "2026-11-29T07:40:00+01:00", "end": "2026-11-29T08:15:00+01:00",
              "precision": "minute"},
 "place": {"name": "Rue des Verrotières", "commune": "Calais", "country": "France"},
 "categories": ["identity_check"], "source": {"type": "direct_observation"}}
JSON
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit record --server "$S" --key amina.key i.json
inc=$(sed -n 's/^record //p' out)
CONSTAT_USER_PASSWORD="amina pass 1" run_ok $CONSTAT submit evidence --server "$S" --key amina.key \
    --incident "$inc" video.bin
expect_in err "receipt verified offline"
login amina "amina pass 1"

# --- a wrong hash: the bytes are not the file the record names
printf 'these bytes are not the video' > other.bin
h2=$(printf 'the declared file' | sha256sum | cut -d' ' -f1)
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' --data "{\"sha256\":\"$h2\",\"size\":29}")
expect_eq "$st" 201 "declared with a hash"
id2=$(jget id)
expect_eq "$(put amina "$id2" 0 28 other.bin)" 200 "the wrong bytes"
run_ok $CONSTAT log --dir v --json
cp out log.before
find v/evidence -type f | sort > ev.before
st=$(call amina POST "/api/v1/uploads/$id2/finish")
expect_eq "$st" 422 "wrong hash refused"
expect_eq "$(jget field)" sha256 "field of the wrong hash"
h3=$(sha256sum other.bin | cut -d' ' -f1)
expect_in body "the received bytes hash to $h3, not to the declared $h2"
run_ok $CONSTAT log --dir v --json
cmp -s out log.before || fail "the log changed on a refused upload"
find v/evidence -type f | sort > ev.after
cmp -s ev.before ev.after || fail "evidence changed on a refused upload"
ok
expect_eq "$(call amina GET "/api/v1/uploads/$id2")" 404 "a refused upload is deleted"

# --- limits per monitor; refusals leave the vault as it was
d0=$(vault_digest v)
zero=0000000000000000000000000000000000000000000000000000000000000000
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$zero\",\"size\":$((2 * 1024 * 1024 * 1024 + 1))}")
expect_eq "$st" 413 "one file over 2 GiB"
expect_eq "$(jget field)" size "413 names size"
for n in 1 2 3 4; do
    st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' \
        --data "{\"sha256\":\"$(printf "%064d" $n)\",\"size\":1000}")
    expect_eq "$st" 201 "open upload $n"
    eval "id_$n=$(jget id)"
done
d1=$(vault_digest v)
st=$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$(printf "%064d" 5)\",\"size\":1000}")
expect_eq "$st" 429 "a fifth open upload"
expect_in body 'has 4 open uploads of 4000 bytes; the limit is 4 uploads of 4294967296 bytes in all'
expect_eq "$(vault_digest v)" "$d1" "a 429 leaves the vault as it was"
# carla has her own quota
st=$(call carla POST /api/v1/uploads -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$(printf "%064d" 5)\",\"size\":1000}")
expect_eq "$st" 201 "another monitor's quota"
for n in 1 2 3 4; do
    eval "i=\$id_$n"
    expect_eq "$(call amina DELETE "/api/v1/uploads/$i")" 200 "delete $n"
done
# bytes: 2 GiB + 2 GiB declared fill the 4 GiB; one byte more is 429
two=$((2 * 1024 * 1024 * 1024))
expect_eq "$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$(printf "%064d" 6)\",\"size\":$two}")" 201 "2 GiB declared"
expect_eq "$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$(printf "%064d" 7)\",\"size\":$two}")" 201 "4 GiB declared"
expect_eq "$(call amina POST /api/v1/uploads -H 'Content-Type: application/json' \
    --data "{\"sha256\":\"$(printf "%064d" 8)\",\"size\":1}")" 429 "over 4 GiB declared"
[ "$d0" != "" ] || fail "digest"
ok

kill $spid
wait $spid || { cat serve.log >&2; fail "the server did not stop cleanly"; }
trap 'rm -rf "$T"' EXIT
run_ok $CONSTAT verify v
expect_in out "every evidence file re-hashed"
done_ok
