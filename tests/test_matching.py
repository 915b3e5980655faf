"""Tokenisation with offsets, and matching of slotted phrases into raw sentences at each strictness level."""

from __future__ import annotations

import pytest

from crop_hf.core.languages import get_language
from crop_hf.core.matching import EntityMatch, MatchResult, match_entities, matches_to_tags
from crop_hf.core.text import Token, fold, tokenize, tokens_from_words


def texts(tokens: list[Token]) -> list[str]:
    return [t.text for t in tokens]


def match(text: str, entities, lang: str, strictness: str = "crop", **kwargs) -> tuple[list[Token], MatchResult]:
    tokens = tokenize(text, lang)
    return tokens, match_entities(tokens, entities, lang, strictness=strictness, **kwargs)


# ------------------------------------------------------------------------------------------- tokenize


def test_word_level_splits_punctuation_and_keeps_inner_joiners() -> None:
    text = "Baden-Württemberg (3,5 km) l'Espagne, U.S. ¡Hola!"
    tokens = tokenize(text, "es")
    expected = ["Baden-Württemberg", "(", "3,5", "km", ")", "l'Espagne", ",", "U.S", ".", "¡", "Hola", "!"]
    assert texts(tokens) == expected
    assert all(text[t.char_start : t.char_end] == t.text for t in tokens)
    assert (tokens[2].char_start, tokens[2].char_end) == (19, 22)


def test_word_level_keeps_combining_marks_and_runs_of_punctuation() -> None:
    tokens = tokenize("हिन्दी भाषा। Wait...", "hi")
    assert texts(tokens) == ["हिन्दी", "भाषा", "।", "Wait", "..."]
    assert (tokens[4].char_start, tokens[4].char_end) == (17, 20)


def test_char_level_one_token_per_character_latin_runs_whole() -> None:
    text = "我用iPhone 15拍了照片。"
    tokens = tokenize(text, "zh")
    assert texts(tokens) == ["我", "用", "iPhone", "15", "拍", "了", "照", "片", "。"]
    assert [(t.char_start, t.char_end) for t in tokens[2:5]] == [(2, 8), (9, 11), (11, 12)]
    assert texts(tokenize("ＮＨＫの記者", get_language("ja"))) == ["ＮＨＫ", "の", "記", "者"]


def test_char_level_keeps_thai_marks_with_their_letter() -> None:
    assert texts(tokenize("ที่กรุงเทพฯ", "th")) == ["ที่", "ก", "รุ", "ง", "เ", "ท", "พ", "ฯ"]


def test_tokens_from_words_offsets_into_joined_text() -> None:
    tokens = tokens_from_words(["Ana", "vive", "en", "Lima"])
    assert tokens[3] == Token("Lima", 12, 16)


def test_fold_drops_case_diacritics_and_width() -> None:
    assert fold("Müller") == fold("MULLER") == "muller"
    assert fold("Straße") == "strasse"
    assert fold("Ｔｏｋｙｏ") == "tokyo"
    assert fold("Sao-Paulo") == "saopaulo"


# ------------------------------------------------------------------------------------------- exact


def test_exact_spanish_offsets_and_tags() -> None:
    text = "El presidente Pedro Sánchez visitó Buenos Aires el lunes."
    entities = [(["Pedro", "Sánchez"], "PER", 0), (["Buenos", "Aires"], "LOC", 1)]
    tokens, result = match(text, entities, "es", strictness="exact")
    assert result.all_matched and result.unmatched == []
    assert result.matches == [
        EntityMatch(0, "PER", 2, 4, 14, 27, "exact", 1.0),
        EntityMatch(1, "LOC", 5, 7, 35, 47, "exact", 1.0),
    ]
    assert text[14:27] == "Pedro Sánchez"
    assert matches_to_tags(result.matches, len(tokens)) == [
        "O", "O", "B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O", "O",
    ]  # fmt: skip


def test_exact_chinese_characters_ignore_spaces_of_the_back_translation() -> None:
    text = "张伟昨天在北京大学发表了演讲。"
    entities = [(["张伟"], "PER", 0), (["北京", "大学"], "ORG", 1)]
    _, result = match(text, entities, "zh", strictness="exact")
    assert [(m.start, m.end, m.char_start, m.char_end, m.method) for m in result.matches] == [
        (0, 2, 0, 2, "exact"),
        (5, 9, 5, 9, "exact"),
    ]


def test_edge_punctuation_of_a_phrase_is_dropped() -> None:
    _, result = match("Vivo en Madrid, no en Sevilla.", [(["Madrid,"], "LOC", 3), ([","], "LOC", 4)], "es")
    assert [(m.slot_id, m.start, m.end) for m in result.matches] == [(3, 2, 3)]
    assert result.unmatched == [4]


