#!/bin/sh
# scripts/install-deps on Debian 12 (bookworm) and 13 (trixie), with dpkg,
# apt and the clang command replaced by fakes on PATH: which packages each
# group asks for, the clang runtime of the running release (trixie has no
# libclang-rt-14-dev), optional packages a release lacks skipped, required
# ones failing by name, and no apt call at all when everything is installed.
. "$(dirname "$0")/lib.sh"

deps="$SRC/scripts/install-deps"
mkdir -p bin
# state of the fake system
: > installed            # packages dpkg has, one a line
: > apt.log              # every apt-get and sudo call
rm -f lists-fresh        # apt's lists: empty until `apt-get update`
: > no-candidate         # packages the fake release has no candidate for

cat > bin/dpkg-query <<'EOF'
#!/bin/sh
# dpkg-query -W -f=FORMAT PKG...
fmt=""
for a in "$@"; do case $a in -f=*) fmt=${a#-f=} ;; esac; done
shift 2
rc=0
for p in "$@"; do
    if grep -qx "$p" "$FAKE/installed"; then
        case $fmt in
            *Depends*) [ "$p" = clang ] && printf 'ii  clang-%s (>= %s~)\n' "$FAKE_PKG_CLANG" "$FAKE_PKG_CLANG" ;;
            *) printf '%s ii \n' "$p" ;;
        esac
    else
        echo "dpkg-query: no packages found matching $p" >&2
        rc=1
    fi
done
exit $rc
EOF
cat > bin/apt-cache <<'EOF'
#!/bin/sh
[ -e "$FAKE/lists-fresh" ] || exit 0     # no lists yet: apt knows nothing
case $1 in
    show) [ "$3" = clang ] && echo "Package: clang" && echo "Depends: clang-$FAKE_APT_CLANG (>= $FAKE_APT_CLANG~)" ;;
    policy)
        echo "$2:"
        echo "  Installed: (none)"
        if grep -qx "$2" "$FAKE/no-candidate"; then echo "  Candidate: (none)"; else echo "  Candidate: 1.0-1"; fi
        ;;
esac
exit 0
EOF
cat > bin/apt-get <<'EOF'
#!/bin/sh
echo "apt-get $*" >> "$FAKE/apt.log"
case $1 in
    update) touch "$FAKE/lists-fresh" ;;
    install) for p in "$@"; do case $p in -*|install) ;; *) echo "$p" >> "$FAKE/installed" ;; esac; done ;;
