#!/usr/bin/env bash
# Sets up the Python environment of the example reward worker
# (packages/reward/examples/python): a venv at .cache/pyworker holding only the
# `nats-py` PyPI package. Idempotent: a venv that already imports the pinned
# version is left as it is (returns in well under a second).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${NATS_PY_VERSION:-2.16.0}"
VENV=.cache/pyworker
PY="$VENV/bin/python"
if [ -x "$PY" ] && "$PY" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('nats-py') == '$VERSION' else 1)" 2>/dev/null; then
  exit 0
fi
mkdir -p .cache
[ -x "$PY" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "nats-py==$VERSION"
"$PY" -c "import importlib.metadata as m; print('pyworker: nats-py', m.version('nats-py'))"
