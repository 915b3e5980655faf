import json
import math
import os
import random
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from crop_hf.core.metrics import (
    bleu,
    labeled_accuracy,
    ner_scores,
    projection_scores,
    seqeval_metric_path,
    slot_boundary_precision,
    spbleu_model_path,
    well_formed_rate,
)
from crop_hf.core.tagging import Span


# Stand-ins for crop_hf.core.slots.SlotSpan / ParsedSlots: the metrics only read these attributes.
@dataclass(frozen=True)
class _Slot:
    slot_id: int
    start: int
    end: int


@dataclass
class _Parsed:
    tokens: list[str]
    spans: list[_Slot]
    problems: list[str] = field(default_factory=list)


TRUE = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]]
PRED = [["B-PER", "I-PER", "O", "B-ORG"], ["B-ORG", "O"]]


def test_ner_scores_by_hand():
    s = ner_scores(TRUE, PRED)
    # gold: PER(0,2) LOC(3) ORG(0); predicted: PER(0,2) ORG(3) ORG(0); 2 of 3 right both ways.
    assert math.isclose(s.precision, 2 / 3) and math.isclose(s.recall, 2 / 3) and math.isclose(s.f1, 2 / 3)
    assert s.support == 3 and math.isclose(s.accuracy, 5 / 6)
    assert list(s.per_label) == ["LOC", "ORG", "PER"]
    assert (s.per_label["PER"].f1, s.per_label["PER"].support) == (1.0, 1)
    assert (s.per_label["LOC"].precision, s.per_label["LOC"].recall, s.per_label["LOC"].support) == (0.0, 0.0, 1)
    org = s.per_label["ORG"]
    assert (org.precision, org.recall, org.support) == (0.5, 1.0, 1) and math.isclose(org.f1, 2 / 3)


def test_ner_scores_default_mode_reads_invalid_bio_like_seqeval():
    # I-PER I-PER is the entity PER(0,2) in seqeval's default mode, so it matches B-PER I-PER.
    s = ner_scores([["B-PER", "I-PER", "O"]], [["I-PER", "I-PER", "O"]])
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    # A predicted entity of a type absent from gold appears with support 0.
    s = ner_scores([["O", "O"]], [["B-MISC", "O"]])
    assert s.per_label["MISC"].support == 0 and s.precision == 0.0 and s.support == 0


def test_ner_scores_edge_cases_and_errors():
    empty = ner_scores([], [])
    assert (empty.f1, empty.support, empty.per_label) == (0.0, 0, {})
    all_o = ner_scores([["O", "O"]], [["O", "O"]])
    assert (all_o.f1, all_o.support, all_o.accuracy) == (0.0, 0, 1.0)
    with pytest.raises(ValueError, match="sentence 1 has 2 gold tags but 1 predicted tags"):
        ner_scores([["O"], ["O", "O"]], [["O"], ["O"]])
    with pytest.raises(ValueError, match="2 gold sentences but 1 predicted"):
        ner_scores([["O"], ["O"]], [["O"]])


def test_ner_scores_as_evaluate_dict():
    d = ner_scores(TRUE, PRED).to_evaluate_dict()
    assert d["PER"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "number": 1}
    assert math.isclose(d["overall_f1"], 2 / 3) and math.isclose(d["overall_accuracy"], 5 / 6)


