import random

import pytest
from seqeval.metrics.sequence_labeling import get_entities

from crop_hf.core.tagging import (
    CONLL,
    XTREME,
    LabelScheme,
    Span,
    convert_tags,
    get_scheme,
    iob1_to_bio,
    spans_to_tags,
    tags_to_spans,
)


def _random_spans(rng: random.Random, length: int, types: tuple[str, ...]) -> list[Span]:
    """Non-overlapping spans, often back to back with the same type (the IOB1 B- case)."""
    spans, i = [], 0
    while i < length:
        if rng.random() < 0.5:
            end = min(length, i + rng.randint(1, 3))
            spans.append(Span(i, end, rng.choice(types)))
            i = end
        else:
            i += 1
    return spans


def _seqeval(tags: list[str]) -> list[tuple[str, int, int]]:
    return [(label, start, end + 1) for label, start, end in get_entities(tags)]


def _ours(tags: list[str], scheme: str) -> list[tuple[str, int, int]]:
    return [(s.label, s.start, s.end) for s in tags_to_spans(tags, scheme)]


def test_bio_spans_by_hand():
    tags = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "O", "B-ORG"]
    assert tags_to_spans(tags) == [Span(0, 2, "PER"), Span(3, 4, "LOC"), Span(4, 6, "LOC"), Span(7, 8, "ORG")]
    assert tags_to_spans([]) == [] and tags_to_spans(["O", "O"]) == []


def test_invalid_bio_is_read_like_seqeval_by_hand():
    # I- without B- starts an entity; a change of type ends one and starts another.
    assert tags_to_spans(["O", "I-PER", "I-PER"]) == [Span(1, 3, "PER")]
    assert tags_to_spans(["B-PER", "I-LOC", "I-LOC"]) == [Span(0, 1, "PER"), Span(1, 3, "LOC")]
    assert tags_to_spans(["I-ORG"]) == [Span(0, 1, "ORG")]


@pytest.mark.parametrize("seed", range(5))
def test_random_bio_matches_seqeval(seed):
    rng = random.Random(seed)
    labels = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
    for _ in range(400):
        tags = [rng.choice(labels) for _ in range(rng.randint(0, 14))]
        assert _ours(tags, "BIO") == _seqeval(tags), tags


def test_random_iobes_matches_seqeval():
    rng = random.Random(7)
    labels = ["O"] + [f"{p}-{t}" for p in ("B", "I", "E", "S") for t in ("PER", "ORG")]
    for _ in range(2000):
        tags = [rng.choice(labels) for _ in range(rng.randint(0, 12))]
        assert _ours(tags, "IOBES") == _seqeval(tags), tags


def test_iob1_from_conll2003_to_bio():
    iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG", "B-ORG", "I-ORG", "I-MISC"]
    bio = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "B-ORG", "B-ORG", "I-ORG", "B-MISC"]
    assert iob1_to_bio(iob1) == bio
    assert convert_tags(bio, "BIO", "IOB1") == iob1
    # A B- that does not follow its own type is still read as a start.
    assert iob1_to_bio(["O", "B-LOC", "I-LOC"]) == ["O", "B-LOC", "I-LOC"]


def test_iobes_by_hand():
    bio = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC", "I-LOC"]
    iobes = convert_tags(bio, "BIO", "IOBES")
    assert iobes == ["B-PER", "E-PER", "O", "S-LOC", "B-LOC", "I-LOC", "E-LOC"]
    assert convert_tags(iobes, "IOBES", "BIO") == bio
    assert spans_to_tags([Span(0, 1, "ORG")], 2, scheme="iobes") == ["S-ORG", "O"]


def test_round_trips_on_random_spans():
    rng = random.Random(3)
    for _ in range(500):
        length = rng.randint(0, 15)
        spans = _random_spans(rng, length, ("PER", "LOC"))
        bio = spans_to_tags(spans, length)
        assert tags_to_spans(bio) == spans
        iob1 = convert_tags(bio, "BIO", "IOB1")
        after_same_type = {s.start for s in spans if any(t.end == s.start and t.label == s.label for t in spans)}
        assert {i for i, tag in enumerate(iob1) if tag.startswith("B-")} == after_same_type
        assert {i for i, tag in enumerate(iob1) if tag != "O"} == {i for i, tag in enumerate(bio) if tag != "O"}
        assert convert_tags(iob1, "IOB1", "BIO") == bio
        assert convert_tags(convert_tags(bio, "BIO", "IOBES"), "IOBES", "BIO") == bio
        assert tags_to_spans(spans_to_tags(spans, length, "IOBES"), "IOBES") == spans


def test_invalid_bio_is_normalised_by_conversion():
    assert convert_tags(["O", "I-PER", "I-LOC"], "BIO", "BIO") == ["O", "B-PER", "B-LOC"]


def test_spans_to_tags_errors():
    assert spans_to_tags([Span(1, 3, "ORG")], 4) == ["O", "B-ORG", "I-ORG", "O"]
    with pytest.raises(ValueError, match="overlaps another span"):
        spans_to_tags([Span(0, 2, "PER"), Span(1, 3, "LOC")], 3)
    with pytest.raises(ValueError, match="outside the 3 tokens"):
        spans_to_tags([Span(2, 4, "PER")], 3)
    with pytest.raises(ValueError, match="empty"):
        spans_to_tags([Span(1, 1, "PER")], 3)


def test_bad_scheme_and_bad_tags_are_named():
    with pytest.raises(ValueError, match="unknown tag scheme 'BILOU'; use one of BIO, IOB1, IOBES"):
        tags_to_spans(["O"], "BILOU")
    with pytest.raises(ValueError, match="unknown tag scheme 'BILOU'"):
        convert_tags(["O"], "BIO", "BILOU")
    with pytest.raises(ValueError, match=r"invalid BIO tag 'S-PER' at position 1"):
        tags_to_spans(["O", "S-PER"])
    with pytest.raises(ValueError, match=r"invalid BIO tag 'PER' at position 0"):
        tags_to_spans(["PER"])
    assert tags_to_spans(["S-PER"], "IOBES") == [Span(0, 1, "PER")]


def test_label_schemes():
    assert CONLL.labels == ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
    assert len(XTREME.labels) == 7 and XTREME.labels[-1] == "I-ORG"
    assert CONLL.label2id["B-MISC"] == 7 and XTREME.id2label[6] == "I-ORG"
    assert all(CONLL.id2label[i] == label for label, i in CONLL.label2id.items())
    assert get_scheme("xtreme") is XTREME and get_scheme("CoNLL") is CONLL
    assert LabelScheme("mine", ("DATE",)).labels == ["O", "B-DATE", "I-DATE"]


def test_label_scheme_errors_name_the_input():
    CONLL.validate(["O", "B-MISC", "I-MISC"], where="x")
    with pytest.raises(ValueError, match="row 3: unknown tag 'B-MISC' at position 1; the xtreme scheme has O, B-PER"):
        XTREME.validate(["O", "B-MISC"], where="row 3")
    with pytest.raises(ValueError, match="known schemes: conll, xtreme"):
        get_scheme("ontonotes")