def test_bad_arguments_are_named() -> None:
    tokens = tokenize("Ana vive en Lima.", "es")
    with pytest.raises(ValueError, match="strictness='loose'"):
        match_entities(tokens, [], "es", strictness="loose")
    with pytest.raises(ValueError, match="min_score=1.5"):
        match_entities(tokens, [], "es", min_score=1.5)
    with pytest.raises(TypeError, match="slot 2: the phrase must be a list of tokens, got the string 'Lima'"):
        match_entities(tokens, [("Lima", "LOC", 2)], "es")


# ------------------------------------------------------------------------------------------- crop soft rule


def test_crop_rule_spans_unique_words_with_a_word_between() -> None:
    text = "María José López habló ayer con la prensa."
    _, exact = match(text, [(["María", "López"], "PER", 0)], "es", strictness="exact")
    assert exact.unmatched == [0]
    _, crop = match(text, [(["María", "López"], "PER", 0)], "es", strictness="crop")
    (m,) = crop.matches
    assert (m.start, m.end, m.char_start, m.char_end, m.method) == (0, 3, 0, 16, "crop")
    assert m.score == pytest.approx(2 / 3)


def test_crop_rule_allows_one_missing_word_in_five() -> None:
    text = "El Banco Central Europeo en Fráncfort subió los tipos."
    _, result = match(text, [(["Banco", "Central", "Europeo", "de", "Fráncfort"], "ORG", 0)], "es")
    (m,) = result.matches
    assert (m.start, m.end, m.method, m.score) == (1, 6, "crop", pytest.approx(0.8))


def test_crop_rule_needs_unique_words_and_a_tight_span() -> None:
    # "Torres" is found, but the span Ana..Torres is 6 tokens for a 2-token phrase.
    _, wide = match("Ana dijo que el señor Torres vendrá.", [(["Ana", "Torres"], "PER", 0)], "es")
    assert wide.unmatched == [0]
    # 3 of 4 words found is below 80 %.
    _, short = match("La Copa del Rey empieza hoy.", [(["Copa", "del", "Rey", "Carlos"], "MISC", 0)], "es")
    assert short.unmatched == [0]


def test_exact_is_tried_before_the_soft_rule() -> None:
    # The release's soft rule alone fails here: "de" occurs twice, so only 2 of 3 words are unique.
    text = "El gobernador del Banco de España habló de la inflación."
    _, result = match(text, [(["Banco", "de", "España"], "ORG", 0)], "es")
    assert [(m.start, m.end, m.method, m.score) for m in result.matches] == [(3, 6, "exact", 1.0)]


# ------------------------------------------------------------------------------------------- fuzzy and align


def test_german_genitive_exact_and_crop_fail_fuzzy_recovers() -> None:
    text = "Thomas Müllers Firma hat ihren Sitz in München."
    entities = [(["Thomas", "Müller"], "PER", 0), (["München"], "LOC", 1)]
    for strictness in ("exact", "crop"):
        _, result = match(text, entities, "de", strictness=strictness)
        assert result.unmatched == [0] and [m.slot_id for m in result.matches] == [1]
    tokens, fuzzy = match(text, entities, "de", strictness="fuzzy")
    assert fuzzy.all_matched
    person, city = fuzzy.matches
    assert (person.start, person.end, person.char_start, person.char_end, person.method) == (0, 2, 0, 14, "fuzzy")
    assert person.score == pytest.approx((1.0 + 6 / 7) / 2)
    assert (city.method, city.score) == ("exact", 1.0)
    assert matches_to_tags(fuzzy.matches, len(tokens))[:3] == ["B-PER", "I-PER", "O"]


@pytest.mark.parametrize(
    ("lang", "text", "phrase", "start", "score"),
    [
        ("nl", "De Amsterdamse haven groeit sneller dan die van Rotterdam.", "Amsterdam", 1, 9 / 11),
        ("no", "Oslos ordfører møtte statsministeren i Bergen.", "Oslo", 0, 4 / 5),
        ("es", "El alcalde de madrid habló ayer.", "Madrid", 3, 0.95),
    ],
)
def test_fuzzy_inflection_and_case(lang: str, text: str, phrase: str, start: int, score: float) -> None:
    _, result = match(text, [([phrase], "LOC", 0)], lang, strictness="fuzzy")
    (m,) = result.matches
    assert (m.start, m.method, m.score) == (start, "fuzzy", pytest.approx(score))


def test_fuzzy_respects_min_score() -> None:
    text = "Oslos ordfører møtte statsministeren i Bergen."
    _, result = match(text, [(["Oslo"], "LOC", 0)], "no", strictness="fuzzy", min_score=0.85)
    assert result.unmatched == [0]


