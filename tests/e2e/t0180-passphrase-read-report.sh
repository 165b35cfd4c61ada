#!/bin/sh
# Reading needs no passphrase, private values do: in a sealed vault they are
# stored sealed and `show --private` asks for the passphrase (refused without
# it, on a terminal or not). `report` never signs and never asks: it covers
# the newest signed checkpoint (docs/cli.md "report", docs/vault.md
# "Private values").
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"
export CONSTAT_DIR="$T/v"
pass="correct horse"

CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT init --org hro-test --origin test.example/hro/log
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT monitor add alice

# incident N with a private narrative
incident() {
    cat > "inc$1.json" <<JSON
{
  "occurred": {"start": "2026-11-2$1T07:40:00+01:00", "end": "2026-11-2$1T08:00:00+01:00",
               "precision": "minute"},
  "place": {"name": "Rue des Verrotières", "commune": "Calais", "country": "France"},
  "categories": ["eviction"],
  "affected": {"count": $1, "minors": "unknown"},
  "source": {"type": "direct_observation"},
  "summary": "incident $1",
  "private": {"narrative": "Observers kept $1 0 m away", "witness_contact": "+33 6 00 00 00 0$1"}
}
JSON
}
incident 1
incident 2
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT record inc1.json --monitor alice
id1=$(sed -n 's/^record //p' out)
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT record inc2.json --monitor alice
id2=$(sed -n 's/^record //p' out)
[ -n "$id1" ] && [ -n "$id2" ] || fail "receipts name no record id"
ok

# sealed at rest: the vault database never holds them in clear
vault_dump v > db.bytes
expect_not_in db.bytes "Observers kept"
expect_not_in db.bytes "+33 6 00"
expect_in db.bytes "constat-private-v2"

# reading the public record needs no passphrase ...
run_ok $CONSTAT show "$id1" </dev/null
expect_in out "valid"
expect_not_in out "Observers kept"
# ... its private values do: refused without it, and with a wrong one
before=$(vault_digest v)
run_fails 3 $CONSTAT show "$id1" --private </dev/null
expect_in err "sealed"
expect_in err "CONSTAT_PASSPHRASE"
expect_not_in out "Observers kept"
run_fails 3 $CONSTAT show "$id1" --private --json </dev/null
expect_not_in out "Observers kept"
CONSTAT_PASSPHRASE=wrong run_fails 3 $CONSTAT show "$id1" --private
expect_in err "wrong passphrase"
expect_not_in out "Observers kept"
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT show "$id1" --private
expect_in out "Observers kept 1 0 m away"
expect_not_in out "Observers kept 2"
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT show "$id2" --private --json
expect_in out '"narrative"'
expect_in out "Observers kept 2 0 m away"
expect_eq "$(vault_digest v)" "$before" "reading private values changes nothing"

# on a terminal: show --private asks, and prints once the passphrase is typed;
# report never asks (a prompt would wait for ever: the helper types nothing)
cat > onpty.py <<'PY'
import os, pty, sys, time, select
answer = sys.argv[1]
argv = sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b""
asked = 0
deadline = time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if not asked and b"passphrase" in out:
            asked = 1
            if answer == "-":
                os.kill(pid, 9)
                break
            os.write(fd, answer.encode() + b"\n")
    else:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.stdout.write("\nASKED=%d EXIT=%d\n" % (asked, os.waitstatus_to_exitcode(status)))
PY
python3 onpty.py "$pass" $CONSTAT show "$id1" --private > tty.out
expect_in tty.out "passphrase for the vault keys"
expect_in tty.out "Observers kept 1 0 m away"
expect_in tty.out "ASKED=1 EXIT=0"
python3 onpty.py - $CONSTAT show "$id1" > tty.out
expect_in tty.out "ASKED=0 EXIT=0"
expect_not_in tty.out "Observers kept"

# the report: no passphrase, on a terminal or not (`record` signed a
# checkpoint of size 3 with the last incident)
before=$(vault_digest v)
run_ok $CONSTAT report --out r </dev/null
expect_in out "report of 2 incidents (tree size 3)"
expect_in r/index.html "test.example/hro/log"
expect_in r/incidents.csv "incident 2"
python3 onpty.py - $CONSTAT report --out r2 > tty.out
expect_in tty.out "ASKED=0 EXIT=0"
expect_in tty.out "report of 2 incidents"
expect_eq "$(vault_digest v)" "$before" "a report signs nothing"
# the tree grew: the report still covers the signed checkpoint, says so, and
# never prints private values
incident 3
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT record inc3.json --monitor alice
# one more leaf after the newest checkpoint: a record without its own
# checkpoint is impossible through `record` (it signs one), so enrol a monitor
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT monitor add bob
run_ok $CONSTAT report --out r3 </dev/null
expect_in out "report of 3 incidents (tree size 4)"
expect_in err "the 1 leaves logged after the checkpoint of size 4 are not in the report"
expect_not_in r3/incidents.csv "Observers kept"
expect_not_in r3/index.html "Observers kept"

# a sealed value moved onto another record's row does not open
vault_sql v "UPDATE private_values SET value_json = (SELECT value_json FROM private_values WHERE record_id = '$id1') WHERE record_id = '$id2'" >/dev/null
CONSTAT_PASSPHRASE=$pass run_fails 1 $CONSTAT show "$id2" --private
expect_in err "does not open"
expect_not_in out "Observers kept 1"
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT show "$id1" --private
expect_in out "Observers kept 1 0 m away"

# a log without incidents: no report, exit 2, nothing written
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT init --org empty-test --origin test.example/empty/log --dir e
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT monitor add alice --dir e
CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT checkpoint --dir e
run_fails 2 $CONSTAT report --out re --dir e </dev/null
expect_in err "no incident among the 1 leaves of the newest checkpoint: no report written"
[ ! -e re ] || fail "an empty report must write nothing"
ok

# an unsealed vault keeps working without any passphrase
run_ok $CONSTAT init --no-passphrase --org plain-test --origin test.example/plain/log --dir p
run_ok $CONSTAT monitor add alice --dir p
run_ok $CONSTAT record inc1.json --monitor alice --dir p
idp=$(sed -n 's/^record //p' out)
run_ok $CONSTAT show "$idp" --private --dir p </dev/null
expect_in out "Observers kept 1 0 m away"
run_ok $CONSTAT report --out rp --dir p </dev/null
expect_in out "report of 1 incident "
done_ok
