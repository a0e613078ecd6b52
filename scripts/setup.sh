#!/usr/bin/env bash
# Sets up Crease on Debian 12: installs the guest toolchains from Debian (clang-14 and
# lld-14 for C guests; Debian's rustc with its library sources for Rust guests; qemu-user for
# the differential tests; gcc for native builds) and snarkjs from npm (the tests make
# powers-of-tau ceremony files with it), then builds Crease and runs an example guest with
# `crease run`, then proves, compresses and verifies it. Safe to run again: installed
# packages are left alone.
#
#   scripts/setup.sh              install, build, run an example, prove, compress and verify it
#   scripts/setup.sh --deps-only  install and check the toolchains only
#
# Rust itself (rustup's cargo, used for the host workspace and to drive guest builds) must
# already be installed; nothing is downloaded from outside Debian, npm and crates.io.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

deps_only=false
for arg in "$@"; do
  case "$arg" in
    --deps-only) deps_only=true ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# Both Rust packages in one command: their versions must match.
PACKAGES=(clang-14 lld-14 rustc-web rust-web-src qemu-user gcc libc6-dev)
# Node.js and npm only where the machine has none (an existing newer Node.js is kept).
command -v npm >/dev/null || PACKAGES+=(nodejs npm)
# The snarkjs release the ceremony-file tests were written against.
SNARKJS_VERSION=0.7.6

SUDO=()
if [ "$(id -u)" != 0 ]; then
  SUDO=(sudo)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "==> installing ${missing[*]}"
  if ((${#SUDO[@]})); then
    command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
  fi
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${PACKAGES[@]}"
else
  echo "==> guest toolchains already installed"
fi

if [[ "$(snarkjs --version 2>/dev/null | head -1)" != "snarkjs@$SNARKJS_VERSION" ]]; then
  echo "==> installing snarkjs@$SNARKJS_VERSION (npm)"
  "${SUDO[@]}" npm install --global --no-fund --no-audit "snarkjs@$SNARKJS_VERSION"
else
  echo "==> snarkjs@$SNARKJS_VERSION already installed"
fi

# Check that every tool the builds and tests use is now there.
fail=false
check() {
  if ! "$@" >/dev/null 2>&1; then
    echo "setup.sh: '$*' failed" >&2
    fail=true
  fi
}
check clang-14 --version
check ld.lld-14 --version
check /usr/bin/rustc --version
check test -f /usr/lib/rustlib/src/rust/library/core/Cargo.toml
check qemu-riscv32 --version
check cc --version
# `snarkjs --version` prints its version but exits with status 99.
check bash -c "snarkjs --version | grep -qx 'snarkjs@$SNARKJS_VERSION'"
if ! command -v cargo >/dev/null; then
  echo "setup.sh: cargo not found: install Rust with rustup (https://rustup.rs), then rerun" >&2
  fail=true
fi
$fail && exit 1
echo "==> toolchains ok: $(clang-14 --version | head -1); $(/usr/bin/rustc --version);" \
  "$(snarkjs --version | head -1)"

$deps_only && exit 0

echo "==> building the workspace"
cargo build --release --workspace

crease=(cargo run --quiet --release -p crease-cli --)
echo "==> crease build examples/guests/sha256 (the first guest build compiles core, ~30 s)"
elf=$("${crease[@]}" build examples/guests/sha256)
echo "==> crease run $elf --public-input-hex 616263 --stats"
"${crease[@]}" run "$elf" --public-input-hex 616263 --stats
echo "==> crease build examples/c/fibonacci.c; crease run <elf> --public-input-hex 5a000000"
elf=$("${crease[@]}" build examples/c/fibonacci.c)
"${crease[@]}" run "$elf" --public-input-hex 5a000000
echo "==> crease setup; crease prove <elf> --public-input-hex 0a000000 --compress; crease verify"
"${crease[@]}" setup
"${crease[@]}" prove "$elf" --public-input-hex 0a000000 --compress
"${crease[@]}" verify "$elf.proof.compressed" --elf "$elf" --public-input-hex 0a000000
echo
echo "Crease is ready: see README.md, and docs/GUESTS.md to write your own guest."
