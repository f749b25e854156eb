#!/usr/bin/env bash
# What putting seclude in front of a command costs: launching `true` and two
# syscall-heavy jobs bare, under `seclude` and under bubblewrap (`bwrap`, the
# peer), and `seclude learn` on `true`; side by side in one run per job.
# Prints markdown tables (BENCHMARKS.md keeps one run) and the ratios the
# launch targets are stated in, from medians.
#
# A machine drifts while it measures (its caches, its clock, a neighbour
# on the host): one hyperfine pass, command after command, once put bare
# `tar` 18% behind the same `tar` started through a wrapper, and bare
# `tar` alone has measured anywhere from 13 to 22 ms within an hour. So
# each job is measured in ROUNDS short passes (a dozen runs of each
# command at 300 runs) with the commands' order rotated, and the times of
# all passes are pooled: a drift falls on all commands alike. (Running
# the commands strictly in turn, one run each, was tried: every launch
# then starts cold, after another program's, and bare `true` takes 1.2
# instead of 0.7 ms; that measures the machine's caches, not seclude.)
#
# Not part of the tests: timings belong in benchmarks, not assertions.
# Usage: .ci/bench-launch.sh [RUNS]   (default 100 runs per command;
# ROUNDS=25 passes in the environment)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=${1:-100}
rounds=${ROUNDS:-25}
per_round=$(((runs + rounds - 1) / rounds))

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
# The issue's jobs as it states them (tar with --numeric-owner: without
# it tar asks NSS for every owner through a UNIX socket `stdio rpath`
# refuses). /usr/share holds a directory other users may not list
# (polkit-1/rules.d: polkitd's, mode 700): bare as root, find reads it; under
# seclude, which drops root's capabilities, and for any other user, find
# says "Permission denied" and exits 1. That is find's answer, not a
# refusal of seclude's, so the find job may end with status 1 (`-i`).
jobs=(
    "true|/usr/bin/true|-p 'stdio rpath'|$system"
    "find|find /usr/share -type f|-p 'stdio rpath tty vminfo' -v r:/usr/share|$system -v r:/usr/share"
    "tar|tar --numeric-owner -cf /dev/null /usr/share/doc|-p 'stdio rpath wpath cpath' -v r:/usr/share/doc -v rw:/dev/null|$system -v r:/usr/share/doc -v rw:/dev/null"
)

# The directories of /usr/share not every user may list: the only ones
# find may say "Permission denied" about. A refusal of Landlock's
# (EACCES too, and not reported by seclude) would name another, and any
# other failure prints something else.
declare -A restricted=()
while IFS= read -r dir; do
    restricted[$dir]=1
done < <(find /usr/share -type d ! -perm -o=rx -print 2>/dev/null)
# Whether stderr ($1) holds such refusals and nothing else (find quotes
# the path as the locale does: 'p' or ‘p’). Not `grep -v … | grep -q .`:
# under pipefail that pipeline fails, and reads as "nothing else", when
# `grep -q` leaves early and the first grep dies of SIGPIPE.
only_dac_denials() {
    local line seen=0 re="^find: ('|‘)(/usr/share/.*)('|’): Permission denied\$"
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ $re && -n ${restricted[${BASH_REMATCH[2]}]+set} ]] || return 1
        seen=1
    done <"$1"
    ((seen))
}

