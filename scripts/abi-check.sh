#!/usr/bin/env bash
# The ABI check: compares the library just built with the committed baseline,
# abi/libigny8settings.abi, using abidw and abidiff (libabigail; Debian's abigail-tools).
#
#   bash scripts/abi-check.sh [BUILD_DIR]           check BUILD_DIR (default build/)
#   bash scripts/abi-check.sh --update [BUILD_DIR]  make the baseline from BUILD_DIR
#
# BUILD_DIR must be a build with debug info (scripts/test.sh's build/ is RelWithDebInfo).
# Only what the public headers define counts: abi/private-types.suppr says why and how.
#
# What passes and what fails (README, "ABI and versioning"). abidiff's exit status is a
# bit set: 1 = abidiff failed, 2 = usage error, 4 = the ABI changed, 8 = the change is
# incompatible (a function or variable removed).
#   0                      same ABI: pass.
#   4, additions only      new functions or variables (abidiff --no-added-syms finds
#                          nothing else): pass. A minor version may add; bump
#                          IGNY8_VERSION_MINOR and run --update before the release.
#   4, anything else       a changed function signature or a changed layout of a public
#                          struct: fail. A field appended to an options struct fails too
#                          until the baseline is updated with a new minor version
#                          (--update, below); any other change is a break.
#   8                      a removed or renamed function: fail. Only a new major version
#                          (a new SONAME) may do that.
#   1, 2                   fail: the check itself did not run.
# abidiff does not see the values of enumerators and flag macros that no signature names
# (the error codes, IGNY8_FIELD_*, ...), so a second check compiles a program printing
# every one of them against the baseline's headers (abi/include/) and against the
# current headers: a value changed or a name gone fails.
#
# --update regenerates abi/libigny8settings.abi and abi/include/ (the headers the
# compatibility test tests/abi/compat.c is compiled against). Within a major version it
# takes additions only, with a new minor version: it refuses an ABI change while the
# version is still the baseline's, and a break: bit 8, a changed constant, or a change
# other than new functions and new fields that move no other field (a changed parameter
# or return type, a moved, retyped or removed field). A new major version (a new SONAME)
# starts a new baseline.
#
# Options for the self-test (tests/abi/check_catches_a_break.sh) and for other layouts:
#   --lib FILE      the shared library to check (default: BUILD_DIR/libigny8settings.so)
#   --abi-dir DIR   where the baseline and its headers live (default: abi/)
#   --headers DIR   the current public headers (default: include/)
# Exit status: 0 pass, 1 the ABI check failed, 2 the tools or the arguments failed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
suppr="$root/abi/private-types.suppr"
update=0
build=""
lib=""
abi_dir="$root/abi"
headers="$root/include"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
die() { echo "abi-check: error: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --update) update=1 ;;
    --lib) lib=$2; shift ;;
    --abi-dir) abi_dir=$2; shift ;;
    --headers) headers=$2; shift ;;
    -h|--help) usage ;;
    -*) echo "abi-check: unknown option $1" >&2; usage ;;
    *) [ -z "$build" ] || usage; build=$1 ;;
  esac
  shift
done

# The version in a header tree, as "MAJOR MINOR PATCH" (empty when there is no version.h).
version_of() {
  local f="$1/igny8/version.h" part out=""
  [ -f "$f" ] || return 0
  for part in MAJOR MINOR PATCH; do
    out+="$(sed -n "s/^#define IGNY8_VERSION_$part \([0-9][0-9]*\)$/\1/p" "$f") "
  done
  echo "${out% }"
}

for tool in abidw abidiff nm "${CC:-cc}"; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/deps.sh installs abigail-tools and the compiler)"
done
if [ -z "$lib" ]; then
  build=${build:-build}
  [ -e "$build/libigny8settings.so" ] || die "$build/libigny8settings.so not found: build first"
  lib=$(readlink -f "$build/libigny8settings.so")
  v=$(version_of "$headers")
  [ "$(basename "$lib")" = "libigny8settings.so.${v// /.}" ] ||
    die "$lib is not version ${v// /.} of include/igny8/version.h: rebuild $build first"
