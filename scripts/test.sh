#!/usr/bin/env bash
# The test command: installs the guest toolchains if they are missing, then checks formatting,
# lints and runs every test (proof-heavy code is built optimized, see Cargo.toml).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

./scripts/setup.sh --deps-only
# The toolchains are installed now: a test that finds one missing fails instead of skipping.
export CREASE_REQUIRE_TOOLCHAINS=1

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
