#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian bookworm machine that has
# only the Rust toolchain, then run the whole gate (`just ci`). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Real components the integration tests start, and the tools they call.
PACKAGES=(docker-registry skopeo podman buildah umoci apache2-utils openssl pigz zstd
          busybox-static time python3-jsonschema python3-cryptography
          cmake g++ libboost-dev)  # the last three build the `vectorscan` feature
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "ci.sh: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# just is not in bookworm: build it from crates.io (no prebuilt binaries from the web).
if ! command -v just >/dev/null 2>&1; then
  cargo install --locked just
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  cargo install --locked cargo-nextest
fi

# The real-world signature fixtures live beside the repository and are never copied in.
export IMGGUARD_REALWORLD_FIXTURES="${IMGGUARD_REALWORLD_FIXTURES:-$(cd .. && pwd)/shared/fixtures/realworld}"
export IMGGUARD_LOCAL_KEYED_FIXTURES="${IMGGUARD_LOCAL_KEYED_FIXTURES:-$(cd .. && pwd)/shared/fixtures/local-keyed}"

exec just ci