def test_evaluate_load_offline_matches_ner_scores(tmp_path):
    rng = random.Random(11)
    labels = ["O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC"]
    refs, preds = [], []
    for _ in range(60):
        n = rng.randint(1, 10)
        refs.append([rng.choice(labels) for _ in range(n)])
        preds.append([t if rng.random() < 0.7 else rng.choice(labels) for t in refs[-1]])
    script = (
        "import json, sys, evaluate\n"
        "refs, preds = json.loads(sys.stdin.read())\n"
        f"m = evaluate.load({seqeval_metric_path()!r}, cache_dir={str(tmp_path / 'cache')!r})\n"
        "print(json.dumps(m.compute(predictions=preds, references=refs)))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_EVALUATE_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env["HF_HOME"] = str(tmp_path / "hf")
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps([refs, preds]), env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    want = ner_scores(refs, preds)
    assert got == want.to_evaluate_dict()  # same seqeval calls, floats survive JSON exactly
    assert set(got) == {"LOC", "MISC", "ORG", "PER", "overall_precision", "overall_recall", "overall_f1",
                        "overall_accuracy"}  # fmt: skip
    assert 0.0 < got["overall_f1"] < 1.0
    assert seqeval_metric_path().endswith("crop_hf/evaluate_metrics/crop_seqeval/crop_seqeval.py")


def test_projection_scores_count_only_kept_sentences():
    gold = [[Span(0, 1, "PER"), Span(2, 3, "LOC")], [Span(0, 2, "ORG")], [Span(1, 2, "PER")], []]
    pred = [[Span(0, 1, "PER"), Span(2, 4, "LOC")], None, [Span(1, 2, "ORG")], [Span(0, 1, "MISC")]]
    s = projection_scores(gold, pred)
    # kept sentences 0, 2, 3: gold 3 entities, predicted 4, correct 1 (PER(0,1)); sentence 1 not counted.
    assert (s.kept, s.total, s.correct, s.predicted, s.gold) == (3, 4, 1, 4, 3)
    assert s.kept_ratio == 0.75 and s.precision == 0.25 and math.isclose(s.recall, 1 / 3)
    assert math.isclose(s.f1, 2 * 0.25 * (1 / 3) / (0.25 + 1 / 3))


def test_projection_scores_edge_cases():
    nothing_kept = projection_scores([[Span(0, 1, "PER")]], [None])
    assert (nothing_kept.kept, nothing_kept.kept_ratio, nothing_kept.f1) == (0, 0.0, 0.0)
    assert projection_scores([], []).kept_ratio == 0.0
    with pytest.raises(ValueError, match="2 gold sentences but 1 predictions"):
        projection_scores([[], []], [[]])


def test_slot_boundary_precision_by_hand():
    outputs = [
        _Parsed(["Hans", "Müller", "wohnt", "in", "Wien"], [_Slot(0, 0, 2), _Slot(1, 4, 5)]),
        _Parsed(["Hans", "Müller", "wohnt", "in", "Wien"], [_Slot(0, 0, 1), _Slot(1, 3, 5)], ["overlap"]),
        _Parsed(["hans", "müller", "in", "Graz"], [_Slot(0, 0, 2), _Slot(5, 3, 4)]),
    ]
    gold = [{0: ["Hans", "Müller"], 1: ["Wien"]}, {0: ["Hans", "Müller"], 1: ["Wien"]}, {0: "Hans  Müller"}]
    # right: sentence 0 both slots; wrong: too short, too long, wrong case, slot 5 has no gold phrase.
    assert slot_boundary_precision(outputs, gold) == 2 / 6
    assert well_formed_rate(outputs) == 2 / 3
    assert slot_boundary_precision([], []) == 0.0 and well_formed_rate([]) == 0.0


def test_labeled_accuracy_counts_every_slot_sent_missing_and_malformed_ones_as_failures():
    from crop_hf.core.slots import parse_slots

    outputs = [parse_slots(text) for text in (
        "__SLOT0__ Hans Müller __SLOT0__ wohnt in __SLOT1__ Wien __SLOT1__ .",  # both right
        "__SLOT0__ Hans Müller __SLOT0__ wohnt in Wien .",  # slot 1 missing
        "__SLOT0__ Hans Müller wohnt in __SLOT1__ Wien __SLOT1__ .",  # slot 0 never closed: malformed
        "__SLOT0__ Hans __SLOT0__ Müller wohnt __SLOT1__ in Wien __SLOT1__ .",  # both misplaced
        "__SLOT0__ Hans Müller __SLOT0__ __SLOT0__ Wien __SLOT0__ .",  # slot 0 twice (dropped), slot 1 missing
    )]  # fmt: skip
    gold = [{0: ["Hans", "Müller"], 1: ["Wien"]}] * 5
    # 10 slots sent; right: sentence 0 both, sentence 1 slot 0, sentence 2 slot 1
    assert labeled_accuracy(outputs, gold) == 4 / 10
    # the precision over the 2 + 1 + 1 + 2 + 0 slots that came back reads higher
    assert slot_boundary_precision(outputs, gold) == 4 / 6
    assert labeled_accuracy([], []) == 0.0
    assert labeled_accuracy([parse_slots("__SLOT0__ 北京 __SLOT0__")], [{0: "北 京"}], char_level=True) == 1.0
    with pytest.raises(ValueError, match="2 outputs but 1 gold"):
        labeled_accuracy(outputs[:2], gold[:1])


def test_slot_boundary_precision_char_level():
    zh = _Parsed(["北京", "很", "大"], [_Slot(0, 0, 1)])
    de = _Parsed(["Neu", "York"], [_Slot(0, 0, 2)])
    assert slot_boundary_precision([zh], [{0: ["北", "京"]}], char_level=True) == 1.0
    assert slot_boundary_precision([zh], [{0: ["北", "京"]}], char_level=False) == 0.0
    # one flag per sentence: spaces are dropped for zh only, so "NeuYork" would not match "Neu York"
    assert slot_boundary_precision([zh, de], [{0: "北 京"}, {0: "NeuYork"}], char_level=[True, False]) == 0.5
    with pytest.raises(ValueError, match="1 char_level flags for 2 sentences"):
        slot_boundary_precision([zh, de], [{}, {}], char_level=[True])
    with pytest.raises(ValueError, match="1 outputs but 2 gold"):
        slot_boundary_precision([zh], [{}, {}])


@pytest.fixture
def no_spm(monkeypatch, tmp_path):
    """sacrebleu looks in an empty folder and cannot download anything."""
    from sacrebleu.tokenizers import tokenizer_spm

    def refuse(*args, **kwargs):
        raise AssertionError("sacrebleu tried to download a SentencePiece model")

    monkeypatch.setattr(tokenizer_spm, "SACREBLEU_DIR", str(tmp_path / "sacrebleu"))
    monkeypatch.setattr(tokenizer_spm, "download_file", refuse)
    return tmp_path / "sacrebleu"


def test_bleu_by_hand(no_spm):
    hyp, ref = "the cat sat on the mat", "the cat sat on a mat"
    # clipped n-gram precisions 5/6, 3/5, 2/4, 1/3; equal lengths, no brevity penalty.
    result = bleu([hyp], [ref])
    assert result.tokenize == "13a" and "tok:13a" in result.signature
    assert result.score == pytest.approx(100 * (1 / 12) ** 0.25)
    assert bleu([ref, hyp], [ref, hyp]).score == pytest.approx(100.0)
    with pytest.raises(ValueError, match="2 hypotheses but 1 references"):
        bleu([hyp, hyp], [ref])


def test_bleu_char_level_fallbacks(no_spm):
    # zh: characters are tokens: precisions 3/5, 2/4, 1/3 and 0/2, smoothed ("exp") to 1/(2*2).
    result = bleu(["我住在北京"], ["我住在上海"], lang="zh")
    assert result.tokenize == "zh" and result.score == pytest.approx(100 * (1 / 40) ** 0.25)
    assert bleu(["我住在北京"], ["我住在上海"]).score < 1.0  # 13a sees one word each
    assert bleu(["ฉันอยู่"], ["ฉันอยู่"], lang="th").tokenize == "char"
    assert bleu(["a b"], ["a b"], lang="de").tokenize == "13a"


def test_spbleu_used_only_when_its_model_is_on_disk(no_spm):
    import sentencepiece as spm

    assert spbleu_model_path("flores101") == no_spm / "models" / "sacrebleu_tokenizer_spm.model"
    assert spbleu_model_path("flores200") == no_spm / "models" / "flores200sacrebleuspm"
    with pytest.raises(FileNotFoundError, match="needs its SentencePiece model at"):
        bleu(["a"], ["a"], tokenize="flores200")
    # A tiny model trained here stands in for the FLORES-101 one.
    path = spbleu_model_path("flores101")
    path.parent.mkdir(parents=True)
    words = ["tiger", "river", "garden", "window", "summer", "yellow", "market", "letter"]
    lines = [" ".join(words[(i * k) % 8] for k in range(1, 7)) for i in range(200)]
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_prefix=str(path.with_suffix("")), vocab_size=25, minloglevel=2
    )
    assert path.is_file()
    result = bleu(["yellow tiger"], ["yellow tiger"], lang="zh")
    assert result.tokenize == "flores101" and result.score == pytest.approx(100.0)
    assert "tok:flores101" in result.signature
    with pytest.raises(ValueError, match="unknown spBLEU tokenizer '13a'"):
        spbleu_model_path("13a")
    with pytest.raises(FileNotFoundError, match="spbleu-1k_tokenizer_spm.model"):
        bleu(["a"], ["a"], tokenize="spBLEU-1K")
