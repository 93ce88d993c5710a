"""Independent reference for the TypeScript tokenizer tests.

Builds byte-level BPE tokenizers with Hugging Face `tokenizers` (the Rust
implementation, nothing else) from a vocab + merges dump that the TS test writes,
encodes a corpus with each pre-tokenizer configuration, and writes the ids, the
decoded strings and the library's own tokenizer.json serialisation as JSON.

usage: bpe_reference.py INPUT.json OUTPUT.json
INPUT: {vocab: {token: id}, merges: [[a, b]], special: [token], corpus: [str],
        configs: [{name, kind: "digits+bytelevel" | "split+bytelevel", pattern?, ignore_merges?}]}
"""
import json
import sys

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers


def build(data, cfg):
    merges = [tuple(m) for m in data["merges"]]
    model = models.BPE(vocab=data["vocab"], merges=merges, ignore_merges=cfg.get("ignore_merges", False))
    tok = Tokenizer(model)
    if cfg["kind"] == "digits+bytelevel":
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ])
    elif cfg["kind"] == "split+bytelevel":
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(cfg["pattern"]), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ])
    else:
        raise SystemExit(f"unknown config kind {cfg['kind']}")
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in data["special"]])
    return tok


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    out = {}
    for cfg in data["configs"]:
        tok = build(data, cfg)
        encs = tok.encode_batch(data["corpus"], add_special_tokens=False)
        ids = [e.ids for e in encs]
        out[cfg["name"]] = {
            "ids": ids,
            "decoded": [tok.decode(x, skip_special_tokens=False) for x in ids],
            "tokenizer_json": tok.to_str(),
        }
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
