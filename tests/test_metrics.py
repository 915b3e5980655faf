import math

from crop_hf.metrics import ner_scores, projection_scores, slot_boundary_precision, well_formed_rate
from crop_hf.slots import parse_slots
from crop_hf.tagging import Span


def test_ner_scores_by_hand():
    true = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]]
    s = ner_scores(true, pred)
    assert math.isclose(s.precision, 2 / 3) and math.isclose(s.recall, 2 / 3) and math.isclose(s.f1, 2 / 3)
    assert s.per_label["PER"].f1 == 1.0 and s.per_label["LOC"].recall == 0.0 and s.per_label["ORG"].precision == 0.5
    assert s.support == 3


def test_projection_scores_count_only_kept_sentences():
    gold = [[Span(0, 1, "PER"), Span(2, 3, "LOC")], [Span(0, 2, "ORG")], [Span(1, 2, "PER")]]
    pred = [[Span(0, 1, "PER"), Span(2, 4, "LOC")], None, [Span(1, 2, "PER")]]
    s = projection_scores(gold, pred)
    assert (s.kept, s.total) == (2, 3) and math.isclose(s.kept_ratio, 2 / 3)
    assert math.isclose(s.precision, 2 / 3) and math.isclose(s.recall, 2 / 3)


def test_slot_boundary_precision_and_well_formed_rate():
    outputs = [parse_slots("__SLOT0__ Hans Müller __SLOT0__ wohnt in __SLOT1__ Wien __SLOT1__"),
               parse_slots("__SLOT0__ Hans __SLOT0__ Müller wohnt __SLOT1__ in Wien")]  # fmt: skip
    gold = [{0: ["Hans", "Müller"], 1: ["Wien"]}, {0: ["Hans", "Müller"], 1: ["Wien"]}]
    assert math.isclose(slot_boundary_precision(outputs, gold), 2 / 3)
    assert well_formed_rate(outputs) == 0.5
    zh = [parse_slots("__SLOT0__ 北京 __SLOT0__ 很大")]
    assert slot_boundary_precision(zh, [{0: ["北", "京"]}], char_level=True) == 1.0
    assert slot_boundary_precision([], []) == 0.0
