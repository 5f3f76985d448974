# imgguard's tasks. `just ci` is the one gate; ./ci.sh installs the tools and runs it.

set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# The whole gate: format, lints, every test, schemas.
ci: fmt-check clippy test vectorscan fuzz-check

fmt-check:
    cargo fmt --all -- --check

clippy:
    cargo clippy --all-targets --locked -- -D warnings

# Every test (unit + integration), through nextest.
test:
    cargo nextest run --locked --no-fail-fast

# The optional vectorscan prefilter back end (cargo feature `vectorscan`; needs cmake, g++
# and libboost-dev, and about 10 minutes of CPU for its first build): lints, then every
# secret-scanner unit test with vectorscan as the default back end, which includes the
# parity tests against Aho-Corasick (`backend_parity`).
vectorscan: clippy-vectorscan test-vectorscan

clippy-vectorscan:
    cargo clippy --all-targets --locked --features vectorscan -- -D warnings

test-vectorscan:
    cargo nextest run --locked --no-fail-fast --features vectorscan --lib -E 'test(/^analyze::secrets::/)'

# Check the embedded demo image with the default pipeline.
demo:
    cargo run --release --locked -- check --demo

# Regenerate committed artifacts (demo image, schemas) after a deliberate change.
regenerate:
    IMGGUARD_REGENERATE_DEMO=1 IMGGUARD_REGENERATE_SCHEMAS=1 cargo nextest run --locked demo_image_regenerates committed_report_schema

# Speed and memory against the decompression floor (see bench/README.md).
bench:
    ./bench/run.sh

# Secret findings against Trivy's, item by item, on the planted image (docs/secrets-vs-trivy.md).
compare-trivy:
    ./bench/compare-trivy.sh

# Fuzz targets must keep compiling (run in `ci`); after a Cargo.toml change, `just fuzz-lock`.
fuzz-check:
    cargo check --manifest-path fuzz/Cargo.toml --locked --bins --target-dir target/fuzz

# Bring fuzz/Cargo.lock up to the crate's dependencies (minimal update, no build).
fuzz-lock:
    cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 > /dev/null

# Run one fuzz target for a while: just fuzz layer_tar 60
fuzz target seconds="60":
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run {{target}} -- -max_total_time={{seconds}} -rss_limit_mb=512
