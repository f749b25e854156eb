#!/usr/bin/env bash
# Builds examples/freestanding (no libc, own _start) for AArch64 and RISC-V 64
# with Debian's rustc and -Zbuild-std=core, links it with rust-lld (no cross
# gcc needed: the binary takes nothing from a C toolchain), and runs it under
# qemu-user. One line per target; exits non-zero if any target fails.
#
# Under qemu-user the Landlock version query is normally ENOSYS: the example
# prints the errno then, which is accepted as the error path.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
manifest="$root/examples/freestanding/Cargo.toml"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/freestanding-cross}"

need=()
[[ -x /usr/bin/rustc ]] || need+=(rustc-web)
[[ -d /usr/lib/rustlib/src/rust/library/core ]] || need+=(rust-web-src)
command -v rust-lld >/dev/null || need+=(rust-web-llvm)
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
command -v qemu-riscv64-static >/dev/null || need+=(qemu-user-static)
command -v file >/dev/null || need+=(file)
if ((${#need[@]})); then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

export RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1

# target triple, qemu binary, expected `Abi::NATIVE.name()`
targets=(
    "aarch64-unknown-linux-gnu qemu-aarch64-static aarch64"
    "riscv64gc-unknown-linux-gnu qemu-riscv64-static riscv64"
)

failed=0
for entry in "${targets[@]}"; do
    read -r triple qemu abi <<<"$entry"
    var="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$triple")_LINKER"
    log="$CARGO_TARGET_DIR/$triple-build.log"
    mkdir -p "$CARGO_TARGET_DIR"
    start=$SECONDS
    if ! env "$var=rust-lld" cargo build --quiet --release -Zbuild-std=core \
        --target "$triple" --manifest-path "$manifest" >"$log" 2>&1; then
        echo "$triple: FAIL (build, see $log)"
        tail -n 20 "$log" >&2
        failed=1
        continue
    fi
    bin="$CARGO_TARGET_DIR/$triple/release/seclude-freestanding"

    problems=()
    file -b "$bin" | grep -q 'statically linked' || problems+=("not statically linked")
    set +e
    out="$("$qemu" "$bin")"
    status=$?
    set -e
    ((status == 0)) || problems+=("exit status $status")
    grep -qx "abi: $abi" <<<"$out" || problems+=("no 'abi: $abi'")
    grep -qE '^pid: [1-9][0-9]*$' <<<"$out" || problems+=("no pid line")
    grep -qE '^landlock_create_ruleset: nr [0-9]+$' <<<"$out" || problems+=("no syscall number")
    grep -qE '^landlock( abi [1-9][0-9]*|: E[A-Z0-9]+ \(.*\))$' <<<"$out" ||
        problems+=("no landlock line")
    grep -qE '^close\(-1\): EBADF ' <<<"$out" || problems+=("close(-1) not EBADF")
    grep -qx 'mmap+munmap: ok' <<<"$out" || problems+=("mmap check")
    grep -qx 'seclude freestanding: ok' <<<"$out" || problems+=("no final ok")

    size=$(stat -c %s "$bin")
    landlock=$(grep -E '^landlock( abi|:)' <<<"$out" || true)
    if ((${#problems[@]})); then
        echo "$triple: FAIL ($(IFS=,; echo "${problems[*]}")) after $((SECONDS - start))s"
        printf '%s\n' "$out" >&2
        failed=1
    else
        echo "$triple: ok under $qemu, ${size} bytes, $landlock, $((SECONDS - start))s"
    fi
done
exit "$failed"
