#!/usr/bin/python3
"""Writes two tiny Model2Vec folders by the formats' own rules, independently of the C# writer.

safetensors (https://github.com/huggingface/safetensors, "Format"): 8-byte little-endian header size N, N bytes of
JSON header ({"__metadata__"} first if any, then each tensor's dtype, shape and data_offsets relative to the end of
the header; the reference implementation orders tensors by dtype, descending in its enum order, then by name, and
pads the header with spaces to a multiple of 8), then the little-endian data.
Model2Vec (model2vec's save_pretrained): model.safetensors holding "embeddings" (rows in token-id order) and
optionally "weights" (one float per token); tokenizer.json (a Hugging Face tokenizers file); config.json.

Run from this folder: /usr/bin/python3 make_fixtures.py
"""
import json
import os
import struct

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "##s", "!", "cafe"]
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]


def save_safetensors(path, tensors):
    """tensors: list of (name, dtype, shape, bytes)."""
    ordered = sorted(tensors, key=lambda t: (-DTYPE_ORDER.index(t[1]), t[0]))
    header, offset = {}, 0
    for name, dtype, shape, data in ordered:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, _, data in ordered:
            f.write(data)


def tokenizer_json():
    """A BERT WordPiece tokenizer.json as Hugging Face tokenizers writes it for an uncased BERT."""
    special = [t for t in VOCAB if t.startswith("[")]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": VOCAB.index(t), "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for t in special
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
            "pair": [],
            "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}},
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": {t: i for i, t in enumerate(VOCAB)}},
    }


def config(dims):
    return {"model_type": "model2vec", "architectures": ["StaticModel"], "tokenizer_name": "fixture", "apply_pca": dims,
            "apply_zipf": True, "sif_coefficient": None, "hidden_dim": dims, "seq_length": 1000000, "normalize": True}


def write_folder(name, tensors, dims):
    os.makedirs(name, exist_ok=True)
    save_safetensors(os.path.join(name, "model.safetensors"), tensors)
    with open(os.path.join(name, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(), f, separators=(",", ":"))
    with open(os.path.join(name, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config(dims), f, indent=4)


# Float32 rows: row i = (i + 1, -(i + 1) / 4, i * i / 8); weights: 1 / (i + 1).
rows, dims = len(VOCAB), 3
embeddings = [[i + 1.0, -(i + 1.0) / 4, i * i / 8.0] for i in range(rows)]
weights = [1.0 / (i + 1) for i in range(rows)]
write_folder("model2vec-f32-weights", [
    ("embeddings", "F32", [rows, dims], b"".join(struct.pack("<3f", *r) for r in embeddings)),
    ("weights", "F32", [rows], struct.pack("<%df" % rows, *weights)),
], dims)

# Int8 rows with one global scale, as model2vec's quantize_embeddings(..., DType.Int8): row i = (i, -i, 127 - 10 i).
codes = [[i, -i, 127 - 10 * i] for i in range(rows)]
write_folder("model2vec-i8", [
    ("embeddings", "I8", [rows, dims], b"".join(struct.pack("<3b", *r) for r in codes)),
], dims)
