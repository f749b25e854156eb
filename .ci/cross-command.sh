#!/usr/bin/env bash
# Builds the seclude command (std, not only the no_std library) for a
# big-endian target, links it with Debian's cross gcc, and runs under
# qemu-user what qemu-user can run:
#   - the library's unit tests (among them the waitid record decoder's,
#     checked against libc's siginfo_t and a real fork and waitid), but
#     the few it cannot run there,
#   - the command's unit tests (but one that inspects the host's /bin/sh,
#     an x86-64 program, as the native one),
#   - the command itself: `--help`, and `explain`, which compiles a filter
#     and runs it in the BPF simulator on the target's own byte order
#     (exit 70 if the table and the filter disagree).
# seccomp and Landlock do not pass through qemu-user: nothing here confines.
#
# std comes from Debian's rustc with its library sources
# (`-Zbuild-std=std`), as in cross-build.sh; debug profile only (the
# release one would build std a second time, with panic=abort).
#
# Usage: .ci/cross-command.sh [TARGET...]   (default: s390x-unknown-linux-gnu;
# powerpc64-unknown-linux-gnu also passes, and takes about 2.5 minutes more)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD

# target:gcc-triple:libc-package-arch:qemu-binary
SPECS_ALL=(
    s390x-unknown-linux-gnu:s390x-linux-gnu:s390x:qemu-s390x-static
    powerpc64-unknown-linux-gnu:powerpc64-linux-gnu:ppc64:qemu-ppc64-static
)
if [ "$#" -eq 0 ]; then set -- s390x-unknown-linux-gnu; fi
SPECS=()
for t in "$@"; do
    found=""
    for s in "${SPECS_ALL[@]}"; do
        if [ "${s%%:*}" = "$t" ]; then SPECS+=("$s"); found=1; fi
    done
    if [ -z "$found" ]; then
        echo "cross-command: unknown target $t" >&2
        exit 2
    fi
done

# What this needs from Debian: its rustc with the library sources, qemu-user,
# and per target a cross gcc (the linker) with its C library.
need=()
if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library/std ]; then
    need+=(rustc-web rust-web-src)
fi
if [ ! -x /usr/bin/qemu-s390x-static ]; then need+=(qemu-user-static); fi
for spec in "${SPECS[@]}"; do
    IFS=: read -r _ triple libc_arch _ <<<"$spec"
    if ! command -v "$triple-gcc" >/dev/null; then need+=("gcc-$triple"); fi
    if [ ! -e "/usr/$triple/lib/libc.so" ]; then need+=("libc6-dev-$libc_arch-cross"); fi
done
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

echo "cross-command with $($RUSTC --version), $(cargo --version)"

: >"$LOGDIR/summary-command"
say() { echo "$1" | tee -a "$LOGDIR/summary-command"; }
fail() { # message, log
    say "FAIL $1 (see $2)"
    tail -n 20 "$2" | sed 's/^/     | /'
    failed=1
}
# A warning in our own code fails the build, as -D warnings would; it is
# not passed in RUSTFLAGS, which would reach the standard library too.
warned() { grep -qE '^warning: `seclude` .*generated [0-9]+ warning' "$1"; }

failed=0
for spec in "${SPECS[@]}"; do
    IFS=: read -r t triple _ qemu <<<"$spec"
    upper=$(echo "$t" | tr 'a-z-' 'A-Z_')
    export "CARGO_TARGET_${upper}_LINKER=$triple-gcc"
    # The dynamic loader and C library of the target, for qemu-user.
    export QEMU_LD_PREFIX="/usr/$triple"

    start=$SECONDS
    log="$LOGDIR/command-$t.log"
    if ! cargo build --bin seclude -Zbuild-std=std --target "$t" >"$log" 2>&1 ||
        ! cargo test --no-run --lib --bin seclude -Zbuild-std=std --target "$t" >>"$log" 2>&1; then
        fail "$t: build" "$log"
        continue
    fi
    if warned "$log"; then
        fail "$t: warnings in the build" "$log"
        continue
    fi
    say "OK   $t: the command and the unit tests built and linked ($((SECONDS - start))s)"

    # The test executables cargo just built, by their sources.
    tests() { # src path
        cargo test --no-run --message-format=json --lib --bin seclude -Zbuild-std=std --target "$t" 2>/dev/null |
            grep -F "\"src_path\":\"$ROOT/$1\"" | grep -o '"executable":"[^"]*"' | cut -d'"' -f4
    }
    lib_tests=$(tests src/lib.rs)
    bin_tests=$(tests src/bin/seclude/main.rs)
    bin="$CARGO_TARGET_DIR/$t/debug/seclude"

    run() { # name, text the output must contain (or ""), command...
        local name=$1 want=$2 rc=0 out
        shift 2
        start=$SECONDS
        out=$(timeout 300 "$@" 2>&1) || rc=$?
        printf '%s\n' "$out" >>"$log"
        if [ "$rc" -eq 0 ] && [[ "$out" == *"$want"* ]]; then
            say "OK   $t under $qemu: $name ($((SECONDS - start))s)"
        else
            fail "$t under $qemu: $name, exit $rc${want:+, or no '$want'}" "$log"
        fi
    }
    # The library's unit tests, its byte-order ones among them (the waitid
    # record decoder must have run), but those qemu-user cannot run: it has
    # no seccomp (notify), two take minutes emulated, and one calls mmap
    # with six registers, which s390x's mmap (old_mmap) does not take.
    run "library: unit tests" "waitid_records_decode_on_both_byte_orders_and_widths ... ok" \
        "$qemu" "$lib_tests" \
        --skip seccomp::notify::tests \
        --skip ns::diagnose::tests::every_combination_follows_the_rules \
        --skip seccomp::compile::tests::exactly_4096_instructions_compile_and_more_do_not \
        --skip sys::tests::six_arguments_reach_the_kernel
    run "command: unit tests" "test result: ok." \
        "$qemu" "$bin_tests" --skip elf::tests::system_programs_are_recognised
    run "command: --help" "usage: seclude" "$qemu" "$bin" --help
    # A refused call and an allowed one, decided by an argument the filter
    # checks (whose low half lies at the other end of seccomp_data's 64-bit
    # argument here): the table's verdict and the simulated filter's agree.
    run "command: explain, refused" "refused (EPERM)" \
        "$qemu" "$bin" explain -p 'stdio rpath' openat AT_FDCWD 0 'O_WRONLY|O_CREAT'
    run "command: explain, allowed" "the compiled filter agrees: ALLOW" \
        "$qemu" "$bin" explain -p 'stdio rpath' openat AT_FDCWD 0 O_RDONLY
done

ok=$(grep -c "^OK" "$LOGDIR/summary-command" || true)
bad=$(grep -c "^FAIL" "$LOGDIR/summary-command" || true)
echo "cross-command: $ok passed, $bad failed"
exit "$failed"
