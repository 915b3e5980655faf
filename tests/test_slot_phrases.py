"""Slots on names (``lst.slot_phrases: names``): which aligned phrase pairs the LST training and its held-out
measure draw slots from."""

import pytest

from crop_hf.core.phrases import PhrasePair
from crop_hf.run.lst_quality import _name_rows
from crop_hf.training.collator import DataCollatorForLabeledSeq2Seq, lowercase_english_words, name_pairs
from crop_hf.training.trainer import LabeledSeq2SeqTrainingArguments

SHARES = {"src_tokens": "Shares of Baidu rose on Monday .".split(), "tgt_tokens": "百度 的 股价 周一 上涨 。".split(),
          "phrases": [[2, 3, 0, 1], [4, 6, 3, 4], [5, 6, 3, 4], [0, 1, 2, 3], [3, 4, 4, 5]], "src_lang": "en",
          "tgt_lang": "zh"}  # fmt: skip
THE = {"src_tokens": "The shares fell on the day .".split(), "tgt_tokens": "股价 当天 下跌 。".split(),
       "phrases": [[1, 2, 0, 1]], "src_lang": "en", "tgt_lang": "zh"}  # fmt: skip


def _pairs(rows):
    return [PhrasePair(*p) for p in rows]


def test_lowercase_words_come_from_the_english_side_in_either_direction():
    flipped = {"src_tokens": THE["tgt_tokens"], "tgt_tokens": "Today Moscow grew .".split(), "src_lang": "zh",
               "tgt_lang": "en"}  # fmt: skip
    assert lowercase_english_words([SHARES, THE, flipped]) == {"of", "rose", "on", "shares", "fell", "the", "day",
                                                                "grew"}  # fmt: skip
    assert lowercase_english_words([{**THE, "src_lang": "de", "tgt_lang": "zh"}]) == frozenset()  # no English side


def test_name_pairs_keep_names_and_drop_words_the_english_also_writes_lowercase():
    lowercase = lowercase_english_words([SHARES, THE])
    kept = name_pairs(_pairs(SHARES["phrases"]), SHARES["src_tokens"], SHARES["tgt_tokens"], "en", "zh", lowercase)
    # Baidu and Monday are names; "on Monday" starts lowercase, "Shares" is written "shares" too, "rose" is lowercase
    assert kept == [PhrasePair(2, 3, 0, 1), PhrasePair(5, 6, 3, 4)]
    # the same pairs read from the other direction (the English side is the target)
    flipped = [PhrasePair(t0, t1, s0, s1) for s0, s1, t0, t1 in SHARES["phrases"]]
    back = name_pairs(flipped, SHARES["tgt_tokens"], SHARES["src_tokens"], "zh", "en", lowercase)
    assert back == [PhrasePair(0, 1, 2, 3), PhrasePair(3, 4, 5, 6)]
    # no English side: every pair
    assert name_pairs(flipped, SHARES["tgt_tokens"], SHARES["src_tokens"], "zh", "de", lowercase) == flipped


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        ("Tour de France", True),  # a short lowercase particle inside a name
        ("Selina van Ooste", True),
        ("de France", False),  # ... but never at an edge
        ("Tour de", False),
        ("Baidu rose Monday", False),  # a longer lowercase word inside is not a particle
        ("Baidu , Monday", False),  # nor is punctuation
    ],
)
def test_name_pairs_particles(words, kept):
    tokens = words.split()
    pair = PhrasePair(0, len(tokens), 0, 1)
    assert name_pairs([pair], tokens, ["x"], "en", "zh", frozenset({"rose"})) == ([pair] if kept else [])


def test_the_collator_draws_slots_only_on_names():
    lowercase = lowercase_english_words([SHARES, THE])
    collator = DataCollatorForLabeledSeq2Seq(None, translation_ratio=0.0, seed=3, lowercase_words=lowercase)
    every = DataCollatorForLabeledSeq2Seq(None, translation_ratio=0.0, seed=3)
    slotted, anywhere = set(), set()
    for epoch in range(40):
        for c, seen in ((collator, slotted), (every, anywhere)):
            c.set_epoch(epoch)
            inside = False
            for word in c.make_pair(SHARES).source.split():
                if word.startswith("__SLOT"):
                    inside = not inside
                elif inside:
                    seen.add(word)
    assert slotted == {"Baidu", "Monday"}
    assert {"rose", "Shares"} <= anywhere  # CROP's default draws from every pair
    # a pair with no name gets no slot: the plain translation
    collator.set_epoch(0)
    assert "__SLOT" not in collator.make_pair(THE).source


def test_an_unknown_slot_phrases_value_is_refused(tmp_path):
    with pytest.raises(ValueError, match="slot_phrases must be one of all, names, got 'entities'"):
        LabeledSeq2SeqTrainingArguments(output_dir=str(tmp_path), slot_phrases="entities")


def test_the_heldout_measure_draws_names_with_the_training_pairs_lowercase_words():
    held = {
        "src_tokens": "Shares of Huawei fell on Monday .".split(),
        "tgt_tokens": "华为 的 股价 周一 下跌 。".split(),
        "phrases": [[0, 1, 2, 3], [2, 3, 0, 1], [5, 6, 3, 4], [4, 5, 4, 5]],
        "src_lang": "en",
        "tgt_lang": "zh",
    }
    rows = [SHARES, THE, held]
    out = _name_rows(rows, held={2})
    assert out[0]["phrases"] == [[2, 3, 0, 1], [5, 6, 3, 4]]  # Baidu, Monday
    assert out[1]["phrases"] == []
    # "Huawei" and "Monday" are names; "Shares": the training pairs write it lowercase (THE's "shares")
    assert out[2]["phrases"] == [[2, 3, 0, 1], [5, 6, 3, 4]]
    # held-out pairs' words do not count: with THE held out too, nothing writes "shares" lowercase
    assert _name_rows(rows, held={1, 2})[0]["phrases"] == [[2, 3, 0, 1], [5, 6, 3, 4], [0, 1, 2, 3]]
    assert rows[0]["phrases"][1] == [4, 6, 3, 4]  # the input rows are left as they were
