#!/usr/bin/env bash
# Unpacks the parts of Debian's linux-source-6.12 that the table generator
# and its uapi constants (syscalls/tables/constants.rs) read into
# target/linux-source-6.12 (about 10 s after the 153 MB download).
# Needs apt (run as root, or with the .deb already in target/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/target/linux-source-6.12"
prefix=linux-source-6.12

# Files that must exist afterwards. A tree unpacked by an older version of
# this script lacks the later ones, so it is unpacked again.
required=(
  Makefile
  scripts/syscall.tbl
  include/uapi/asm-generic/errno.h
  include/uapi/asm-generic/fcntl.h
  include/uapi/asm-generic/ioctl.h
  include/uapi/asm-generic/ioctls.h
  include/uapi/asm-generic/mman.h
  include/uapi/asm-generic/mman-common.h
  include/uapi/asm-generic/signal.h
  include/uapi/linux/fcntl.h
  include/uapi/linux/memfd.h
  include/uapi/linux/mman.h
  include/uapi/asm-generic/hugetlb_encode.h
  include/uapi/linux/ioctl.h
  include/uapi/linux/sched.h
  include/uapi/linux/prctl.h
  include/uapi/linux/stat.h
  include/uapi/linux/in.h
  include/uapi/linux/seccomp.h
  include/linux/net.h
  include/linux/socket.h
  arch/mips/include/asm/socket.h
  arch/mips/include/uapi/asm/ioctls.h
  arch/powerpc/include/uapi/asm/termbits.h
  arch/x86/include/uapi/asm/prctl.h
  arch/s390/Kconfig
  kernel/fork.c
)
complete() {
  local f
  for f in "${required[@]}"; do
    [ -f "$dest/$f" ] || return 1
  done
}
complete && exit 0

work="$root/target/linux-source-deb"
mkdir -p "$work"
cd "$work"
download() { apt-get download linux-source-6.12 2>&1 | grep -v '^W: Download is performed unsandboxed' || true; }
if ! ls linux-source-6.12_*.deb >/dev/null 2>&1; then
  download
  # A fresh machine may have no package lists yet.
  if ! ls linux-source-6.12_*.deb >/dev/null 2>&1; then
    apt-get update -qq
    download
  fi
fi
deb=$(ls linux-source-6.12_*.deb | head -n 1)
rm -rf x && dpkg -x "$deb" x
mkdir -p "$root/target"

members=(
  # syscall tables (syscalls/generator)
  "$prefix/Makefile"
  "$prefix/scripts/syscall.tbl"
  "$prefix/arch/*/syscall*.tbl"
  "$prefix/arch/*/Makefile.syscalls"
  "$prefix/arch/*/include/uapi/asm/unistd.h"
  "$prefix/arch/*/include/uapi/asm/errno.h"
  "$prefix/include/uapi/asm-generic/errno*.h"
  "$prefix/include/uapi/linux/audit.h"
  "$prefix/include/uapi/linux/elf-em.h"
  "$prefix/include/uapi/linux/seccomp.h"
  "$prefix/include/uapi/linux/landlock.h"
  # uapi constants (syscalls/tables/constants.rs)
  "$prefix/include/linux/net.h"
  "$prefix/include/linux/socket.h"
  "$prefix/arch/mips/include/asm/socket.h"
  "$prefix/kernel/fork.c"
)
for h in fcntl ioctls ioctl mman mman-common signal socket termbits termbits-common hugetlb_encode; do
  members+=("$prefix/include/uapi/asm-generic/$h.h")
done
for h in fcntl memfd mman sched prctl stat in ioctl; do
  members+=("$prefix/include/uapi/linux/$h.h")
done
# Not every architecture has every header (the others use asm-generic's).
for a in mips powerpc s390 x86 arm arm64 riscv loongarch; do
  members+=("$prefix/arch/$a/Kconfig")
  for h in fcntl ioctls ioctl mman socket sockios termbits signal prctl; do
    members+=("$prefix/arch/$a/include/uapi/asm/$h.h")
  done
done

# GNU tar reports a member (or --wildcards pattern) that matches nothing as
# "Not found in archive" and exits 2 after extracting everything else. That
# is expected for the per-architecture headers above, and only that: any
# other message or status is a failure, and the required files are checked.
status=0
tar -xJf x/usr/src/linux-source-6.12.tar.xz -C "$root/target" --wildcards \
  "${members[@]}" 2>x.err || status=$?
unexpected=$(grep -v -e ': Not found in archive$' \
  -e '^tar: Exiting with failure status due to previous errors$' x.err || true)
if [ -n "$unexpected" ] || { [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; }; then
  cat x.err >&2
  echo "tar failed (status $status)" >&2
  exit 1
fi
rm -rf x x.err
if ! complete; then
  for f in "${required[@]}"; do
    [ -f "$dest/$f" ] || echo "missing after unpacking: $f" >&2
  done
  exit 1
fi
echo "unpacked $(basename "$deb") into $dest"
