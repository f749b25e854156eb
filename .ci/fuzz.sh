#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/fuzz_targets/ for a bounded time on
# the preinstalled nightly toolchain, starting from the committed seed
# corpus in fuzz/corpus/<target>/.
#
#   FUZZ_SECONDS  seconds per target (default 60)
#
# The committed corpus is never written to: each target fuzzes a temporary
# copy, which is deleted afterwards. A crash, panic, leak or timeout fails
# the script; libFuzzer's reproducer is kept in fuzz/artifacts/<target>/
# (ignored by git) and the end of the target's log is printed.
# Reproduce locally with: cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail

cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-60}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
cargo +nightly --version
cargo fuzz --version

# Build every target once (cargo fuzz run would otherwise build each on demand).
cargo +nightly fuzz build

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

failed=()
summary=()
for src in fuzz/fuzz_targets/*.rs; do
    target="$(basename "$src" .rs)"
    corpus="$work/corpus-$target"
    mkdir -p "$corpus"
    if [ -d "fuzz/corpus/$target" ]; then
        cp -r "fuzz/corpus/$target/." "$corpus/"
    fi
    log="$work/$target.log"
    echo "=== $target: ${secs}s from $(find "$corpus" -type f | wc -l) seeds"
    rc=0
    # -max_len covers the instruction-level targets' largest input: a
    # 1-byte flag, 64 bytes of seccomp_data and 4100 instructions of 8 bytes.
    cargo +nightly fuzz run "$target" "$corpus" -- \
        -max_total_time="$secs" \
        -rss_limit_mb=4096 \
        -timeout=30 \
        -max_len=33000 \
        -print_final_stats=1 \
        >"$log" 2>&1 || rc=$?

    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    cov="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)"
    line="$target: ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-cov: ?}, corpus $(find "$corpus" -type f | wc -l) files"
    if [ "$rc" -ne 0 ]; then
        echo "!!! $target FAILED (exit $rc); end of its log:"
        tail -n 60 "$log"
        ls -l "fuzz/artifacts/$target" 2>/dev/null || true
        failed+=("$target")
        line="$line  FAILED"
    fi
    echo "$line"
    summary+=("$line")
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "fuzzing found failures in: ${failed[*]}" >&2
    exit 1
fi