fi
[ -f "$lib" ] || die "no library at $lib"
[ -f "$suppr" ] || die "missing $suppr"
baseline="$abi_dir/libigny8settings.abi"
base_headers="$abi_dir/include"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# abidw with the options both sides of the comparison share: public types only
# (the suppression), no undefined symbols, no paths or line numbers (so the baseline
# changes only when the ABI does), type ids that do not shift when a type is added.
dump() {
  abidw --suppressions "$suppr" --drop-undefined-syms --no-show-locs --short-locs \
        --no-comp-dir-path --no-corpus-path --no-elf-needed --type-id-style hash \
        "$1" > "$2" || die "abidw failed on $1"
  # Every exported function must be described, with its parameters: a library built
  # without debug info, or a suppression that dropped a function's types, would make
  # the comparison blind.
  local exported described
  exported=$(nm -D --defined-only "$1" | awk '$2 == "T" && $3 !~ /^IGNY8SETTINGS_/ { n++ } END { print n + 0 }')
  described=$(grep -c "<function-decl .*elf-symbol-id=" "$2" || true)
  if [ "$exported" -eq 0 ] || [ "$exported" != "$described" ]; then
    die "abidw describes $described of the $exported functions $1 exports (built without -g?)"
  fi
  functions=$exported
}

# Compare the baseline with $tmp/current.abi; sets abi_status (same, additions, changed,
# incompatible) and leaves the report in $tmp/abidiff.txt.
compare() {
  local rc=0 rc_changes=0
  abidiff --no-default-suppression "$baseline" "$tmp/current.abi" > "$tmp/abidiff.txt" 2>&1 || rc=$?
  abidiff_rc=$rc
  if [ $((rc & 3)) -ne 0 ]; then
    cat "$tmp/abidiff.txt" >&2
    die "abidiff failed (exit $rc): abidiff --no-default-suppression $baseline $tmp/current.abi"
  elif [ $((rc & 8)) -ne 0 ]; then
    abi_status=incompatible
  elif [ $((rc & 4)) -ne 0 ]; then
    abidiff --no-default-suppression --no-added-syms "$baseline" "$tmp/current.abi" \
      > /dev/null 2>&1 || rc_changes=$?
    [ $((rc_changes & 3)) -eq 0 ] || die "abidiff --no-added-syms failed (exit $rc_changes)"
    if [ "$rc_changes" -eq 0 ]; then abi_status=additions; else abi_status=changed; fi
  else
    abi_status=same
  fi
}

# For --update: 0 when abidiff's report (status "changed") shows nothing but fields
# inserted into public structs without moving another one (an appended field, or one put
# in padding), reached through the functions that take those structs; anything else
# (a parameter or return type changed, a field moved, retyped or removed) is a break.
fields_added_only() {
  awk '
    { sub(/^[ \t]+/, "") }
    /^$/ || /^(Functions|Variables) changes summary:/ { next }
    /^[0-9]+ (function|variable)s? with (some )?(indirect )?sub-type changes?:$/ { next }
    /^\[C\] .* has some (indirect )?sub-type changes:$/ { next }
    /^parameter [0-9]+ of type .* has sub-type changes:$/ { next }
    /^in (pointed to|unqualified underlying) type .*:$/ { next }
    /^underlying type .* changed:$/ { next }
    /^type size hasn.t changed$/ { next }
    /^type size changed from [0-9]+ to [0-9]+ \(in bits\)$/ { if ($7 + 0 > $5 + 0) next }
    /^[0-9]+ data member insertions?:$/ { next }
    /^[0-9]+ Added (function|variable)s?:$/ { next }   # additions go with insertions in a minor version
    /^\[A\] / { next }
    /^.*, at offset [0-9]+ \(in bits\)$/ { next }
    { print "not an insertion: " $0; bad = 1 }
    END { exit bad }
  ' "$tmp/abidiff.txt"
}

