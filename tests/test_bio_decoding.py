"""Valid BIO decoding of a tagger's per-word probabilities: checked against every sequence, and through predict()."""

import itertools
import math
import random

import pytest

from crop_hf.core.bio_decoding import is_bio_label_set, viterbi_bio
from crop_hf.core.tagging import CONLL, XTREME

LABELS = XTREME.labels  # O, B-PER, I-PER, B-LOC, I-LOC, B-ORG, I-ORG


def valid(tags):
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and (prev == "O" or prev[2:] != tag[2:]):
            return False
        prev = tag
    return True


def best_by_enumeration(probs, labels):
    sequences = (s for s in itertools.product(range(len(labels)), repeat=len(probs)) if valid([labels[j] for j in s]))
    return list(max(sequences, key=lambda s: sum(math.log(p[j]) for p, j in zip(probs, s))))


def test_the_split_name_argmax_gives_becomes_one_entity():
    # Poncelet: B-PER 0.52, B-ORG 0.40; Bank: I-ORG 0.88 -> argmax reads "Poncelet" PER + "Bank" ORG
    p = {"O": 0.02, "B-PER": 0.52, "B-ORG": 0.40}
    poncelet = [p.get(label, 0.06 / 4) for label in LABELS]
    bank = [0.88 if label == "I-ORG" else 0.02 for label in LABELS]
    assert [LABELS[j] for j in viterbi_bio([poncelet, bank], LABELS)] == ["B-ORG", "I-ORG"]


@pytest.mark.parametrize("seed", range(30))
def test_viterbi_is_the_most_probable_valid_sequence(seed):
    rng = random.Random(seed)
    n = rng.randint(1, 4)
    probs = []
    for _ in range(n):
        raw = [rng.random() ** 3 for _ in LABELS]
        probs.append([x / sum(raw) for x in raw])
    path = viterbi_bio(probs, LABELS)
    assert valid([LABELS[j] for j in path])
    assert path == best_by_enumeration(probs, LABELS)


def test_a_zero_probability_and_the_empty_sentence():
    assert viterbi_bio([], LABELS) == []
    only_inside = [1.0 if label == "I-PER" else 0.0 for label in LABELS]  # the only non-zero label is invalid first
    assert LABELS[viterbi_bio([only_inside], LABELS)[0]] != "I-PER"


def test_which_label_sets_are_bio():
    assert is_bio_label_set(CONLL.labels)
    assert not is_bio_label_set(["O", "B-PER", "E-PER", "S-PER"])
    assert not is_bio_label_set(["O", "PER"])


def test_predict_gives_valid_bio_and_argmax_where_that_is_valid(tiny_xlmr):
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from crop_hf.training.ner_data import predict

    model = AutoModelForTokenClassification.from_pretrained(tiny_xlmr)
    tokenizer = AutoTokenizer.from_pretrained(tiny_xlmr)
    rng = random.Random(0)
    vocab = ["Ana", "Ruiz", "vive", "en", "Lima", "Banco", "de", "España", "trabaja", "para", "."]
    sentences = [[rng.choice(vocab) for _ in range(rng.randint(1, 12))] for _ in range(60)]
    constrained = predict(model, tokenizer, sentences)
    argmax = predict(model, tokenizer, sentences, valid_bio=False)
    assert all(valid(p.tags) for p in constrained)
    assert any(not valid(p.tags) for p in argmax)  # the random model's per-word best tags are often invalid
    for c, a in zip(constrained, argmax):
        if valid(a.tags):
            assert c.tags == a.tags and c.scores == pytest.approx(a.scores)
