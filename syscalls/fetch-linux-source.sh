#!/usr/bin/env bash
# Unpacks the parts of Debian's linux-source-6.12 that the table generator
# reads into target/linux-source-6.12 (about 10 s after the 153 MB download).
# Needs apt (run as root, or with the .deb already in target/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/target/linux-source-6.12"
[ -f "$dest/scripts/syscall.tbl" ] && [ -f "$dest/Makefile" ] && exit 0
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
tar -xJf x/usr/src/linux-source-6.12.tar.xz -C "$root/target" --wildcards \
  'linux-source-6.12/Makefile' \
  'linux-source-6.12/scripts/syscall.tbl' \
  'linux-source-6.12/arch/*/syscall*.tbl' \
  'linux-source-6.12/arch/*/Makefile.syscalls' \
  'linux-source-6.12/arch/*/include/uapi/asm/unistd.h' \
  'linux-source-6.12/arch/*/include/uapi/asm/errno.h' \
  'linux-source-6.12/include/uapi/asm-generic/errno*.h' \
  'linux-source-6.12/include/uapi/linux/audit.h' \
  'linux-source-6.12/include/uapi/linux/elf-em.h' \
  'linux-source-6.12/include/uapi/linux/seccomp.h' \
  'linux-source-6.12/include/uapi/linux/landlock.h'
rm -rf x
echo "unpacked $(basename "$deb") into $dest"
