#!/usr/bin/env bash
# The Python environment of the example reward worker (packages/reward/examples/python):
# a venv at .cache/pyworker holding only the `nats-py` PyPI package. Idempotent.
exec bash "$(dirname "$0")/pyvenv.sh" pyworker nats-py "${NATS_PY_VERSION:-2.16.0}"
