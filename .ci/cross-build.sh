#!/usr/bin/env bash
# Compile-checks the seclude library for every architecture it supports, in
# debug and release, and checks that an unsupported one (mips) is refused
# with our compile_error sentence.
#
# Uses Debian's rustc (1.96, with the standard library sources) through the
# rustup cargo: `-Zbuild-std=core` builds `core` for each target, so no
# rustup target needs to be installed. `RUSTC_BOOTSTRAP=1` is only needed for
# `-Zbuild-std`; seclude itself is built with `-Zallow-features=` (through
# `cargo rustc`), which proves it uses no unstable feature, on any target.
#
# Usage: .ci/cross-build.sh [TARGET...]   (default: all of them)
set -euo pipefail

cd "$(dirname "$0")/.."

TARGETS_DEFAULT=(
    x86_64-unknown-linux-musl
    x86_64-unknown-linux-gnux32
    i686-unknown-linux-gnu
    aarch64-unknown-linux-gnu
    armv7-unknown-linux-gnueabihf
    riscv64gc-unknown-linux-gnu
    riscv32gc-unknown-linux-gnu
    loongarch64-unknown-linux-gnu
    s390x-unknown-linux-gnu
    powerpc64le-unknown-linux-gnu
    powerpc64-unknown-linux-gnu
)
if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    TARGETS=("${TARGETS_DEFAULT[@]}")
fi

# The sentence every unsupported architecture must be refused with.
REFUSAL="seclude does not support this target architecture"

# Debian's rustc with rust-src: install it if it is missing.
if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library/core ]; then
    echo "installing rustc-web and rust-web-src"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq rustc-web rust-web-src >/dev/null
fi

export RUSTC=/usr/bin/rustc
export RUSTDOC=/usr/bin/rustdoc
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/cross}"
LOGDIR="$CARGO_TARGET_DIR/logs"
mkdir -p "$LOGDIR"

echo "cross-build with $($RUSTC --version), $(cargo --version)"

build() { # target, profile flag (empty or --release)
    cargo rustc -p seclude --lib -Zbuild-std=core --target "$1" ${2:+"$2"} \
        -- -Zallow-features= -D warnings
}

: >"$LOGDIR/summary-build"
say() { echo "$1" | tee -a "$LOGDIR/summary-build"; }

failed=0
for t in "${TARGETS[@]}"; do
    start=$SECONDS
    log="$LOGDIR/build-$t.log"
    if build "$t" "" >"$log" 2>&1 && build "$t" --release >>"$log" 2>&1; then
        say "OK   $t (debug+release, $((SECONDS - start))s)"
    else
        say "FAIL $t (see $log)"
        tail -n 20 "$log" | sed 's/^/     | /'
        failed=1
    fi
done

# An unsupported architecture must be refused with our sentence, not built.
t=mips-unknown-linux-gnu
log="$LOGDIR/build-$t.log"
if build "$t" "" >"$log" 2>&1; then
    say "FAIL $t built, but it must be refused"
    failed=1
elif grep -q "$REFUSAL" "$log"; then
    say "OK   $t refused with: $REFUSAL ..."
else
    say "FAIL $t failed without our refusal sentence (see $log)"
    tail -n 20 "$log" | sed 's/^/     | /'
    failed=1
fi

ok=$(grep -c "^OK" "$LOGDIR/summary-build" || true)
bad=$(grep -c "^FAIL" "$LOGDIR/summary-build" || true)
echo "cross-build: $ok passed, $bad failed"
exit "$failed"
