#!/usr/bin/env python3
"""Writes a small byte-level BPE tokenizer in the Hugging Face `tokenizers` format (tokenizer.json,
tokenizer_config.json, special_tokens_map.json), trained with a plain BPE learner on the shipped instruction set.

No `tokenizers` package is needed: the JSON is written field by field as tokenizers 0.x serialises a GPT-2 style
tokenizer (ByteLevel pre-tokenizer and decoder, BPE model with "a b" merges), with ChatML special tokens as in
SmolLM2. Usage: python3 make_tokenizer.py OUT_DIR [MERGES]
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "datasets", "instructions", "instructions.jsonl")
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# GPT-2's pre-tokenizer pattern with ASCII classes (the corpus is ASCII); only used to learn the merges
WORDS = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
CHAT_TEMPLATE = ("{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
                 "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
                 "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
                 "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) \
        + list(range(ord("\xae"), ord("\xff") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def corpus_text():
    texts = ["system user assistant You are a helpful assistant."]
    with open(CORPUS, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts.append(row["prompt"])
            texts.append(row["response"])
    return texts


def learn_merges(texts, count, byte_map):
    words = collections.Counter()
    for t in texts:
        for w in WORDS.findall(t):
            words[tuple(byte_map[b] for b in w.encode("utf-8"))] += 1
    merges = []
    for _ in range(count):
        pairs = collections.Counter()
        for w, n in words.items():
            for a, b in zip(w, w[1:]):
                pairs[(a, b)] += n
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))  # most frequent, ties by the pair itself
        merges.append(best)
        merged = collections.Counter()
        for w, n in words.items():
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and (w[i], w[i + 1]) == best:
                    out.append(w[i] + w[i + 1])
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            merged[tuple(out)] += n
        words = merged
    return merges


def tokenizer_json(merges, byte_map):
    vocab = {}
    for s in SPECIALS:
        vocab[s] = len(vocab)
    for b in range(256):
        vocab[byte_map[b]] = len(vocab)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": vocab[s], "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for s in SPECIALS],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": dict(byte_level, trim_offsets=False),
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [a + " " + b for a, b in merges]},
    }


def bpe_encode(text, vocab, merges, byte_map):
    """Reference encoding (no special tokens): pre-tokenise, then apply merges by rank, as the BPE model does."""
    ranks = {m: i for i, m in enumerate(merges)}
    ids = []
    for w in WORDS.findall(text):
        parts = [byte_map[b] for b in w.encode("utf-8")]
        while len(parts) > 1:
            pairs = [(ranks.get((a, b), 1 << 30), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, i = min(pairs)
            if rank == 1 << 30:
                break
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        ids.extend(vocab[p] for p in parts)
    return ids


SAMPLES = ["What is the capital of France?", "The opposite of hot is cold.", "7 plus 5 is 12.",
           "Zebras don't fly!", "  two  spaces\nand a newline", "caf\u00e9 \u65e5\u672c \U0001F916"]


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 253
    byte_map = bytes_to_unicode()
    merges = learn_merges(corpus_text(), count, byte_map)
    tok = tokenizer_json(merges, byte_map)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok, f, ensure_ascii=False, indent=1)
    config = {"tokenizer_class": "GPT2Tokenizer", "model_max_length": 2048, "clean_up_tokenization_spaces": False,
              "bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "pad_token": "<|im_end|>",
              "unk_token": "<|endoftext|>", "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
              "chat_template": CHAT_TEMPLATE}
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=1)
    with open(os.path.join(out, "special_tokens_map.json"), "w", encoding="utf-8") as f:
        json.dump({k: config[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token")}, f, indent=1)
    expected = [{"text": t, "ids": bpe_encode(t, tok["model"]["vocab"], merges, byte_map)} for t in SAMPLES]
    with open(os.path.join(out, "expected_encodings.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=True, indent=1)
    print("vocab %d, merges %d -> %s" % (len(tok["model"]["vocab"]), len(merges), out))


if __name__ == "__main__":
    main()
