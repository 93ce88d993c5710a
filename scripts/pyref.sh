#!/usr/bin/env bash
# The Python reference of the tokenizer tests: a venv at .cache/pyref holding only
# the `tokenizers` PyPI package (Hugging Face's Rust BPE). Idempotent.
exec bash "$(dirname "$0")/pyvenv.sh" pyref tokenizers "${TOKENIZERS_VERSION:-0.23.3}"
