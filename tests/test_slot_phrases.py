"""Slots on names (``lst.slot_phrases: names``): which aligned phrase pairs the LST training and its held-out
measure draw slots from (``crop_hf.training.name_phrases``)."""

import pytest

from crop_hf.core.phrases import PhrasePair
from crop_hf.run.lst_quality import _name_rows
from crop_hf.training.collator import DataCollatorForLabeledSeq2Seq
from crop_hf.training.name_phrases import MAX_NAMES_PER_PHRASE, NameFilter
from crop_hf.training.trainer import LabeledSeq2SeqTrainingArguments

SHARES = {"src_tokens": "Shares of Baidu rose on Monday .".split(), "tgt_tokens": "百度 的 股价 周一 上涨 。".split(),
          "phrases": [[2, 3, 0, 1], [4, 6, 3, 4], [5, 6, 3, 4], [0, 1, 2, 3], [3, 4, 4, 5]], "src_lang": "en",
          "tgt_lang": "zh"}  # fmt: skip
THE = {"src_tokens": "The shares fell on the day .".split(), "tgt_tokens": "股价 当天 下跌 。".split(),
       "phrases": [[1, 2, 0, 1]], "src_lang": "en", "tgt_lang": "zh"}  # fmt: skip


def _pairs(rows):
    return [PhrasePair(*p) for p in rows]


def _row(en: str, other: str, phrases, lang="es"):
    return {"src_tokens": en.split(), "tgt_tokens": other.split(), "phrases": phrases, "src_lang": "en",
            "tgt_lang": lang}  # fmt: skip


def _kept(names: NameFilter, row) -> list[tuple[str, str]]:
    pairs = names.name_pairs(_pairs(row["phrases"]), row["src_tokens"], row["tgt_tokens"], row["src_lang"],
                             row["tgt_lang"])  # fmt: skip
    return [(" ".join(row["src_tokens"][p.src_start : p.src_end]), " ".join(row["tgt_tokens"][p.tgt_start : p.tgt_end]))
            for p in pairs]  # fmt: skip


def test_common_words_come_from_the_english_side_in_either_direction():
    flipped = {"src_tokens": THE["tgt_tokens"], "tgt_tokens": "Today Moscow grew .".split(), "src_lang": "zh",
               "tgt_lang": "en"}  # fmt: skip
    words = NameFilter.from_features([SHARES, THE, flipped]).common_words
    # written lowercase somewhere, or capitalized only as a sentence's first word (Today)
    assert words == {"of", "rose", "on", "shares", "fell", "the", "day", "grew", "today"}
    assert NameFilter.from_features([{**THE, "src_lang": "de", "tgt_lang": "zh"}]).common_words == frozenset()


def test_a_word_capitalized_only_at_a_sentence_start_is_no_name_unless_written_so_inside_one():
    assert "shares" in NameFilter.from_features([SHARES]).common_words  # "Shares of Baidu ...": never lowercase
    inside = _row("Investors bought Shares .", "x y z .", [])
    assert "shares" not in NameFilter.from_features([SHARES, inside]).common_words


def test_name_pairs_keep_names_in_either_direction():
    names = NameFilter.from_features([SHARES, THE])
    kept = names.name_pairs(_pairs(SHARES["phrases"]), SHARES["src_tokens"], SHARES["tgt_tokens"], "en", "zh")
    # Baidu and Monday are names; "on Monday" starts lowercase, "Shares" is written "shares" too, "rose" is lowercase
    assert kept == [PhrasePair(2, 3, 0, 1), PhrasePair(5, 6, 3, 4)]
    flipped = [PhrasePair(t0, t1, s0, s1) for s0, s1, t0, t1 in SHARES["phrases"]]
    back = names.name_pairs(flipped, SHARES["tgt_tokens"], SHARES["src_tokens"], "zh", "en")
    assert back == [PhrasePair(0, 1, 2, 3), PhrasePair(3, 4, 5, 6)]
    assert names.name_pairs(flipped, SHARES["tgt_tokens"], SHARES["src_tokens"], "zh", "de") == flipped  # no English


@pytest.mark.parametrize(
    ("words", "kept"),
    [
        ("Tour de France", True),  # a name particle inside a name
        ("Bank of Spain", True),
        ("Selina van Ooste", True),
        ("van Dooren Group", True),  # a surname particle may start one
        ("de France", True),
        ("of Spain", False),  # ... "of" may not
        ("Tour de", False),  # ... and none may end one
        ("Baidu met Monday", False),  # a lowercase word that is no particle
        ("Baidu , Monday", False),  # nor is punctuation
    ],
)
def test_name_particles(words, kept):
    tokens = words.split()
    pair = PhrasePair(0, len(tokens), 0, 1)
    assert NameFilter(frozenset({"met"})).name_pairs([pair], tokens, ["X"], "en", "es") == ([pair] if kept else [])


