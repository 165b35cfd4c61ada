#!/bin/sh
# `constat init` on a terminal (a pty here) asks for the passphrase and one
# confirmation: exactly two prompts a try. On a mismatch it says so and asks
# both again, up to 3 tries, then exits 2 having written nothing (no vault
# directory). An empty passphrase on a terminal is refused (it would leave
# the keys unsealed) and counts as a try. After a match the keys are sealed
# and init never asks a third time. $CONSTAT_PASSPHRASE keeps working without
# any prompt (empty: not sealed, with a warning). Unlocking an existing vault
# asks once, never for a confirmation (docs/cli.md "init").
. "$CONSTAT_SOURCE_DIR/tests/e2e/lib.sh"

# onpty.py ANSWERS CMD...: run CMD on a pty, type the answers (separated by
# '|', "<empty>" for an empty line) one per prompt; a prompt beyond the
# answers kills CMD (it would wait for ever). Prints the output, then the
# prompt counts and the exit code.
cat > onpty.py <<'PY'
import os, pty, sys, time, select
answers = [] if sys.argv[1] == "" else sys.argv[1].split("|")
answers = ["" if a == "<empty>" else a for a in answers]
argv = sys.argv[2:]
PROMPTS = (b"passphrase to seal the vault keys: ", b"repeat passphrase: ",
           b"passphrase for the vault keys: ")
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b""
answered = 0
killed = 0
deadline = time.time() + 60
def prompts():
    return sum(out.count(p) for p in PROMPTS)
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
        while answered < prompts():
            if answered == len(answers):
                os.kill(pid, 9)
                killed = 1
                break
            os.write(fd, answers[answered].encode() + b"\n")
            answered += 1
        if killed:
            break
    else:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
else:
    os.kill(pid, 9)
    killed = 1
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.stdout.write("\nSEAL=%d REPEAT=%d UNLOCK=%d KILLED=%d EXIT=%d\n" % (
    out.count(PROMPTS[0]), out.count(PROMPTS[1]), out.count(PROMPTS[2]), killed,
    os.waitstatus_to_exitcode(status)))
PY
pass="correct horse"

# sealed: both key lines name the sealing, the secret is not stored plain
expect_sealed() {
    for k in log org pseudonym; do
        [ -f "$1/keys/$k.key" ] || fail "no $k.key in $1/keys"
        head -n 1 "$1/keys/$k.key" > keyline
        expect_in keyline "constat-key-v1 sealed argon2id13 "
    done
    # signing needs the passphrase: refused without it, or with a wrong one
    before=$(vault_digest "$1")
    run_fails 3 $CONSTAT monitor add zoe --dir "$1" </dev/null
    expect_in err "sealed"
    CONSTAT_PASSPHRASE=wrong run_fails 3 $CONSTAT monitor add zoe --dir "$1"
    expect_in err "wrong passphrase"
    expect_eq "$(vault_digest "$1")" "$before" "a refused signature writes nothing"
    CONSTAT_PASSPHRASE=$2 run_ok $CONSTAT monitor add zoe --dir "$1"
    # reading needs none
    run_ok $CONSTAT log --dir "$1" </dev/null
}

# 1. a mismatch, then a match: asked again, two prompts a try, sealed, and no
#    third prompt (the vault is opened with the passphrase just typed)
python3 onpty.py "$pass|correct horsr|$pass|$pass" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v1 > tty.out
expect_in tty.out "the two passphrases differ (try 1 of 3)"
expect_in tty.out "created vault v1"
expect_in tty.out "organisation key: hro-test+"
expect_in tty.out "SEAL=2 REPEAT=2 UNLOCK=0 KILLED=0 EXIT=0"
expect_not_in tty.out "NOT sealed"
expect_not_in tty.out "try 2 of 3"
expect_sealed v1 "$pass"

# 2. a match at once: two prompts in all
python3 onpty.py "$pass|$pass" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v2 > tty.out
expect_in tty.out "SEAL=1 REPEAT=1 UNLOCK=0 KILLED=0 EXIT=0"
expect_not_in tty.out "differ"
expect_sealed v2 "$pass"

# 3. three mismatches: exit 2, six prompts, nothing written
python3 onpty.py "a1|b1|a2|b2|a3|b3" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v3 > tty.out
expect_in tty.out "the two passphrases differ (try 1 of 3)"
expect_in tty.out "the two passphrases differ (try 2 of 3)"
expect_in tty.out "the two passphrases differ (try 3 of 3)"
expect_in tty.out "no passphrase after 3 tries: nothing was written"
expect_in tty.out "SEAL=3 REPEAT=3 UNLOCK=0 KILLED=0 EXIT=2"
expect_not_in tty.out "created vault"
[ ! -e v3 ] || fail "three mismatches must create no vault directory"
ok
# ... and the same in the default place ($CONSTAT_DIR unset: ./constat-vault)
python3 onpty.py "a1|b1|a2|b2|a3|b3" \
    $CONSTAT init --org hro-test --origin test.example/hro/log > tty.out
