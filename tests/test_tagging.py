import random

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from crop_hf.tagging import CONLL, XTREME, Span, convert_tags, get_scheme, iob1_to_bio, spans_to_tags, tags_to_spans


def test_iob1_from_conll2003_to_bio():
    iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"]
    assert iob1_to_bio(iob1) == ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG"]
    assert convert_tags(iob1_to_bio(iob1), "BIO", "IOB1") == iob1


def test_iobes_round_trip():
    bio = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "I-LOC"]
    iobes = convert_tags(bio, "BIO", "IOBES")
    assert iobes == ["B-PER", "E-PER", "O", "S-LOC", "B-LOC", "I-LOC", "E-LOC"]
    assert convert_tags(iobes, "IOBES", "BIO") == bio


def test_invalid_bio_read_like_seqeval():
    rng = random.Random(0)
    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    for _ in range(500):
        tags = [rng.choice(labels) for _ in range(rng.randint(0, 12))]
        ours = [(s.label, s.start, s.end - 1) for s in tags_to_spans(tags)]
        assert ours == get_entities(tags), tags


def test_spans_to_tags_and_errors():
    assert spans_to_tags([Span(1, 3, "ORG")], 4) == ["O", "B-ORG", "I-ORG", "O"]
    with pytest.raises(ValueError, match="overlaps"):
        spans_to_tags([Span(0, 2, "PER"), Span(1, 3, "LOC")], 3)
    with pytest.raises(ValueError, match="use one of BIO, IOB1, IOBES"):
        tags_to_spans(["O"], "BILOU")


def test_label_schemes():
    assert len(CONLL.labels) == 9 and len(XTREME.labels) == 7 and CONLL.labels[0] == "O"
    assert CONLL.label2id["B-MISC"] == 7 and XTREME.id2label[6] == "I-ORG"
    assert get_scheme("xtreme") is XTREME
    with pytest.raises(ValueError, match="row 3: unknown tag 'B-MISC'"):
        XTREME.validate(["O", "B-MISC"], where="row 3")