# The enumerators and the flag/selector macros of the baseline headers, with the same
# values in the current headers. Defaults, limits, struct versions and the library
# version may change in a minor version and are left out.
constants() {
  local names
  local h
  for h in "$base_headers"/igny8/*.h; do  # the headers without their comments
    "${CC:-cc}" -fpreprocessed -dD -E -P -x c "$h" > "$tmp/$(basename "$h").i" 2> "$tmp/cpp.txt" ||
      { cat "$tmp/cpp.txt" >&2; die "cannot read $h"; }
  done
  names=$(
    {
      # every enumerator: the names in an enum's braces
      cat "$tmp"/*.h.i | tr '\n' ' ' | grep -oE 'enum[^{};]*\{[^}]*\}' | grep -oE 'IGNY8_[A-Z0-9_]+' || true
      # macros of an integer value, but versions, defaults and limits
      sed -nE 's/^#define (IGNY8_[A-Z0-9_]+)[[:space:]]+([-+*|<() 0-9xXa-fA-FuUlL]+)$/\1/p' "$tmp"/*.h.i |
        grep -vE '(_H|_VERSION|_INIT|_DEFAULT|_DEFAULT_MS|_MAX|_MAX_MS|_MIN|_BYTES)$|^IGNY8_(VERSION|DEFAULT)_' || true
    } | sort -u
  )
  constants_count=$(printf '%s\n' "$names" | grep -c . || true)
  constants_status=same
  [ "$constants_count" -gt 0 ] || return 0
  {
    echo '#include <stdio.h>'
    for h in "$base_headers"/igny8/*.h; do echo "#include <igny8/$(basename "$h")>"; done
    echo 'int main(void) {'
    for n in $names; do echo "    printf(\"%s %lld\\n\", \"$n\", (long long)($n));"; done
    echo '    return 0; }'
  } > "$tmp/constants.c"
  "${CC:-cc}" -std=c11 -I"$base_headers" "$tmp/constants.c" -o "$tmp/constants_base" 2> "$tmp/cc.txt" ||
    { cat "$tmp/cc.txt" >&2; die "cannot compile the constants of $base_headers"; }
  "$tmp/constants_base" > "$tmp/constants_base.txt"
  if ! "${CC:-cc}" -std=c11 -I"$headers" "$tmp/constants.c" -o "$tmp/constants_current" 2> "$tmp/cc.txt"; then
    constants_status=changed
    { echo "constants of the baseline headers that the current headers lack:"
      grep -E "error:" "$tmp/cc.txt" || cat "$tmp/cc.txt"; } > "$tmp/constants_report.txt"
    return 0
  fi
  "$tmp/constants_current" > "$tmp/constants_current.txt"
  if ! diff -u --label "baseline ($base_headers)" --label "current ($headers)" \
        "$tmp/constants_base.txt" "$tmp/constants_current.txt" > "$tmp/constants_report.txt"; then
    constants_status=changed
  fi
}

dump "$lib" "$tmp/current.abi"
current_version=$(version_of "$headers")
base_version=$(version_of "$base_headers")
label="$(basename "$lib") (headers ${current_version// /.})"

if [ "$update" -eq 1 ]; then
  if [ -f "$baseline" ] && [ -d "$base_headers" ]; then
    compare
    constants
    echo "abi-check: the library against the baseline ${base_version// /.}: ABI $abi_status, constants $constants_status"
    [ "$abi_status" = same ] || cat "$tmp/abidiff.txt"
    [ "$constants_status" = same ] || cat "$tmp/constants_report.txt"
    read -r cur_major cur_minor _ <<< "$current_version"
    read -r base_major base_minor _ <<< "$base_version"
    if [ "${cur_major:-}" != "${base_major:-}" ]; then
      echo "abi-check: major version ${base_major:-?} -> ${cur_major:-?}: a new SONAME starts a new baseline"
    elif [ "$abi_status" = incompatible ] || [ "$constants_status" = changed ] ||
         { [ "$abi_status" = changed ] && ! fields_added_only; }; then
      echo "abi-check: refusing to update: this breaks the ABI of the ${base_major}.x series." >&2
      echo "  Add instead of changing (deprecate the old call with IGNY8_DEPRECATED and keep it);" >&2
      echo "  a break waits for the next major version, with a new SONAME." >&2
      exit 1
    elif [ "$abi_status" != same ] && [ "$cur_minor" = "$base_minor" ]; then
      echo "abi-check: refusing to update: the ABI changed but the version is still ${current_version// /.}." >&2
      echo "  Bump IGNY8_VERSION_MINOR in include/igny8/version.h, rebuild, and run --update again." >&2
      exit 1
    elif [ "$abi_status" = changed ]; then
      echo "abi-check: fields added to public structs: make sure each is appended to a" \
           "versioned options struct, with its IGNY8_<NAME>_VERSION raised."
    fi
  fi
  mkdir -p "$abi_dir"
  cp "$tmp/current.abi" "$baseline"
  rm -rf "$base_headers"
  mkdir -p "$base_headers"
  cp -R "$headers"/. "$base_headers"/
  echo "abi-check: wrote $baseline ($functions functions) and $base_headers/ from $label"
  echo "abi-check: commit them with the change: git add $(realpath --relative-to="$PWD" "$abi_dir" 2>/dev/null || echo "$abi_dir")"
  exit 0
fi

[ -f "$baseline" ] || die "no baseline at $baseline: make one with --update"
[ -d "$base_headers" ] || die "no baseline headers at $base_headers: make them with --update"
compare
constants

summary="$label against $(basename "$baseline") (${base_version// /.})"
failed=0
case "$abi_status" in
  same)
    echo "abi-check: $summary: no ABI change ($functions functions)" ;;
  additions)
    echo "abi-check: $summary: additions only, compatible:"
    grep -E "^\s*\[A\]" "$tmp/abidiff.txt" || true
    echo "abi-check: fine for a minor version; before the release bump IGNY8_VERSION_MINOR and run: bash scripts/abi-check.sh --update" ;;
  *)
    failed=1
    echo "abi-check: FAILED: $summary: the ABI changed (abidiff exit $abidiff_rc: $abi_status)" >&2
    echo "abi-check: abidiff's report (the baseline first, then this build):" >&2
    sed 's/^/    /' "$tmp/abidiff.txt" >&2
    if [ "$abi_status" = changed ] && fields_added_only > /dev/null; then
      echo "abi-check: this only adds fields to public structs: if they are appended to" \
           "versioned options structs, it is a minor version's change (see below)." >&2
    fi ;;
esac
if [ "$constants_status" = same ]; then
  echo "abi-check: $constants_count enumerators and flag macros of the baseline headers keep their values"
else
  failed=1
  echo "abi-check: FAILED: public constants changed (enumerators and flag macros must keep their values):" >&2
  sed 's/^/    /' "$tmp/constants_report.txt" >&2
fi
if [ "$failed" -ne 0 ]; then
  cat >&2 <<'EOF'
abi-check: what to do (README, "ABI and versioning"):
  - unintended: restore the signature, the struct layout or the value; append new fields
    at the end of options structs only, and add new calls instead of changing old ones.
  - an intended addition (a field appended to a versioned options struct): bump
    IGNY8_VERSION_MINOR in include/igny8/version.h, rebuild, run
    `bash scripts/abi-check.sh --update`, and commit abi/ with the change.
  - a break (removed or changed call, moved field, changed value) is only for a new
    major version, with a new SONAME: never within 1.x. Deprecate first (IGNY8_DEPRECATED).
EOF
  exit 1
fi
