#!/usr/bin/env bash
# Sets up the Python reference used by the tokenizer tests: a venv at .cache/pyref
# holding only the `tokenizers` PyPI package (Hugging Face's Rust BPE). Idempotent:
# a venv that already imports the pinned version is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${TOKENIZERS_VERSION:-0.23.3}"
VENV=.cache/pyref
PY="$VENV/bin/python"
if [ -x "$PY" ] && "$PY" -c "import tokenizers, sys; sys.exit(0 if tokenizers.__version__ == '$VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
mkdir -p .cache
[ -x "$PY" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "tokenizers==$VERSION"
"$PY" -c "import tokenizers; print('pyref: tokenizers', tokenizers.__version__)"
