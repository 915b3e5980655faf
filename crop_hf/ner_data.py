"""NER inputs and predictions over words: first sub-word labelled, the rest -100."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def predict_tags(model: Any, tokenizer: Any, sentences: Sequence[Sequence[str]], batch_size: int = 32) -> list[list[str]]:
    """One tag per word of each sentence, read off the first sub-word of the word."""
    import torch

    id2label = model.config.id2label
    device = next(model.parameters()).device
    model.eval()
    out: list[list[str]] = []
    for start in range(0, len(sentences), batch_size):
        chunk = [list(s) for s in sentences[start : start + batch_size]]
        enc = tokenizer(chunk, is_split_into_words=True, truncation=True, padding=True, return_tensors="pt")
        with torch.no_grad():
            logits = model(**{k: v.to(device) for k, v in enc.items()}).logits
        best = logits.argmax(-1).tolist()
        for row, words in enumerate(chunk):
            tags = ["O"] * len(words)
            seen = set()
            for pos, word in enumerate(enc.word_ids(row)):
                if word is not None and word not in seen:
                    seen.add(word)
                    tags[word] = id2label[best[row][pos]]
            out.append(tags)
    return out
