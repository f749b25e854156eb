#!/usr/bin/env bash
# The C API (capi/): builds libseclude.a and libseclude.so, checks that
# seclude.h declares exactly what the library exports (capi's unit test),
# compiles the C tests in capi/tests/c with gcc against the header as a C
# user would, and runs each on the real kernel as root and as uid 65534
# without capabilities: pledge, unveil, launch (pipes both ways) against the
# static library, launch against the shared one, and a -nostdlib -static
# program (x86-64).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
capi="$root/capi"
export CARGO_TARGET_DIR="$root/target/capi"
command -v gcc >/dev/null || { apt-get update -qq && apt-get install -y -qq gcc >/dev/null; }

cargo build --quiet --release --manifest-path "$capi/Cargo.toml"
cargo test --quiet --release --manifest-path "$capi/Cargo.toml"
lib="$CARGO_TARGET_DIR/release"
out="$root/target/capi/c"
mkdir -p "$out"
chmod 755 "$root/target" "$root/target/capi" "$out" 2>/dev/null || true

build() { # name, source, extra gcc arguments...
    local name=$1 src=$2
    shift 2
    gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -I "$capi" -o "$out/$name" "$capi/tests/c/$src" "$@"
}
build pledge pledge.c "$lib/libseclude.a"
build unveil unveil.c "$lib/libseclude.a"
build launch launch.c "$lib/libseclude.a"
build launch-shared launch.c -L "$lib" -lseclude -Wl,-rpath,"$lib"
tests=(pledge unveil "unveil unix" launch launch-shared)
if [[ "$(uname -m)" == x86_64 ]]; then
    build nostdlib nostdlib.c -nostdlib -static -fno-stack-protector "$lib/libseclude.a"
    tests+=(nostdlib)
fi
chmod 755 "$out"/* "$lib" "$lib"/libseclude.so

failed=0
for t in "${tests[@]}"; do
    for mode in root nobody; do
        # A test may carry an argument ("unveil unix").
        read -r -a run <<<"$t"
        run[0]="$out/${run[0]}"
        if [[ $mode == root ]]; then
            cmd=("${run[@]}")
        else
            cmd=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all -- "${run[@]}")
        fi
        expected="${t%% *}"
        expected="${expected%-shared}: ok"
        set +e
        got="$(cd / && "${cmd[@]}" 2>&1)"
        rc=$?
        set -e
        if [[ $rc -eq 0 && "$got" == *"$expected"* ]]; then
            echo "pass capi $t ($mode)"
        else
            echo "FAIL capi $t ($mode): status $rc: $got"
            failed=1
        fi
    done
done
exit $failed