expect_in tty.out "EXIT=2"
[ ! -e constat-vault ] || fail "three mismatches must create no constat-vault"
ok

# 4. an empty passphrase on a terminal is refused (no confirmation asked for
#    it) and counts as a try; three of them: exit 2, nothing written
python3 onpty.py "<empty>|<empty>|<empty>" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v4 > tty.out
expect_in tty.out "an empty passphrase would leave the keys NOT sealed"
expect_in tty.out "(try 3 of 3)"
expect_in tty.out "SEAL=3 REPEAT=0 UNLOCK=0 KILLED=0 EXIT=2"
[ ! -e v4 ] || fail "refused empty passphrases must create no vault directory"
ok
# ... an empty one, then a mismatch, then a match on the last try: sealed
python3 onpty.py "<empty>|x|y|$pass|$pass" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v5 > tty.out
expect_in tty.out "(try 1 of 3)"
expect_in tty.out "the two passphrases differ (try 2 of 3)"
expect_in tty.out "SEAL=3 REPEAT=2 UNLOCK=0 KILLED=0 EXIT=0"
expect_sealed v5 "$pass"

# 5. $CONSTAT_PASSPHRASE: no prompt even on a terminal; empty means unsealed
#    (with the warning)
CONSTAT_PASSPHRASE=$pass python3 onpty.py "" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v6 > tty.out
expect_in tty.out "SEAL=0 REPEAT=0 UNLOCK=0 KILLED=0 EXIT=0"
expect_sealed v6 "$pass"
# no passphrase (empty $CONSTAT_PASSPHRASE, or no terminal): refused, nothing
# written, unless --no-passphrase asks for keys NOT sealed (with the warning)
CONSTAT_PASSPHRASE= python3 onpty.py "" \
    $CONSTAT init --org hro-test --origin test.example/hro/log --dir v7 > tty.out
expect_in tty.out "SEAL=0 REPEAT=0 UNLOCK=0 KILLED=0 EXIT=2"
expect_in tty.out "refusing to write the vault keys NOT sealed"
[ ! -e v7 ] || fail "a refused init must create no vault directory"
CONSTAT_PASSPHRASE= python3 onpty.py "" \
    $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --dir v7 > tty.out
expect_in tty.out "SEAL=0 REPEAT=0 UNLOCK=0 KILLED=0 EXIT=0"
expect_in tty.out "warning: the keys in v7/keys are NOT sealed"
head -n 1 v7/keys/log.key > keyline
expect_in keyline "constat-key-v1 plain"
run_ok $CONSTAT monitor add alice --dir v7 </dev/null
run_fails 2 $CONSTAT init --org hro-test --origin test.example/hro/log --dir v8 </dev/null
expect_in err "refusing to write the vault keys NOT sealed"
expect_not_in err "warning"
[ ! -e v8 ] || fail "a refused init must create no vault directory"
CONSTAT_PASSPHRASE=x run_fails 2 $CONSTAT init --no-passphrase --org hro-test \
    --origin test.example/hro/log --dir v8 </dev/null
expect_in err "choose one"
[ ! -e v8 ] || fail "a refused init must create no vault directory"
run_ok $CONSTAT init --no-passphrase --org hro-test --origin test.example/hro/log --dir v8 </dev/null
expect_in err "warning: the keys in v8/keys are NOT sealed"
head -n 1 v8/keys/log.key > keyline
expect_in keyline "constat-key-v1 plain"
# folders 0700, files 0600, whatever the umask
(umask 022; CONSTAT_PASSPHRASE=$pass run_ok $CONSTAT init --org hro-test \
    --origin test.example/hro/log --dir v9 </dev/null)
expect_eq "$(stat -c %a v9 v9/keys v9/keys/monitors | tr '\n' ' ')" "700 700 700 " "folder modes"
db=v9/vault.db
! on_pg v9 || db=v9/store.url # on PostgreSQL the folder holds store.url instead
expect_eq "$(stat -c %a "$db" v9/keys/log.key v9/keys/org.key | tr '\n' ' ')" \
    "600 600 600 " "file modes"

# 6. unlocking asks once, without a confirmation: a signing command on the
#    terminal of a sealed vault
python3 onpty.py "$pass" $CONSTAT monitor add bob --dir v2 > tty.out
expect_in tty.out "SEAL=0 REPEAT=0 UNLOCK=1 KILLED=0 EXIT=0"
run_ok $CONSTAT monitor list --dir v2 </dev/null
expect_in out "bob"
# ... a wrong one is refused at once (exit 3), not asked again
python3 onpty.py "wrong" $CONSTAT monitor add carol --dir v2 > tty.out
expect_in tty.out "wrong passphrase"
expect_in tty.out "SEAL=0 REPEAT=0 UNLOCK=1 KILLED=0 EXIT=3"
done_ok