def test_align_finds_a_window_of_another_length() -> None:
    text = "Ela mora em Sao-Paulo desde 2010."
    entities = [(["São", "Paulo"], "LOC", 0)]
    _, fuzzy = match(text, entities, "pt", strictness="fuzzy")
    assert fuzzy.unmatched == [0]
    _, aligned = match(text, entities, "pt", strictness="align")
    (m,) = aligned.matches
    assert (m.start, m.end, m.char_start, m.char_end, m.method) == (3, 4, 12, 21, "align")
    assert m.score == pytest.approx(0.9)


def test_scores_order_by_method() -> None:
    text = "María José López y Thomas Müllers amigo viven en Sao-Paulo con Ana."
    entities = [
        (["Ana"], "PER", 0),
        (["María", "López"], "PER", 1),
        (["Thomas", "Müller"], "PER", 2),
        (["São", "Paulo"], "LOC", 3),
    ]
    _, result = match(text, entities, "es", strictness="align")
    by_method = {m.method: m.score for m in result.matches}
    assert list(by_method) == ["crop", "fuzzy", "align", "exact"]  # matches are sorted by position
    assert by_method["exact"] == 1.0
    assert by_method["exact"] > by_method["fuzzy"] > by_method["align"] > by_method["crop"] > 0.0
    assert all(0.0 <= m.score < 1.0 for m in result.matches if m.method != "exact")


# ------------------------------------------------------------------------------------------- ambiguity


def test_repeated_phrase_goes_left_to_right_in_slot_order() -> None:
    _, result = match("Juan habló con Juan ayer.", [(["Juan"], "PER", 0), (["Juan"], "PER", 1)], "es")
    assert [(m.slot_id, m.start) for m in result.matches] == [(0, 0), (1, 3)]
    _, single = match("Juan habló con Juan ayer.", [(["Juan"], "PER", 0)], "es")
    assert [(m.slot_id, m.start) for m in single.matches] == [(0, 0)]


def test_third_copy_of_a_phrase_that_occurs_twice_is_unmatched() -> None:
    entities = [(["Lima"], "LOC", 0), (["Lima"], "LOC", 1), (["Lima"], "LOC", 2)]
    _, result = match("Lima y Lima.", entities, "es", strictness="align")
    assert [(m.slot_id, m.start) for m in result.matches] == [(0, 0), (1, 2)]
    assert result.unmatched == [2]


def test_better_method_takes_the_span_and_the_loser_moves_on() -> None:
    # Slot 0 ("Gomez") first takes "Gómez" (fuzzy 0.95); slot 1 matches it exactly and wins it;
    # slot 0 falls back to its next candidate, "Gomes".
    entities = [(["Gomez"], "PER", 0), (["Gómez"], "PER", 1)]
    _, result = match("Gómez y Gomes llegaron.", entities, "es", strictness="fuzzy")
    assert [(m.slot_id, m.start, m.method) for m in result.matches] == [(1, 0, "exact"), (0, 2, "fuzzy")]
    assert result.matches[1].score == pytest.approx(4 / 5)


def test_higher_score_of_the_same_method_wins() -> None:
    # Both prefer "Berlino"; slot 1 is more similar to it (7/8 > 6/7) and takes it, slot 0 moves to "Berlín".
    entities = [(["Berlini"], "LOC", 0), (["Berlinos"], "LOC", 1)]
    _, result = match("Visitó Berlino y Berlín.", entities, "it", strictness="fuzzy")
    assert [(m.slot_id, m.start) for m in result.matches] == [(1, 1), (0, 3)]
    assert [m.score for m in result.matches] == [pytest.approx(7 / 8), pytest.approx(6 / 7)]


def test_overlapping_phrases_do_not_share_tokens() -> None:
    entities = [(["Nueva", "York"], "LOC", 0), (["York"], "LOC", 1)]
    tokens, result = match("Vive en Nueva York.", entities, "es", strictness="align")
    assert [(m.slot_id, m.start, m.end) for m in result.matches] == [(0, 2, 4)]
    assert result.unmatched == [1]
    assert matches_to_tags(result.matches, len(tokens)) == ["O", "O", "B-LOC", "I-LOC", "O"]


def test_control_characters_separate_words_and_never_stay_inside_a_token():
    from crop_hf.core.text import split_tokens

    text = "Ana\x00vive\x0cen Madrid\x07 .\x85"
    tokens = split_tokens(text, False)
    assert [t.text for t in tokens] == ["Ana", "vive", "en", "Madrid", "."]
    assert [text[t.char_start : t.char_end] for t in tokens] == ["Ana", "vive", "en", "Madrid", "."]
    assert [t.text for t in split_tokens("北京\x00上海", True)] == ["北", "京", "上", "海"]
