#!/usr/bin/env bash
# seclude on real kernels and architectures: boots Debian's Linux 6.1 and
# 6.12 (x86-64) and 6.1 (AArch64) under qemu-system (TCG, no KVM needed),
# each with an initramfs holding the check program (tests/vm), busybox, the
# static `seclude` command and a dynamically linked `cat` with its loader
# and libc from the same architecture's Debian packages. The init script
# runs every check as root and as uid 65534; a second boot per kernel runs
# examples/freestanding's `seclude-init` as pid 1 (pledge + unveil on
# itself, then power-off).
#
# Prints one `KERNEL: pass|FAIL CHECK [MODE]: ...` line per check per kernel
# and a final `N passed, N failed`; exits non-zero if anything failed.
#
# Installs what it needs (qemu-system, cpio, cross gcc, Debian's rustc with
# its sources, musl); kernels and packages are fetched with `apt-get
# download`, newest version by query, and cached under target/vm-cache.
#
# Usage: .ci/vm-matrix.sh [KERNEL-LABEL...]   (default: all; e.g. 6.1-arm64)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
cache="$root/target/vm-cache"
work="$root/target/vm"
mkdir -p "$cache/debs" "$work"
started=$SECONDS

# label  package-name-pattern  debian-arch  landlock-abi
kernels=(
    '6.1-amd64   ^linux-image-6\.1\.0-[0-9]+-amd64$          amd64 2'
    '6.12-amd64  ^linux-image-6\.12\.[0-9]+\+deb12-amd64$    amd64 6'
    '6.1-arm64   ^linux-image-6\.1\.0-[0-9]+-arm64$          arm64 2'
)
if (($#)); then
    selected=()
    for want in "$@"; do
        for k in "${kernels[@]}"; do
            [[ "${k%% *}" == "$want" ]] && selected+=("$k")
        done
    done
    if ((${#selected[@]} == 0)); then
        echo "vm-matrix: no kernel is labelled $* (labels: ${kernels[*]%% *})" >&2
        exit 64
    fi
    kernels=("${selected[@]}")
fi

# ---------------------------------------------------------------- packages
# Installed on their own: qemu-system replaces a backported qemu-utils,
# which apt's resolver refuses in one transaction with other packages.
need=()
for pkg in qemu-system-x86 qemu-system-arm cpio; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
apt_updated=0
apt_update() {
    if ((apt_updated == 0)); then
        apt-get update -qq
        apt_updated=1
    fi
}
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    apt_update
fi
if ((${#need[@]})); then
    echo "installing: ${need[*]}"
    apt_update
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -qq "${need[@]}" >/dev/null; then
        for pkg in "${need[@]}"; do apt-get install -y -qq "$pkg" >/dev/null; done
    fi
fi
# shellcheck source=lib/static.sh
source "$root/.ci/lib/static.sh"
static_build_packages x86_64-unknown-linux-musl aarch64-unknown-linux-gnu
command -v rust-lld >/dev/null || { apt_update; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lld-22 >/dev/null; }

# The newest package whose name matches $1 (apt's lists refreshed once if
# nothing matches).
newest() {
    local found
    found=$(apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1)
    if [[ -z "$found" ]]; then
        apt_update
        found=$(apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -n 1)
    fi
    [[ -n "$found" ]] || { echo "no package matches $1" >&2; return 1; }
    echo "$found"
}

# Unpacks NAME:ARCH (downloaded once) into $cache/root/NAME_ARCH; prints
# the directory. Runs in a command substitution, where `set -e` does not
# hold: every step checks itself, and the unpack is marked done only once
# it is complete.
unpacked() {
    local name=$1 arch=$2 deb tmp dir="$cache/root/${1}_$2"
    if [[ ! -f "$dir/.done" ]]; then
        deb=$(find "$cache/debs" -maxdepth 1 \( -name "${name}_*_${arch}.deb" -o -name "${name}_*_all.deb" \) | sort -V | tail -n 1)
        if [[ -z "$deb" ]]; then
            # apt's sandbox user cannot write into target/: download as root
            # in a scratch directory, then move.
            tmp=$(mktemp -d) || return 1
            chmod 777 "$tmp"
            if ! (cd "$tmp" && apt-get download -qq "$name:$arch" >/dev/null 2>&1); then
                apt_update >&2
                (cd "$tmp" && apt-get download -qq "$name:$arch" >/dev/null) || return 1
            fi
            mv "$tmp"/*.deb "$cache/debs/" || return 1
            rmdir "$tmp"
            deb=$(find "$cache/debs" -maxdepth 1 -name "${name}_*_${arch}.deb" | sort -V | tail -n 1)
            [[ -n "$deb" ]] || return 1
        fi
        rm -rf "$dir"
        mkdir -p "$dir" || return 1
        dpkg-deb -x "$deb" "$dir" || return 1
        touch "$dir/.done"
    fi
    echo "$dir"
}

# ------------------------------------------------------------------ builds
declare -A triple=([amd64]=x86_64-unknown-linux-musl [arm64]=aarch64-unknown-linux-gnu)
# The init program's targets (no libc: the gnu triples serve).
declare -A bare=([amd64]=x86_64-unknown-linux-gnu [arm64]=aarch64-unknown-linux-gnu)
declare -A strip_tool=([amd64]=strip [arm64]=aarch64-linux-gnu-strip)
arches=()
for k in "${kernels[@]}"; do
    read -r _ _ arch _ <<<"$k"
    [[ " ${arches[*]} " == *" $arch "* ]] || arches+=("$arch")
done

build_for() {
    local arch=$1 t=${triple[$1]} out="$work/bin-$1"
    mkdir -p "$out"
    # The std programs: the same target directory as .ci/musl-static.sh on
    # x86-64 (same flags), so the command is built once.
    local dir="$root/target/vm-std"
    [[ "$arch" == amd64 ]] && dir="$root/target/musl-static"
    CARGO_TARGET_DIR="$dir" static_build "$t" --manifest-path "$root/tests/vm/Cargo.toml"
    CARGO_TARGET_DIR="$dir" static_build "$t" --manifest-path "$root/Cargo.toml" --bin seclude
    cp "$dir/$t/release/seclude-vm-check" "$out/vm-check"
    cp "$dir/$t/release/seclude" "$out/seclude"
    # The init program: no libc at all. On the host's own architecture it
    # is built as tests/freestanding.rs builds it (into the same place);
    # for another, with Debian's rustc, -Zbuild-std=core and rust-lld.
    local init
    if [[ "${bare[$arch]}" == "$(rustc -vV | sed -n 's/^host: //p')" ]]; then
        CARGO_TARGET_DIR="$root/target/freestanding" cargo build --quiet --release \
            --manifest-path "$root/examples/freestanding/Cargo.toml" --bin seclude-init
        init="$root/target/freestanding/release/seclude-init"
    else
        local b=${bare[$arch]} var
        var="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$b")_LINKER"
        env "$var=rust-lld" RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1 \
            CARGO_TARGET_DIR="$root/target/vm-init" \
            cargo build --quiet --release -Zbuild-std=core --target "$b" \
            --manifest-path "$root/examples/freestanding/Cargo.toml" --bin seclude-init
        init="$root/target/vm-init/$b/release/seclude-init"
    fi
    "${strip_tool[$arch]}" -o "$out/init" "$init"
    for f in vm-check seclude init; do static_check "$out/$f"; done
}

passed=0
failed=0
result() { # ok|bad TEXT
    if [[ $1 == ok ]]; then
        passed=$((passed + 1))
        echo "pass $2"
    else
        failed=$((failed + 1))
        echo "FAIL $2"
    fi
}

for arch in "${arches[@]}"; do
    t0=$SECONDS
    rm -rf "$work/bin-$arch"
    # A subshell of its own, so that `set -e` stops the build at its first
    # error (it does not inside an `if` condition).
    set +e
    (set -e; build_for "$arch") >"$work/build-$arch.log" 2>&1
    built=$?
    set -e
    if ((built == 0)); then
        result ok "build $arch: vm-check, seclude, seclude-init static ($((SECONDS - t0))s)"
        echo "seclude-init (pid 1) for $arch: $(stat -c %s "$work/bin-$arch/init") bytes stripped"
    else
        result bad "build $arch (see $work/build-$arch.log)"
        tail -n 30 "$work/build-$arch.log"
    fi
done

# --------------------------------------------------------------- initramfs
# The checks' root: busybox, the programs, a dynamic `cat` with its loader
# and libc in the places the command's loader check accepts.
make_checks_rd() {
    local arch=$1 rd="$work/rd-$1-checks" bb cu lc interp multiarch
    rm -rf "$rd"
    mkdir -p "$rd"/{bin,dev,etc,proc,sys,tmp,usr/bin}
    bb=$(unpacked busybox-static "$arch")
    cu=$(unpacked coreutils "$arch")
    lc=$(unpacked libc6 "$arch")
    cp "$bb/bin/busybox" "$rd/bin/busybox"
    ln -s busybox "$rd/bin/sh"
    cp "$work/bin-$arch/vm-check" "$rd/vm-check"
    cp "$work/bin-$arch/seclude" "$rd/seclude"
    cp "$cu/bin/cat" "$rd/usr/bin/cat"
    interp=$(readelf -lW "$cu/bin/cat" | sed -n 's/.*interpreter: \(.*\)\]/\1/p')
    multiarch=$(cd "$lc/lib" && ls -d ./*-linux-gnu | head -n 1)
    mkdir -p "$rd$(dirname "$interp")" "$rd/lib/$multiarch"
    cp -L "$lc$interp" "$rd$interp"
    cp -L "$lc/lib/$multiarch/libc.so.6" "$rd/lib/$multiarch/libc.so.6"
    echo seclude-vm > "$rd/etc/hostname"
    cat > "$rd/init" <<'INIT'
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=1777 tmpfs /tmp
ip link set lo up
abi=0
x32=
for word in $(cat /proc/cmdline); do
    case "$word" in
        vm.landlock_abi=*) abi=${word#vm.landlock_abi=} ;;
        vm.x32=1) x32=--x32 ;;
    esac
done
echo "vm: kernel $(uname -r) $(uname -m), LSMs $(cat /sys/kernel/security/lsm)"
/vm-check checks --landlock-abi "$abi" $x32
echo "vm: vm-check exited with $?"
poweroff -f
INIT
    chmod 755 "$rd/init"
    (cd "$rd" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$work/rd-$arch-checks.gz")
}

make_pid1_rd() {
    local arch=$1 rd="$work/rd-$1-pid1"
    rm -rf "$rd"
    mkdir -p "$rd/etc"
    cp "$work/bin-$arch/init" "$rd/init"
    echo seclude-pid1 > "$rd/etc/hostname"
    (cd "$rd" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$work/rd-$arch-pid1.gz")
}

for arch in "${arches[@]}"; do
    if [[ -x "$work/bin-$arch/vm-check" ]]; then
        make_checks_rd "$arch"
        make_pid1_rd "$arch"
    fi
done

# ------------------------------------------------------------------- boots
# boot ARCH KERNEL INITRD LOG APPEND...
boot() {
    local arch=$1 kernel=$2 rd=$3 log=$4
    shift 4
    local append="panic=-1 quiet lsm=landlock,lockdown,yama,apparmor $*"
    local status=0
    case "$arch" in
    amd64)
        timeout 600 qemu-system-x86_64 -accel tcg -m 1024 -nographic -no-reboot \
            -kernel "$kernel" -initrd "$rd" -append "console=ttyS0 $append" \
            </dev/null >"$log" 2>&1 || status=$?
        ;;
    arm64)
        timeout 600 qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -m 1024 -nographic -no-reboot \
            -kernel "$kernel" -initrd "$rd" -append "console=ttyAMA0 $append" \
            </dev/null >"$log" 2>&1 || status=$?
        ;;
    esac
    tr -d '\r' <"$log" >"$log.txt"
    return "$status"
}

# Counts a boot's lines `PREFIXpass TEXT` and `PREFIXFAIL TEXT` as results
# named SHOWN TEXT.
tally() { # PREFIX SHOWN LOG
    local line
    while IFS= read -r line; do
        case "$line" in
        "$1pass "*) result ok "$2${line#"$1"pass }" ;;
        "$1FAIL "*) result bad "$2${line#"$1"FAIL }" ;;
        esac
    done < <(grep -E "^$1(pass|FAIL) " "$3" || true)
}

for k in "${kernels[@]}"; do
    read -r label pattern arch abi <<<"$k"
    if [[ ! -f "$work/rd-$arch-checks.gz" ]]; then
        result bad "$label: nothing to boot (the $arch build failed)"
        continue
    fi
    package=$(newest "$pattern")
    kdir=$(unpacked "$package" "$arch")
    vmlinuz=$(ls "$kdir"/boot/vmlinuz-*)
    extra="vm.landlock_abi=$abi"
    [[ "$arch" == amd64 ]] && extra="$extra syscall.x32=y vm.x32=1"
    echo "== $label: $package"

    t0=$SECONDS
    log="$work/boot-$label-checks.log"
    status=0
    boot "$arch" "$vmlinuz" "$work/rd-$arch-checks.gz" "$log" "$extra" || status=$?
    grep -E '^vm: kernel' "$log.txt" | sed "s/^/$label: /" || true
    tally "" "$label: " "$log.txt"
    # The check program's own summary and status, not only its lines: a
    # line garbled by the console would otherwise go uncounted.
    if grep -qE '^[0-9]+ passed, 0 failed$' "$log.txt" && grep -qx 'vm: vm-check exited with 0' "$log.txt" &&
        ((status == 0)); then
        result ok "$label: the checks ran to the end and the machine powered off ($((SECONDS - t0))s)"
    else
        result bad "$label: the checks did not finish (qemu status $status, log $log.txt)"
        tail -n 25 "$log.txt"
    fi

    t0=$SECONDS
    log="$work/boot-$label-pid1.log"
    status=0
    boot "$arch" "$vmlinuz" "$work/rd-$arch-pid1.gz" "$log" || status=$?
    tally "pid1: " "$label: pid 1: " "$log.txt"
    if grep -q '^pid1: done, powering off' "$log.txt" && grep -q 'reboot: Power down' "$log.txt" && ((status == 0)); then
        result ok "$label: pid 1 confined itself and powered the machine off ($((SECONDS - t0))s)"
    else
        result bad "$label: pid 1 did not power off cleanly (qemu status $status, log $log.txt)"
        tail -n 25 "$log.txt"
    fi
done

echo "vm matrix: $((SECONDS - started))s"
echo "$passed passed, $failed failed"
((failed == 0))
