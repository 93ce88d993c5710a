#!/usr/bin/env bash
# Creates (idempotently) a venv at .cache/NAME holding one pinned PyPI package:
#   bash scripts/pyvenv.sh NAME PACKAGE VERSION
# A venv that already has that version installed is left as it is (well under a second).
set -euo pipefail
cd "$(dirname "$0")/.."
NAME="$1" PACKAGE="$2" VERSION="$3"
VENV=".cache/$NAME"
PY="$VENV/bin/python"
has() { "$PY" -c "import importlib.metadata as m, sys; sys.exit(0 if m.version('$PACKAGE') == '$VERSION' else 1)" 2>/dev/null; }
if [ -x "$PY" ] && has; then
  exit 0
fi
mkdir -p .cache
[ -x "$PY" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "$PACKAGE==$VERSION"
"$PY" -c "import importlib.metadata as m; print('$NAME: $PACKAGE', m.version('$PACKAGE'))"
