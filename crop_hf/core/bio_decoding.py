"""The best valid BIO tag sequence under a tagger's per-word probabilities (Viterbi).

A token classifier scores each word on its own, so its per-word best tags can form sequences BIO forbids:
``Poncelet/B-PER Bank/I-ORG`` (an ``I-`` of another type), ``I-LOC`` after ``O``. Read as seqeval reads them they
split one name into two entities, and in CROP the English NER's entities become the slots of the labeled
translation, so a split name is projected as two entities. :func:`viterbi_bio` picks, among the sequences where
every ``I-X`` follows ``B-X`` or ``I-X``, the one with the highest product of the words' probabilities.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def is_bio_label_set(labels: Sequence[str]) -> bool:
    """Whether every label is ``O``, ``B-X`` or ``I-X`` (the sets :func:`viterbi_bio` constrains)."""
    return all(label == "O" or label[:2] in ("B-", "I-") and len(label) > 2 for label in labels)


def may_follow(previous: str, tag: str) -> bool:
    """Whether BIO allows ``tag`` right after ``previous`` (``"O"`` before the first word): an ``I-X`` only after
    ``B-X`` or ``I-X``."""
    return not tag.startswith("I-") or (previous != "O" and previous[2:] == tag[2:])


def is_valid_bio(tags: Sequence[str]) -> bool:
    """Whether ``tags`` is a valid BIO sequence (every ``I-X`` after ``B-X`` or ``I-X``)."""
    return all(may_follow(previous, tag) for previous, tag in zip(["O", *tags], tags))


def viterbi_bio(probs: Sequence[Sequence[float]], labels: Sequence[str]) -> list[int]:
    """Label ids, one per word, of the most probable tag sequence that is valid BIO (no ``I-X`` first).

    Args:
        probs: Per word, the probability of each label (``labels`` order).
        labels: The label of each id, all ``O``/``B-X``/``I-X`` (:func:`is_bio_label_set`).
    """
    if not probs:
        return []
    n_labels = len(labels)
    predecessors = [[i for i in range(n_labels) if may_follow(labels[i], tag)] for tag in labels]
    floor = -1e9  # log of a probability that rounds to 0 still ranks below any allowed path

    def log(p: float) -> float:
        return math.log(p) if p > 0 else floor

    score = [log(p) if may_follow("O", labels[j]) else -math.inf for j, p in enumerate(probs[0])]
    back: list[list[int]] = []
    for word_probs in probs[1:]:
        pointers, new = [], []
        for j in range(n_labels):
            best_i = max(predecessors[j], key=lambda i: score[i])
            pointers.append(best_i)
            new.append(score[best_i] + log(word_probs[j]))
        back.append(pointers)
        score = new
    best = max(range(n_labels), key=lambda j: score[j])
    path = [best]
    for pointers in reversed(back):
        path.append(pointers[path[-1]])
    return path[::-1]
