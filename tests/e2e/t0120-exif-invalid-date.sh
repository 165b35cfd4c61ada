# t0120-exif-invalid-date.sh — a photo whose camera wrote a date that is not
# one ("0000:00:00 00:00:00", "2019:13:45 25:61:00") says "invalid EXIF date"
# with the text as written, in `constat attach`, `constat show`, the report
# and the dossier's verification, never "no capture time"; a photo whose EXIF
# pointers loop back on themselves is attached at once, its EXIF reported
# malformed with the cycle named, and the vault stays consistent.
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR=$T/vault

# minimal JPEGs: SOI, one APP1 "Exif" segment (little-endian TIFF), EOI
python3 - "$T" <<'PY'
import struct, sys
def ifd(entries, nxt):
    b = struct.pack('<H', len(entries))
    for tag, typ, cnt, val in entries:
        b += struct.pack('<HHII', tag, typ, cnt, val)
    return b + struct.pack('<I', nxt)
def jpeg(tiff):
    blk = b'Exif\0\0' + b'II*\0' + struct.pack('<I', 8) + tiff
    return b'\xff\xd8\xff\xe1' + struct.pack('>H', len(blk) + 2) + blk + b'\xff\xd9'
def dated(text):
    # IFD 0: Make "ACME" (inline), DateTimeOriginal (20 bytes after the IFD)
    at = 8 + 2 + 2 * 12 + 4
    return jpeg(ifd([(0x010f, 2, 4, 0x454d4341), (0x9003, 2, 20, at)], 0) + text.encode() + b'\0')
open(sys.argv[1] + '/zero.jpg', 'wb').write(dated('0000:00:00 00:00:00'))
open(sys.argv[1] + '/month13.jpg', 'wb').write(dated('2019:13:45 25:61:00'))
open(sys.argv[1] + '/good.jpg', 'wb').write(dated('2024:03:05 06:30:00'))
# every pointer of IFD 0, and its next-IFD pointer, back to IFD 0
open(sys.argv[1] + '/cycle.jpg', 'wb').write(jpeg(ifd(
    [(0x8769, 4, 1, 8), (0x8825, 4, 1, 8), (0xa005, 4, 1, 8), (0x8769, 4, 1, 8)], 8)))
PY

run_ok "$CONSTAT" init --no-passphrase --org hro --origin hro.example/log
run_ok "$CONSTAT" monitor add amina
cat >"$T/calais.json" <<'EOF'
{"id": "INC-CALAIS", "occurred": {"start": "2024-03-05T06:00:00+01:00", "end": "2024-03-05T07:00:00+01:00", "precision": "hour"},
 "place": {"name": "Calais", "lat_e7": 509580000, "lon_e7": 18530000},
 "categories": ["eviction"], "source": {"type": "direct_observation"}}
EOF
run_ok "$CONSTAT" record "$T/calais.json" --monitor amina

# attach: the invalid dates are named, as written, and flagged
run_ok "$CONSTAT" attach INC-CALAIS "$T/zero.jpg" "$T/month13.jpg" "$T/good.jpg" --monitor amina
expect_in "$T/out" 'invalid EXIF date "0000:00:00 00:00:00", camera ACME'
expect_in "$T/out" 'invalid EXIF date "2019:13:45 25:61:00", camera ACME'
expect_in "$T/out" 'FLAGGED: invalid EXIF date "2019:13:45 25:61:00" (the camera wrote a date that is not one)'
expect_in "$T/out" "taken 2024-03-05T06:30:00 (camera clock, no offset), camera ACME"
expect_not_in "$T/out" "no capture time"
h() { sha256sum "$1" | cut -c1-16; }
inc=$(printf INC-CALAIS | sha256sum | cut -c1-8)
ev_zero=ev-$(h "$T/zero.jpg")-$inc
ev_13=ev-$(h "$T/month13.jpg")-$inc

# show, the incident and one file
run_ok "$CONSTAT" show INC-CALAIS
expect_in "$T/out" 'invalid EXIF date "0000:00:00 00:00:00", camera ACME'
expect_in "$T/out" 'FLAGGED: invalid EXIF date "0000:00:00 00:00:00"'
expect_in "$T/out" "no flag (time within 1 h of the incident)"
expect_not_in "$T/out" "no capture time"
run_ok "$CONSTAT" show "$ev_13"
expect_in "$T/out" 'evidence for incident INC-CALAIS: invalid EXIF date "2019:13:45 25:61:00", camera ACME'
expect_in "$T/out" "FLAGGED: invalid EXIF date"
# the signed record carries the text as written
run_ok "$CONSTAT" show "$ev_13" --json
expect_in "$T/out" '"time_invalid": "2019:13:45 25:61:00"'

# a cyclic EXIF block: attached at once, the EXIF named malformed
before=$(date +%s%N)
run_ok "$CONSTAT" attach INC-CALAIS "$T/cycle.jpg" --monitor amina
after=$(date +%s%N)
[ $(((after - before) / 1000000)) -lt 5000 ] || fail "attach of a cyclic EXIF took $(((after - before) / 1000000)) ms"
ok
expect_in "$T/out" "malformed EXIF: Exif IFD pointer in IFD 0 points back to IFD 0 at offset 8 (cycle)"
expect_in "$T/out" "FLAGGED: malformed EXIF"
ev_cycle=ev-$(h "$T/cycle.jpg")-$inc
run_ok "$CONSTAT" show "$ev_cycle"
expect_in "$T/out" "no capture time, malformed EXIF: Exif IFD pointer in IFD 0 points back to IFD 0 at offset 8 (cycle)"

# the report: rows of the evidence_flagged figure, labelled
run_ok "$CONSTAT" checkpoint
run_ok "$CONSTAT" report --out "$T/r"
expect_in "$T/r/figures/evidence_flagged.csv" "$ev_zero,invalid_date,1"
expect_in "$T/r/figures/evidence_flagged.csv" "$ev_cycle,malformed_exif,1"
expect_in "$T/r/index.html" "invalid EXIF date"
expect_in "$T/r/index.html" "date EXIF invalide"

# the dossier: verification prints them as warnings, and still verifies
run_ok "$CONSTAT" keys
cp "$T/out" "$T/keys.txt"
run_ok "$CONSTAT" dossier --out "$T/d" --place calais --with-evidence
run_ok "$CONSTAT" verify "$T/d" --trust "$T/keys.txt"
expect_in "$T/out" "WARNING (flag, not a failure): evidence $ev_zero for incident INC-CALAIS: invalid EXIF date \"0000:00:00 00:00:00\""
expect_in "$T/out" "WARNING (flag, not a failure): evidence $ev_13 for incident INC-CALAIS: invalid EXIF date \"2019:13:45 25:61:00\""
expect_in "$T/out" "evidence $ev_cycle for incident INC-CALAIS: malformed EXIF: Exif IFD pointer"
expect_in "$T/out" "VERIFIED"
expect_in "$T/d/report/index.html" "invalid EXIF date"

done_ok
