#!/bin/sh
# scripts/check-layout fails on each kind of breach it exists to catch:
# SQL outside the store, a lower layer including a higher one, an include
# circle. (Run on a small tree made here; the real tree is lint/layout.)
. "$(dirname "$0")/lib.sh"
check=$CONSTAT_SOURCE_DIR/scripts/check-layout
t=$T
mk() {
    rm -rf "$t/tree"; mkdir -p "$t/tree/src/lib/base" "$t/tree/src/lib/log" \
        "$t/tree/src/lib/vault" "$t/tree/include/constat/base" "$t/tree/include/constat/vault"
    printf '#include "constat/base/buf.h"\n' > "$t/tree/src/lib/base/buf.c"
    printf '/* buf */\n' > "$t/tree/include/constat/base/buf.h"
    printf '#include "constat/base/buf.h"\n' > "$t/tree/src/lib/log/merkle.c"
    printf '#include <sqlite3.h>\n' > "$t/tree/src/lib/vault/store_sqlite.c"
    printf '/* vault */\n' > "$t/tree/include/constat/vault/vault.h"
}
mk
python3 "$check" "$t/tree" >/dev/null || fail "clean tree refused"

mk; printf 'sqlite3_exec(db, "x", 0, 0, 0);\n' >> "$t/tree/src/lib/log/merkle.c"
python3 "$check" "$t/tree" 2>"$t/err" && fail "SQL in log/ accepted"
grep -q 'src/lib/log/merkle.c:2: SQL outside the store' "$t/err" || fail "SQL message: $(cat "$t/err")"

mk; printf '#include "constat/vault/vault.h"\n' >> "$t/tree/src/lib/log/merkle.c"
python3 "$check" "$t/tree" 2>"$t/err" && fail "log including vault accepted"
grep -q "layer 'log' includes \"constat/vault/vault.h\" of the higher layer 'vault'" "$t/err" \
    || fail "layer message: $(cat "$t/err")"

mk; printf '#include "constat/base/hash.h"\n' >> "$t/tree/src/lib/base/buf.c"
printf '#include "constat/base/buf.h"\n' > "$t/tree/src/lib/base/hash.c"
printf '/* hash */\n' > "$t/tree/include/constat/base/hash.h"
python3 "$check" "$t/tree" 2>"$t/err" && fail "include circle accepted"
grep -q 'include circle between base/buf <-> base/hash' "$t/err" || fail "circle message: $(cat "$t/err")"
echo "ok: check-layout refuses SQL outside the store, upward includes and circles"