echo "# $(uname -r), $(nproc) cores, $((per_round * rounds)) runs each in $rounds rotated passes; $(date -u +%Y-%m-%d)"
for job in "${jobs[@]}"; do
    IFS='|' read -r name program flags unveiled <<<"$job"
    commands=(
        "$program"
        "$seclude -q $flags -- $program"
        "${bwrap[*]} $program"
    )
    if [[ -n $static ]]; then
        commands+=("$static -q $flags -- $program")
        # What the loader's checks cost (item 5 of the issue: each library
        # the loader maps executable is a round trip to seclude): the same
        # with `prot_exec` promised, which lets those calls through in the
        # kernel.
        if [[ $name == tar ]]; then
            commands+=("$static -q ${flags/stdio /stdio prot_exec } -- $program")
        fi
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
    # The status each command ended with here is the one every measured
    # run must end with (checked from hyperfine's exit codes below: `-i`
    # alone would take any failure).
    ignore=()
    expected=()
    for c in "${commands[@]}"; do
        status=0
        bash -c "${c/ -q / }" >/dev/null 2>"$out/stderr" || status=$?
        accepted=0
        if [[ $name == find && $status == 1 ]] && only_dac_denials "$out/stderr"; then
            ignore=(-i)
            accepted=1
        fi
        if ((status != accepted)) || grep -q ' refused ' "$out/stderr"; then
            echo "bench-launch: '$c' failed or had a call refused:" >&2
            cat "$out/stderr" >&2
            exit 1
        fi
        expected+=("$status")
    done
    n=${#commands[@]}
    rm -f "$out/$name".round*.json
    for ((r = 0; r < rounds; r++)); do
        # Offsets spread over the list: with fewer passes than commands,
        # r % n would put only the first few commands first.
        if ((rounds >= n)); then
            k=$((r % n))
        else
            k=$((r * n / rounds))
        fi
        rotated=("${commands[@]:k}" "${commands[@]:0:k}")
        hyperfine -N "${ignore[@]}" --warmup 1 --runs "$per_round" --style none \
            --export-json "$out/$name.round$r.json" "${rotated[@]}" >/dev/null 2>&1
    done
    echo
    echo "## $name"
    EXPECTED="${expected[*]}" python3 - "$out/$name" "$rounds" "${commands[@]}" <<'PY'
import json, os, statistics, sys
stem, rounds, commands = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
expected = dict(zip(commands, map(int, os.environ["EXPECTED"].split())))
times = {c: [] for c in commands}
for r in range(rounds):
    for x in json.load(open(f"{stem}.round{r}.json"))["results"]:
        c = x["command"]
        codes = x.get("exit_codes")
        if codes is None and expected[c] != 0:
            sys.exit(f"bench-launch: hyperfine reports no exit codes to check '{c}' by")
        if codes is not None and any(code != expected[c] for code in codes):
            sys.exit(f"bench-launch: '{c}' ended with {sorted(set(codes))} in pass {r}, "
                     f"not always {expected[c]} as checked")
        times[c].extend(x["times"])
stats = []
for c in commands:
    t = times[c]
    stats.append({"command": c, "median": statistics.median(t), "mean": statistics.mean(t),
                  "stddev": statistics.stdev(t) if len(t) > 1 else 0.0,
                  "min": min(t), "max": max(t), "times": t})
json.dump({"rounds": rounds, "results": stats}, open(f"{stem}.json", "w"), indent=1)
bare = stats[0]["median"]
lines = ["| Command | Median [ms] | Mean ± σ [ms] | Min [ms] | Max [ms] | Relative (medians) |",
         "|:---|---:|---:|---:|---:|---:|"]
for x in stats:
    ms = lambda v: f"{v * 1000:.1f}"
    lines.append(f"| `{x['command']}` | {ms(x['median'])} | {ms(x['mean'])} ± {ms(x['stddev'])} "
                 f"| {ms(x['min'])} | {ms(x['max'])} | {x['median'] / bare:.2f} |")
table = "\n".join(lines) + "\n"
open(f"{stem}.md", "w").write(table)
print(table)
for x in stats[1:]:
    c = x["command"]
    static = "musl-static" in c
    label = ("floor (static): fork, seccomp + Landlock" if "floor_exec -f" in c
             else "floor (static): the wrapper alone" if "floor_exec" in c and static
             else "floor: seccomp + Landlock" if "floor_exec" in c and " -v " in c
             else "floor: seccomp" if "floor_exec -s" in c
             else "floor: the wrapper alone" if "floor_exec" in c
             else "seclude learn (static)" if " learn " in c and static
             else "seclude learn" if " learn " in c
             else "seclude (static), prot_exec promised" if "musl-static" in c and "prot_exec" in c
             else "seclude (static)" if "musl-static" in c
             else "seclude -V (no unveil)" if " -V " in c
             else "seclude" if "seclude" in c else "bwrap")
    print(f"- {label}: {x['median'] / bare:.2f}x bare, {(x['median'] - bare) * 1000:+.2f} ms")
PY
done
