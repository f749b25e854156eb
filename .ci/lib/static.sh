# Static std builds shared by .ci/musl-static.sh and .ci/vm-matrix.sh
# (sourced, not run). Both use Debian's rustc with -Zbuild-std, so the
# standard library is built for the target with the flags below.
#
#   static_build TRIPLE CARGO-ARGS...   builds into $CARGO_TARGET_DIR
#
# x86_64-unknown-linux-musl: musl-gcc links Debian's musl; libunwind comes
# from LLVM 14 (std's `unwind` crate wants it even with panic=abort); no
# self-contained crt. aarch64-unknown-linux-gnu: Debian's cross gcc links
# glibc statically (crt-static).

static_build_packages() {
    local need=()
    [[ -x /usr/bin/rustc ]] || need+=(rustc-web)
    [[ -d /usr/lib/rustlib/src/rust/library/std ]] || need+=(rust-web-src)
    command -v file >/dev/null || need+=(file)
    case " $* " in
    *" x86_64-unknown-linux-musl "*)
        command -v musl-gcc >/dev/null || need+=(musl-tools)
        [[ -e /usr/lib/llvm-14/lib/libunwind.a ]] || need+=(libunwind-14-dev)
        ;;
    esac
    case " $* " in
    *" aarch64-unknown-linux-gnu "*)
        command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
        [[ -e /usr/aarch64-linux-gnu/lib/libc.a ]] || need+=(libc6-dev-arm64-cross)
        ;;
    esac
    if ((${#need[@]})); then
        echo "installing: ${need[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
}

static_build() {
    local triple=$1
    shift
    local common=(RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1)
    case "$triple" in
    x86_64-unknown-linux-musl)
        env "${common[@]}" CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_LINKER=musl-gcc \
            RUSTFLAGS="-C link-self-contained=no -C panic=abort -C target-feature=+crt-static \
-C relocation-model=static -C link-arg=-static -L /usr/lib/llvm-14/lib" \
            cargo build --quiet --release -Zbuild-std=std,panic_abort --target "$triple" "$@"
        ;;
    aarch64-unknown-linux-gnu)
        env "${common[@]}" CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
            RUSTFLAGS="-C panic=abort -C target-feature=+crt-static" \
            cargo build --quiet --release -Zbuild-std=std,panic_abort --target "$triple" "$@"
        ;;
    *)
        echo "static_build: no recipe for $triple" >&2
        return 1
        ;;
    esac
}

# Fails unless $1 is a statically linked executable.
static_check() {
    local what
    what="$(file -b "$1")"
    if ! grep -q 'statically linked' <<<"$what" || readelf -lW "$1" | grep -qE 'INTERP|DYNAMIC'; then
        echo "not statically linked: $1 ($what)" >&2
        return 1
    fi
}