def test_in_a_cased_script_the_translation_of_a_name_starts_with_a_capital_or_a_surname_particle():
    row = _row("Tomsk will host the World Cup .", "Томск примет Чемпионат мира .",
               [[0, 1, 0, 1], [4, 6, 3, 4], [4, 6, 2, 4]], "ru")  # fmt: skip
    names = NameFilter(frozenset({"will", "host", "the"}))
    assert _kept(names, row) == [("Tomsk", "Томск"), ("World Cup", "Чемпионат мира")]  # not "World Cup" <-> "мира"
    dutch = _row("It is van Dam Group .", "Het is van Dam Group .", [[2, 5, 2, 5]], "nl")
    assert _kept(names, dutch) == [("van Dam Group", "van Dam Group")]
    monday = _row("Sales rose on Monday .", "Las ventas subieron el lunes .", [[3, 4, 3, 5]])
    assert _kept(names, monday) == []  # "el lunes": no name's translation


def test_a_pair_inside_another_name_pair_on_both_sides_is_left_out():
    row = _row(
        "It paid World Bank .", "Pagó Banco Mundial .", [[2, 4, 1, 3], [3, 4, 1, 2], [2, 3, 2, 3], [3, 5, 1, 4]]
    )
    # "Bank" <-> "Banco" and "World" <-> "Mundial" are parts of "World Bank" <-> "Banco Mundial"; "Bank ." is no name
    assert _kept(NameFilter(frozenset({"it", "paid"})), row) == [("World Bank", "Banco Mundial")]


def test_a_phrase_that_stands_for_many_english_names_is_no_translation():
    people = ["Li Na", "Wang Wei", "Zhou Jun", "Chen Bo", "Liu Fang"]

    def rows(n):
        return [_row(f"We met {p} in Paris .", "我们 在 巴黎 见 了 他 。", [[2, 4, 5, 6], [5, 6, 2, 3]], "zh")
                for p in people[:n]]  # fmt: skip

    few = NameFilter.from_features(rows(MAX_NAMES_PER_PHRASE))
    assert few.shared_phrases == frozenset() and _kept(few, rows(1)[0]) == [("Li Na", "他"), ("Paris", "巴黎")]
    many = NameFilter.from_features(rows(MAX_NAMES_PER_PHRASE + 1))
    assert many.shared_phrases == {("zh", "他")}
    assert _kept(many, rows(1)[0]) == [("Paris", "巴黎")]  # 他 stood for four different people: a pronoun


def test_the_collator_draws_slots_only_on_names():
    names = NameFilter.from_features([SHARES, THE])
    collator = DataCollatorForLabeledSeq2Seq(None, translation_ratio=0.0, seed=3, names=names)
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


def test_the_heldout_measure_draws_names_with_the_training_pairs_filter():
    held = {
        "src_tokens": "Investors sold Shares of Huawei on Monday .".split(),
        "tgt_tokens": "投资者 周一 卖出 华为 的 股票 。".split(),
        "phrases": [[2, 3, 5, 6], [4, 5, 3, 4], [6, 7, 1, 2], [1, 2, 2, 3]],
        "src_lang": "en",
        "tgt_lang": "zh",
    }
    rows = [SHARES, THE, held]
    out = _name_rows(rows, held={2})
    assert out[0]["phrases"] == [[2, 3, 0, 1], [5, 6, 3, 4]]  # Baidu, Monday
    assert out[1]["phrases"] == []
    assert out[2]["phrases"] == [[4, 5, 3, 4], [6, 7, 1, 2]]  # Huawei, Monday; "Shares": training writes "shares"
    # held-out pairs' words do not count: with THE held out too, "Shares" only starts SHARES (no name), though the
    # held-out row writes it capitalized inside a sentence
    assert _name_rows(rows, held={1, 2})[0]["phrases"] == [[2, 3, 0, 1], [5, 6, 3, 4]]
    assert _name_rows(rows, held={1})[0]["phrases"] == [[2, 3, 0, 1], [5, 6, 3, 4], [0, 1, 2, 3]]  # counted: a name
    assert rows[0]["phrases"][1] == [4, 6, 3, 4]  # the input rows are left as they were
