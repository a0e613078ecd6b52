#!/usr/bin/env bash
# Proving time of hashing with the hash co-processors against plain RV32IM, in one run
# (BENCHMARKS.md "Precompiles"): the hashbench guest hashes n bytes of its private input
# with sha2 / crease_rt::sha256 / sha3 / crease_rt::keccak (modes 0–3) on one code path.
#
#   scripts/bench-precompiles.sh                 # 1 KiB and 64 KiB, every mode
#   SIZES=1024 MODES="0 1" scripts/bench-precompiles.sh
#
# Prints one line per proof: mode, bytes, cycles, prove seconds, peak RSS; then the ratios.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sizes=${SIZES:-"1024 65536"}
modes=${MODES:-"1 3 0 2"}
cargo build --release -q -p crease-cli
crease=target/release/crease
elf=$($crease build examples/guests/hashbench)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -c 'import sys; sys.stdout.buffer.write(bytes((7 * i + i // 256) % 256 for i in range(1 << 16)))' \
    >"$work/data.bin"
cop=(--coprocessor sha256_compress --coprocessor keccak_f1600)
$crease setup "${cop[@]}" >/dev/null

declare -A secs
echo "mode bytes cycles prove_s peak_rss_mb"
for n in $sizes; do
    for mode in $modes; do
        hex=$(printf '%02x%02x%02x%02x%02x' "$mode" $((n & 255)) $(((n >> 8) & 255)) \
            $(((n >> 16) & 255)) $(((n >> 24) & 255)))
        cycles=$($crease run "${cop[@]}" "$elf" --public-input-hex "$hex" \
            --private-input "$work/data.bin" --stats 2>&1 | sed -n 's/.*[^0-9]\([0-9][0-9]*\) cycles.*/\1/p' | head -1)
        /usr/bin/time -f '%e %M' -o "$work/time" $crease prove "${cop[@]}" "$elf" \
            --public-input-hex "$hex" --private-input "$work/data.bin" -o "$work/p.proof" \
            >/dev/null 2>&1
        $crease verify "${cop[@]}" "$work/p.proof" --elf "$elf" --public-input-hex "$hex" \
            >/dev/null 2>&1
        read -r s kb <"$work/time"
        secs[$mode.$n]=$s
        echo "$mode $n ${cycles:-?} $s $((kb / 1024))"
    done
done
for n in $sizes; do
    for pair in "0 1 SHA-256" "2 3 Keccak-256"; do
        set -- $pair
        if [[ -n ${secs[$1.$n]:-} && -n ${secs[$2.$n]:-} ]]; then
            echo "$3 of $n bytes: plain / precompile = $(python3 -c "print(round(${secs[$1.$n]} / ${secs[$2.$n]}, 1))")x"
        fi
    done
done
