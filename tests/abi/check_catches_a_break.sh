#!/usr/bin/env bash
# CTest abi_check_catches_a_break: scripts/abi-check.sh must tell a compatible change from
# a break. A tiny library laid out like ours (include/igny8/tiny.h, and a private
# src/tiny.h of the same base name that defines the opaque handle) is built once as the
# baseline (abi-check.sh --update), then once per change below, each checked with the
# real abi-check.sh, its suppression file and its abidiff exit-code handling.
#   passes: the same source rebuilt; a private field; a new function
#   fails:  a changed signature; a changed public struct layout; a removed function;
#           a changed enumerator or flag value; --update of a break within the same
#           version
#   error:  a library without debug info (the check would be blind)
# Exit 77 (skipped) when abidw is not installed; scripts/test.sh's own ABI step fails then.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
check="$root/scripts/abi-check.sh"
cc=${CC:-cc}
if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
  echo "abidw/abidiff not installed (Debian package abigail-tools): skipped"
  exit 77
fi

t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

# ---- version 1.0.0 of the tiny library ----
mkdir -p "$t/v0/include/igny8" "$t/v0/src"
cat > "$t/v0/include/igny8/version.h" <<'EOF'
#define IGNY8_VERSION_MAJOR 1
#define IGNY8_VERSION_MINOR 0
#define IGNY8_VERSION_PATCH 0
EOF
cat > "$t/v0/include/igny8/tiny.h" <<'EOF'
#ifndef IGNY8_TINY_H
#define IGNY8_TINY_H
#define TINY_API __attribute__((visibility("default")))
typedef struct igny8_tiny igny8_tiny;
typedef enum igny8_tiny_code { IGNY8_TINY_OK = 0, IGNY8_TINY_EINVAL = -2 } igny8_tiny_code;
#define IGNY8_TINY_FLAG_A (1u << 0)
typedef struct igny8_tiny_options {
    unsigned int version;
    unsigned int flags;
    unsigned int limit;
} igny8_tiny_options;
TINY_API int igny8_tiny_open(igny8_tiny **out, const igny8_tiny_options *opts);
TINY_API int igny8_tiny_limit(const igny8_tiny *t);
TINY_API void igny8_tiny_close(igny8_tiny *t);
#endif
EOF
cat > "$t/v0/src/tiny.h" <<'EOF'
#include "igny8/tiny.h"
struct igny8_tiny { int limit; };
EOF
cat > "$t/v0/src/tiny.c" <<'EOF'
#include <stdlib.h>
#include "tiny.h"
int igny8_tiny_open(igny8_tiny **out, const igny8_tiny_options *opts)
{
    if (!out || !(*out = calloc(1, sizeof(**out))))
        return IGNY8_TINY_EINVAL;
    (*out)->limit = opts ? (int)opts->limit : 0;
    return IGNY8_TINY_OK;
}
int igny8_tiny_limit(const igny8_tiny *t) { return t ? t->limit : IGNY8_TINY_EINVAL; }
void igny8_tiny_close(igny8_tiny *t) { free(t); }
EOF

# variant NAME SED_FILE SED_SCRIPT...: a copy of v0 with sed scripts applied to files
variant() {
  local name=$1; shift
  cp -R "$t/v0" "$t/$name"
  while [ $# -gt 0 ]; do
    sed -i "$2" "$t/$name/$1"
    cmp -s "$t/v0/$1" "$t/$name/$1" && { echo "variant $name: sed changed nothing in $1" >&2; exit 1; }
    shift 2
  done
}
build() {  # build NAME [CFLAGS...]
  local name=$1; shift
  "$cc" -shared -fPIC -fvisibility=hidden -O2 "${@:--g}" -Wl,-soname,libigny8settings.so.1 \
        -I"$t/$name/include" -I"$t/$name/src" "$t/$name/src/tiny.c" \
        -o "$t/$name/libigny8settings.so.1.0.0"
}
failures=0
expect() {  # expect RC NAME [abi-check options...]
  local want=$1 name=$2 rc=0; shift 2
  "$check" --lib "$t/$name/libigny8settings.so.1.0.0" --headers "$t/$name/include" \
           --abi-dir "$t/abi" "$@" > "$t/$name.out" 2>&1 || rc=$?
  if [ "$rc" -eq "$want" ]; then
    echo "ok: $name${*:+ $*}: abi-check exit $rc"
  else
    echo "FAIL: $name${*:+ $*}: abi-check exit $rc, expected $want; its output:"
    sed 's/^/    /' "$t/$name.out"
    failures=$((failures + 1))
  fi
}

build v0
expect 0 v0 --update
[ -s "$t/abi/libigny8settings.abi" ] && [ -f "$t/abi/include/igny8/tiny.h" ] ||
  { echo "FAIL: --update wrote no baseline"; exit 1; }

variant same
build same
expect 0 same

# the opaque handle's inside is not ABI, though src/tiny.h has the base name of a public header
variant private src/tiny.h 's/struct igny8_tiny { int limit; };/struct igny8_tiny { long cookie; int limit; };/'
build private
expect 0 private

variant added include/igny8/tiny.h 's/^#endif/TINY_API int igny8_tiny_flags(const igny8_tiny *t);\n#endif/' \
              src/tiny.c '$a int igny8_tiny_flags(const igny8_tiny *t) { return t ? 0 : -2; }'
build added
expect 0 added
grep -q "additions only" "$t/added.out" || { echo "FAIL: added: no 'additions only' in the output"; failures=$((failures + 1)); }

variant signature include/igny8/tiny.h 's/igny8_tiny_limit(const igny8_tiny \*t)/igny8_tiny_limit(const igny8_tiny *t, int dflt)/' \
                  src/tiny.c 's/igny8_tiny_limit(const igny8_tiny \*t) { return t ? t->limit : IGNY8_TINY_EINVAL; }/igny8_tiny_limit(const igny8_tiny *t, int dflt) { return t ? t->limit : dflt; }/'
build signature
expect 1 signature

variant layout include/igny8/tiny.h 's/    unsigned int flags;/    unsigned long flags;/'
build layout
expect 1 layout

variant removed include/igny8/tiny.h 's/^TINY_API void igny8_tiny_close/void igny8_tiny_close/'
build removed
expect 1 removed
grep -q "incompatible" "$t/removed.out" || { echo "FAIL: removed: not reported as incompatible"; failures=$((failures + 1)); }

variant enumerator include/igny8/tiny.h 's/IGNY8_TINY_EINVAL = -2/IGNY8_TINY_EINVAL = -3/'
build enumerator
expect 1 enumerator

variant flag include/igny8/tiny.h 's/IGNY8_TINY_FLAG_A (1u << 0)/IGNY8_TINY_FLAG_A (1u << 1)/'
build flag
expect 1 flag

# --update must not take a break as the new baseline within the same major version
cp "$t/abi/libigny8settings.abi" "$t/baseline.before"
expect 1 removed --update
cmp -s "$t/abi/libigny8settings.abi" "$t/baseline.before" ||
  { echo "FAIL: a refused --update changed the baseline"; failures=$((failures + 1)); }

# without debug info abidw sees symbols only: an error, never a pass
variant nodebug
build nodebug -g0
expect 2 nodebug

if [ "$failures" -ne 0 ]; then
  echo "abi_check_catches_a_break: $failures case(s) failed"
  exit 1
fi
echo "abi_check_catches_a_break: all cases behaved"