esac
echo "lots of apt output that only the log should show"
EOF
cat > bin/sudo <<'EOF'
#!/bin/sh
echo "sudo $1" >> "$FAKE/apt.log"
exec "$@"
EOF
cat > bin/id <<'EOF'
#!/bin/sh
echo "$FAKE_UID"
EOF
cat > bin/clang <<'EOF'
#!/bin/sh
[ -n "$FAKE_CLANG_CMD" ] || exit 127
echo "Debian clang version $FAKE_CLANG_CMD.0.1"
EOF
chmod +x bin/*
export FAKE="$T" FAKE_UID=0 FAKE_CLANG_CMD="" FAKE_PKG_CLANG=19 FAKE_APT_CLANG=19
export PATH="$T/bin:$PATH"
printf 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nVERSION_CODENAME=trixie\nID=debian\n' > trixie
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n' > bookworm
export CONSTAT_OS_RELEASE="$T/trixie"

# 1. --print, before any apt-get update (a bare machine): the release's
# default clang gives the runtime's version
run_ok sh "$deps" --print asan
expect_in out libclang-rt-19-dev
expect_not_in out libclang-rt-14-dev
expect_in out libmicrohttpd-dev
CONSTAT_OS_RELEASE="$T/bookworm" run_ok sh "$deps" --print asan
expect_in out libclang-rt-14-dev
expect_not_in out libclang-rt-19-dev
# the clang that `clang` runs wins over the release's default
FAKE_CLANG_CMD=17 run_ok sh "$deps" --print fuzz
expect_in out libclang-rt-17-dev
expect_not_in out libclang-rt-19-dev

# 2. each group asks for what its target uses, and no more
run_ok sh "$deps" --print demo
expect_in out libcmocka-dev
expect_in out libjemalloc-dev
expect_in out python3
for p in curl nginx clang llvm valgrind time; do
    if grep -qx "$p" out; then fail "demo group asks for $p"; fi
done
run_ok sh "$deps" --print test
grep -qx curl out || fail "test group lacks curl"
grep -qx nginx out || fail "test group lacks nginx"
for p in chromium chromium-driver python3-selenium; do
    grep -qx "$p" out || fail "test group lacks $p (the web app's browser test, t0700)"
done
for p in clang llvm valgrind time; do
    if grep -qx "$p" out; then fail "test group asks for $p"; fi
done
expect_not_in out libclang-rt
run_ok sh "$deps" --print valgrind
grep -qx valgrind out || fail "valgrind group lacks valgrind"
expect_not_in out clang
run_ok sh "$deps" --print all
expect_eq "$(wc -l < out | tr -d ' ')" "$(sort -u out | wc -l | tr -d ' ')" "each package once in 'all'"
run_fails 1 sh "$deps" bogus
expect_in err "unknown group 'bogus'"

# 3. a bare trixie, `make test`'s group: lists updated, then the test
# packages installed, nothing for the sanitizers; apt's chatter stays in its log
run_ok sh "$deps" test
expect_eq "$(sed -n 1p apt.log)" "apt-get update" "first apt call"
expect_in apt.log "apt-get install -y -q --no-install-recommends build-essential cmake pkgconf"
expect_in apt.log " libmicrohttpd-dev "
expect_in apt.log " curl"
expect_not_in apt.log clang
expect_not_in out "lots of apt output"
expect_not_in err "lots of apt output"
expect_in out "installing for test on trixie:"

# 4. `make asan` after it: only the sanitizer packages are new, and the
# runtime is the one of the clang that the fresh lists name
: > apt.log
FAKE_APT_CLANG=19 run_ok sh "$deps" asan
expect_in apt.log "apt-get install -y -q --no-install-recommends clang libclang-rt-19-dev llvm"
expect_not_in apt.log libclang-rt-14-dev
expect_not_in apt.log libsodium-dev

# 5. everything installed: no apt call at all, no output
: > apt.log
FAKE_CLANG_CMD=19 run_ok sh "$deps" asan
expect_eq "$(wc -c < apt.log | tr -d ' ')" 0 "apt calls when all is installed"
expect_eq "$(cat out err)" "" "output when all is installed"
run_ok sh "$deps" test
expect_eq "$(wc -c < apt.log | tr -d ' ')" 0 "apt calls when all is installed (test)"

# 6. an optional package the release lacks is skipped with a warning
echo valgrind > no-candidate
run_ok sh "$deps" valgrind
expect_in err "Debian trixie has no package valgrind; skipped"
expect_not_in apt.log "install"
expect_eq "$(grep -cx valgrind installed)" 0 "valgrind installed"

# 7. a required package the release lacks: a failure naming it, nothing installed
: > installed
: > apt.log
echo libmicrohttpd-dev > no-candidate
run_fails 1 sh "$deps" demo
expect_in err "Debian trixie has no package: libmicrohttpd-dev"
expect_not_in apt.log "install"

# 8. not root: apt-get through sudo
: > no-candidate
: > apt.log
FAKE_UID=1000 run_ok sh "$deps" demo
expect_in apt.log "sudo env"
expect_in apt.log "apt-get install"
expect_in err "with sudo"

# 9. apt-get failing: its log is shown and the script fails
: > installed
cat > bin/apt-get <<'EOF'
#!/bin/sh
echo "E: Unable to locate package frobnicate-dev"
exit 100
EOF
run_fails 1 sh "$deps" demo
expect_in err "E: Unable to locate package frobnicate-dev"
expect_in err "install-deps: failed: apt-get update"

# 10. ./setup on a bare machine: no make, cmake, cc or pkg-config on PATH.
# The build tools come first, then the packages of `make test`, with one
# `apt-get update` in all.
cat > bin/apt-get <<'EOF'
#!/bin/sh
echo "apt-get $*" >> "$FAKE/apt.log"
case $1 in
    update) touch "$FAKE/lists-fresh" ;;
    install) for p in "$@"; do case $p in -*|install) ;; *) echo "$p" >> "$FAKE/installed" ;; esac; done ;;
esac
EOF
chmod +x bin/apt-get
mkdir minbin
for c in sh env dirname mktemp cat rm sed tr grep head touch; do
    ln -s "$(command -v "$c")" "minbin/$c"
done
for c in dpkg-query apt-cache apt-get id clang; do ln -s "$T/bin/$c" "minbin/$c"; done
: > installed
: > apt.log
rm -f lists-fresh
PATH="$T/minbin" run_ok sh "$SRC/setup"
expect_eq "$(grep -c 'apt-get update' apt.log)" 1 "apt-get update calls"
expect_eq "$(sed -n 2p apt.log)" "apt-get install -y -q --no-install-recommends make cmake build-essential pkgconf" "setup's first install"
expect_in apt.log " libjemalloc-dev "
expect_in apt.log " curl"
expect_not_in apt.log clang
expect_in out "setup: ready. Now: make demo"
# not root and no sudo: told what to do, nothing run
: > apt.log
FAKE_UID=1000 PATH="$T/minbin" run_fails 1 sh "$SRC/setup"
expect_in err "run it as root (su -c ./setup)"
expect_eq "$(wc -c < apt.log | tr -d ' ')" 0 "apt calls without root or sudo"
# again with the tools on PATH and everything installed: nothing to do
run_ok sh "$SRC/setup"
expect_eq "$(wc -c < apt.log | tr -d ' ')" 0 "apt calls when all is installed (setup)"
expect_in out "setup: ready"

echo "t0003-install-deps: $checks checks passed"
