#!/usr/bin/env bash
# What putting seclude in front of a command costs: launching `true` and two
# syscall-heavy jobs bare, under `seclude` and under bubblewrap (`bwrap`, the
# peer), and `seclude learn` on `true`; all in one hyperfine run per job so
# the figures are side by side. Prints markdown tables (BENCHMARKS.md keeps
# one run) and the ratios the launch targets are stated in.
#
# Not part of the tests: timings belong in benchmarks, not assertions.
# Usage: .ci/bench-launch.sh [RUNS]   (default 60 runs per command)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=${1:-60}

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v tar >/dev/null || need+=(tar)
if ((${#need[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo build --quiet --release --bin seclude --example floor_exec
seclude="$root/target/release/seclude"
# The kernel mechanisms alone (examples/floor_exec.rs): the wrapper's own
# exec and start, then an allow-everything seccomp filter (its verdicts
# are cached when it is loaded: seccomp's entry path on every call, the
# least any filter costs), then that plus Landlock over the same paths;
# no fork, no supervisor, no promises. The floor under seclude's figures.
floor="$root/target/release/examples/floor_exec"
# The same command built static (musl, as .ci/musl-static.sh builds): no
# dynamic loading of seclude itself at each launch. x86-64 hosts only.
static=""
if [[ "$(uname -m)" == x86_64 ]]; then
    # shellcheck source=lib/static.sh
    source "$root/.ci/lib/static.sh"
    static_build_packages x86_64-unknown-linux-musl
    CARGO_TARGET_DIR="$root/target/musl-static" \
        static_build x86_64-unknown-linux-musl --manifest-path "$root/Cargo.toml" --bin seclude
    static="$root/target/musl-static/x86_64-unknown-linux-musl/release/seclude"
    # The floor built the same way, for the static build's rows.
    CARGO_TARGET_DIR="$root/target/musl-static" \
        static_build x86_64-unknown-linux-musl --manifest-path "$root/Cargo.toml" --example floor_exec
    floor_static="$root/target/musl-static/x86_64-unknown-linux-musl/release/examples/floor_exec"
fi
out="$root/target/bench-launch"
mkdir -p "$out"

# The peer: a read-only view of the whole system in new namespaces, as a
# wrapper that needs no setup would use it.
bwrap=(bwrap --ro-bind / / --dev /dev --unshare-all --die-with-parent --)

# name | program | seclude's flags for it | the paths seclude unveils for
# it, for the floor (its own -v, the program, its loader and libraries)
system="-v rx:/usr/bin -v rx:/usr/lib -v rx:/usr/lib64 -v rx:/lib -v rx:/lib64 -v r:/etc/ld.so.cache"
jobs=(
    "true|/usr/bin/true|-p 'stdio rpath'|$system"
    "find|find /usr/lib -type f|-p 'stdio rpath tty vminfo' -v r:/usr/lib|$system -v r:/usr/lib"
    "tar|tar --numeric-owner -cf /dev/null /usr/share/doc|-p 'stdio rpath wpath cpath' -v r:/usr/share/doc -v rw:/dev/null|$system -v r:/usr/share/doc -v rw:/dev/null"
)

echo "# $(uname -r), $(nproc) cores, $runs runs each; $(date -u +%Y-%m-%d)"
for job in "${jobs[@]}"; do
    IFS='|' read -r name program flags unveiled <<<"$job"
    commands=(
        "$program"
        "$seclude -q $flags -- $program"
        "${bwrap[*]} $program"
    )
    if [[ -n $static ]]; then
        commands+=("$static -q $flags -- $program")
    fi
    # The same promises without unveil (-V): what seccomp and the
    # supervisor cost, apart from Landlock's checks.
    if [[ $flags == *" -v "* ]]; then
        commands+=("$seclude -q -V ${flags%% -v *} -- $program")
    fi
    if [[ $name == true ]]; then
        commands+=("$seclude learn -- $program")
        if [[ -n $static ]]; then
            commands+=("$static learn -- $program")
        fi
    fi
    # The wrapper alone (its own exec and start), then with the filter,
    # then with Landlock too.
    commands+=("$floor -- $program" "$floor -s -- $program" "$floor -s $unveiled -- $program")
    # Static, as the static seclude: the wrapper alone, then all of it
    # with the program as a child waited for (-f), the shape of any
    # wrapper that stays to supervise.
    if [[ -n $static ]]; then
        commands+=("$floor_static -- $program" "$floor_static -f -s $unveiled -- $program")
    fi
    # Each command must work as measured: a refused call would make it
    # cheap and wrong (checked without -q: seclude reports every refusal).
    for c in "${commands[@]}"; do
        if ! bash -c "${c/ -q / }" >/dev/null 2>"$out/stderr" || grep -q ' refused ' "$out/stderr"; then
            echo "bench-launch: '$c' failed or had a call refused:" >&2
            cat "$out/stderr" >&2
            exit 1
        fi
    done
    hyperfine -N --warmup 5 --runs "$runs" --style none \
        --export-json "$out/$name.json" --export-markdown "$out/$name.md" \
        "${commands[@]}" >/dev/null 2>&1
    echo
    echo "## $name"
    cat "$out/$name.md"
    python3 - "$out/$name.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
bare = r[0]["mean"]
for x in r[1:]:
    c = x["command"]
    static = "musl-static" in c
    label = ("floor (static): fork, seccomp + Landlock" if "floor_exec -f" in c
             else "floor (static): the wrapper alone" if "floor_exec" in c and static
             else "floor: seccomp + Landlock" if "floor_exec" in c and " -v " in c
             else "floor: seccomp" if "floor_exec -s" in c
             else "floor: the wrapper alone" if "floor_exec" in c
             else "seclude learn (static)" if " learn " in c and static
             else "seclude learn" if " learn " in c
             else "seclude (static)" if "musl-static" in c
             else "seclude -V (no unveil)" if " -V " in c
             else "seclude" if "seclude" in c else "bwrap")
    print(f"- {label}: {x['mean'] / bare:.2f}x bare, +{(x['mean'] - bare) * 1000:.2f} ms")
PY
done
