#!/usr/bin/env bash
# Builds examples/musl-static (seclude with the `std` feature) as a fully
# static x86-64 musl executable with Debian's rustc and -Zbuild-std, checks
# that `file` calls it statically linked, runs it and checks its output.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$root/examples/musl-static/Cargo.toml"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/musl-static}"
triple=x86_64-unknown-linux-musl

if [[ "$(uname -m)" != x86_64 ]]; then
    echo "musl-static: skipped (the recipe is for an x86-64 host)"
    exit 0
fi

# shellcheck source=lib/static.sh
source "$root/.ci/lib/static.sh"
static_build_packages "$triple"
build_static() { static_build "$triple" "$@"; }
check_static() {
    echo "file: $(file -b "$1")"
    static_check "$1" || { echo "musl-static: FAIL ($1 is not statically linked)"; exit 1; }
}

start=$SECONDS
build_static --manifest-path "$manifest"
bin="$CARGO_TARGET_DIR/$triple/release/seclude-musl-static"

check_static "$bin"

set +e
out="$("$bin" openat landlock_create_ruleset socketcall no_such_syscall)"
status=$?
set -e
printf '%s\n' "$out"
expected=(
    "abi: x86_64"
    "openat: 257"
    "landlock_create_ruleset: 444"
    "socketcall: not in the x86_64 ABI"
    "no_such_syscall: unknown"
    "seclude on musl: ok"
)
problems=()
((status == 0)) || problems+=("exit status $status")
for line in "${expected[@]}"; do
    grep -qxF "$line" <<<"$out" || problems+=("no '$line'")
done
grep -qE '^pid: [1-9][0-9]* \(std::process::id agrees\)$' <<<"$out" || problems+=("pid")
grep -qE '^close\(-1\): EBADF \(.*\)$' <<<"$out" || problems+=("Errno display")
grep -qE '^io::Error: .*\(os error 9\)$' <<<"$out" || problems+=("io::Error")

size=$(stat -c %s "$bin")
strip -o "$bin.stripped" "$bin"
stripped=$(stat -c %s "$bin.stripped")
if ((${#problems[@]})); then
    echo "musl-static: FAIL ($(IFS=,; echo "${problems[*]}"))"
    exit 1
fi
echo "musl-static: ok, $size bytes ($stripped stripped), $((SECONDS - start))s"

# The seclude command itself, static: it writes its loading marker (no file
# to ship) and confines dynamically linked programs.
start=$SECONDS
build_static --manifest-path "$root/Cargo.toml" --bin seclude
cmd="$CARGO_TARGET_DIR/$triple/release/seclude"
check_static "$cmd"
set +e
allowed="$("$cmd" -p 'stdio rpath' -v r:/etc -- cat /etc/hostname 2>&1)"
allowed_status=$?
refused="$("$cmd" -p stdio -- cat /etc/hostname 2>&1)"
refused_status=$?
set -e
printf 'allowed (%d): %s\nrefused (%d): %s\n' "$allowed_status" "$allowed" "$refused_status" "$refused"
if ((allowed_status != 0)) || [[ "$allowed" != "$(cat /etc/hostname)" ]] \
   || ((refused_status == 0)) || ! grep -q 'openat refused (EPERM); promise "rpath" would allow it' <<<"$refused"; then
    echo "musl-static: FAIL (the static seclude command)"
    exit 1
fi
echo "musl-static: seclude command ok, $(stat -c %s "$cmd") bytes, $((SECONDS - start))s"
