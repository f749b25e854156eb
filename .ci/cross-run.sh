#!/usr/bin/env bash
# Builds the freestanding check program in tests/cross (no libc, no std) for
# each architecture whose syscall shim is our own asm, and runs it under the
# matching qemu-user emulator: it exercises seclude::sys with 0 to 6
# arguments and the errno path, and must exit 0 and print one line.
#
# Debug and release builds are both run: the register allocation around
# the asm blocks differs between them.
#
# Usage: .ci/cross-run.sh [TARGET...]   (default: all of them)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

# target:qemu-binary (empty: no emulator can run it, build only).
SPECS_DEFAULT=(
    i686-unknown-linux-gnu:qemu-i386-static
    armv7-unknown-linux-gnueabihf:qemu-arm-static
    riscv32gc-unknown-linux-gnu:qemu-riscv32-static
    loongarch64-unknown-linux-gnu:qemu-loongarch64-static
    s390x-unknown-linux-gnu:qemu-s390x-static
    powerpc64le-unknown-linux-gnu:qemu-ppc64le-static
    x86_64-unknown-linux-gnux32:
)
SPECS=()
if [ "$#" -gt 0 ]; then
    for t in "$@"; do
        for s in "${SPECS_DEFAULT[@]}"; do
            if [ "${s%%:*}" = "$t" ]; then SPECS+=("$s"); fi
        done
    done
else
    SPECS=("${SPECS_DEFAULT[@]}")
fi

# What this needs from Debian: its rustc with the library sources (for
# -Zbuild-std), lld (Debian's /usr/bin/rust-lld points at lld-22, which
# rustc-web does not pull in), and qemu-user-static.
need=()
if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library/core ]; then
    need+=(rustc-web rust-web-src)
fi
if [ ! -x /usr/bin/rust-lld ]; then need+=(lld-22); fi
if [ ! -x /usr/bin/qemu-arm-static ]; then need+=(qemu-user-static); fi
if [ "${#need[@]}" -gt 0 ]; then
    echo "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
fi

export RUSTC=/usr/bin/rustc
export RUSTDOC=/usr/bin/rustdoc
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/cross}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$ROOT/$CARGO_TARGET_DIR" ;; esac
LOGDIR="$CARGO_TARGET_DIR/logs"
mkdir -p "$LOGDIR"

x32_kernel() {
    { zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null; } |
        grep -q '^CONFIG_X86_X32_ABI=y'
}

: >"$LOGDIR/summary-run"
say() { echo "$1" | tee -a "$LOGDIR/summary-run"; }

failed=0
for spec in "${SPECS[@]}"; do
    t=${spec%%:*}
    qemu=${spec#*:}
    # qemu 7.2 (Debian 12) has no LoongArch LSX vector instructions, which
    # the target enables by default; build the check program without them.
    rustflags=""
    if [ "$t" = loongarch64-unknown-linux-gnu ]; then rustflags="-C target-feature=-lsx"; fi
    for profile in debug release; do
        start=$SECONDS
        log="$LOGDIR/run-$t-$profile.log"
        flag=""
        if [ "$profile" = release ]; then flag=--release; fi
        if ! (cd tests/cross && RUSTFLAGS="$rustflags" cargo rustc --bin seclude-cross-check \
            -Zbuild-std=core --target "$t" ${flag:+"$flag"} -- \
            -C linker=rust-lld -C linker-flavor=ld.lld -C relocation-model=static -D warnings) \
            >"$log" 2>&1; then
            say "FAIL $t $profile: build (see $log)"
            tail -n 20 "$log" | sed 's/^/     | /'
            failed=1
            continue
        fi
        bin="$CARGO_TARGET_DIR/$t/$profile/seclude-cross-check"
        expected="seclude cross-check: all checks passed on $t"

        runners=()
        if [ -n "$qemu" ]; then
            if command -v "$qemu" >/dev/null; then
                runners+=("$qemu")
            else
                say "SKIP $t $profile: built, but $qemu is not installed (compile check only)"
            fi
        fi
        # i386 binaries also run on an x86-64 kernel directly: the real thing.
        if [ "$t" = i686-unknown-linux-gnu ] && [ "$(uname -m)" = x86_64 ]; then
            runners+=(native)
        fi
        if [ "$t" = x86_64-unknown-linux-gnux32 ]; then
            if x32_kernel; then
                runners+=(native)
            else
                say "SKIP $t $profile: built and linked; not run (qemu-user has no x32 ABI and this kernel lacks CONFIG_X86_X32_ABI)"
            fi
        fi

        for runner in "${runners[@]}"; do
            if [ "$runner" = native ]; then cmd=("$bin"); else cmd=("$runner" "$bin"); fi
            rc=0
            out=$(timeout 60 "${cmd[@]}" 2>>"$log") || rc=$?
            if [ "$rc" -eq 0 ] && [ "$out" = "$expected" ]; then
                say "OK   $t $profile under $runner: $out ($((SECONDS - start))s)"
            else
                say "FAIL $t $profile under $runner: exit $rc (number of the failed check), output '$out'"
                failed=1
            fi
        done
    done
done

ok=$(grep -c "^OK" "$LOGDIR/summary-run" || true)
bad=$(grep -c "^FAIL" "$LOGDIR/summary-run" || true)
echo "cross-run: $ok passed, $bad failed"
exit "$failed"
