"""Projection filters: what each drops, the two passes of a chain, the counts per reason, langid decisions."""

from __future__ import annotations

import pytest

from crop_hf.core.filters import (
    Drop,
    FilterChain,
    FilterInput,
    FilterStats,
    LanguageFilter,
    LengthFilter,
    MaxEntitiesFilter,
    NoEntityFilter,
    identify_language,
)

SPANISH = "El ayuntamiento de la ciudad aprobó ayer un nuevo plan para mejorar el transporte público."
ENGLISH = "The city council approved a new plan yesterday to improve public transport in the town."
GERMAN = "Die Regierung hat am Montag beschlossen, die Steuern für kleine Unternehmen zu senken."
DUTCH = "De gemeenteraad heeft gisteren een nieuw plan goedgekeurd om het openbaar vervoer te verbeteren."
CHINESE = "市政府昨天批准了一项改善公共交通的新计划。"


def item(text: str, lang: str, tags: list[str] | None = None, n_tokens: int | None = None) -> FilterInput:
    tokens = text.split() if n_tokens is None else ["w"] * n_tokens
    if tags is None:
        tags = ["B-LOC"] + ["O"] * (len(tokens) - 1)
    return FilterInput(text=text, tokens=tokens, lang=lang, tags=tags)


@pytest.mark.parametrize(("text", "lang"), [(SPANISH, "es"), (GERMAN, "de"), (DUTCH, "nl"), (CHINESE, "zh")])
def test_language_filter_keeps_sentences_in_their_language(text: str, lang: str) -> None:
    assert LanguageFilter()(item(text, lang)) is None


def test_language_filter_drops_an_untranslated_english_copy() -> None:
    assert LanguageFilter()(item(ENGLISH, "es")) == "langid says 'en', expected 'es'"
    assert LanguageFilter()(item(SPANISH, "de")) == "langid says 'es', expected 'de'"


def test_language_filter_with_candidates_always_includes_the_expected_language() -> None:
    restricted = LanguageFilter(candidates=("en",))
    assert restricted(item(SPANISH, "es")) is None
    assert restricted(item(ENGLISH, "es")) == "langid says 'en', expected 'es'"


def test_identify_language_restriction_does_not_leak() -> None:
    assert identify_language(SPANISH, ["en", "pt"]) == "pt"  # Spanish is not among the candidates
    assert identify_language(SPANISH) == "es"
    assert identify_language(GERMAN, ("de", "nl")) == "de"
    with pytest.raises(ValueError, match="does not know \\['xx'\\]"):
        identify_language(SPANISH, ["en", "xx"])


def test_length_filter_counts_tokens() -> None:
    assert LengthFilter()(item("x", "es", n_tokens=128)) is None
    assert LengthFilter()(item("x", "es", n_tokens=129)) == "129 tokens > max_words=128"
    assert LengthFilter(max_words=5)(item("uno dos tres cuatro cinco seis", "es")) == "6 tokens > max_words=5"


def test_entity_filters_read_tags() -> None:
    assert NoEntityFilter()(item("Ana vive aquí", "es", tags=["O", "O", "O"])) == "all 3 tags are O"
    assert NoEntityFilter()(item("Ana vive aquí", "es", tags=["B-PER", "O", "O"])) is None
    six = ["B-PER", "B-LOC", "B-ORG", "I-ORG", "B-PER", "B-LOC", "B-MISC"]
    assert MaxEntitiesFilter()(item("a b c d e f g", "es", tags=six)) == "6 entities > max_entities=5"
    assert MaxEntitiesFilter(max_entities=6)(item("a b c d e f g", "es", tags=six)) is None
    with pytest.raises(ValueError, match="'no_entity' needs projected tags"):
        NoEntityFilter()(FilterInput("Ana vive aquí", ["Ana", "vive", "aquí"], "es"))


def test_chain_runs_text_filters_without_tags_and_tag_filters_with_them() -> None:
    chain = FilterChain.default()
    assert chain.names == ["too_long", "wrong_language", "no_entity", "too_many_entities"]
    untagged = [
        FilterInput(SPANISH, ["w"] * 130, "es"),  # too long
        FilterInput(ENGLISH, ENGLISH.split(), "es"),  # English
        FilterInput(SPANISH, SPANISH.split(), "es"),  # kept: the tag filters do not run without tags
    ]
    drops = [chain.check(i) for i in untagged]
    assert [d.filter if d else None for d in drops] == ["too_long", "wrong_language", None]
    assert str(drops[1]) == "wrong_language: langid says 'en', expected 'es'"
    six = ["B-PER", "B-LOC", "B-ORG", "I-ORG", "B-PER", "B-LOC", "B-MISC"]
    tagged = [
        item(ENGLISH, "es", n_tokens=130, tags=["O"] * 130),  # no entity; text filters do not run again
        item("a b c d e f g", "es", tags=six),
        item("a b c", "es", tags=["B-PER", "O", "O"]),
    ]
    assert [d.filter if (d := chain.check(i)) else None for i in tagged] == ["no_entity", "too_many_entities", None]
    relaxed = FilterChain.default(max_words=200, check_language=False, max_entities=None)
    assert relaxed.names == ["too_long", "no_entity", "too_many_entities"] and relaxed.check(tagged[1]) is None
    # no limit but the slot markers: more entities than those could never be translated
    crowded = item(" ".join("w" * 33), "es", tags=["B-PER"] * 33)
    assert str(relaxed.check(crowded)) == "too_many_entities: 33 entities > the 32 slot markers"


def test_stats_count_results_per_reason() -> None:
    stats = FilterStats()
    for reason in [None, "too_long", "no_entity", None, "no_entity", "unmatched_entity"]:
        stats.add(reason)
    assert stats == FilterStats(seen=6, kept=2, dropped={"too_long": 1, "no_entity": 2, "unmatched_entity": 1})
    assert stats.summary() == "seen 6, kept 2 (33.3%); dropped too_long=1, no_entity=2, unmatched_entity=1"


def test_stats_merge_and_empty_summary() -> None:
    a = FilterStats(seen=10, kept=4, dropped={"too_long": 1, "no_entity": 5})
    b = FilterStats(seen=5, kept=1, dropped={"no_entity": 2, "wrong_language": 2})
    assert a.merge(b) == FilterStats(15, 5, {"too_long": 1, "no_entity": 7, "wrong_language": 2})
    assert FilterStats().summary() == "seen 0, kept 0; dropped none"


def test_chain_rejects_duplicate_filter_names() -> None:
    with pytest.raises(ValueError, match="filter names must be unique"):
        FilterChain([LengthFilter(), LengthFilter(max_words=10)])
    assert Drop("too_long", "x").filter == "too_long"


def test_language_filter_keeps_languages_langid_does_not_know() -> None:
    assert LanguageFilter()(item(ENGLISH, "yo")) is None  # Yoruba: no langid.py code, nothing to check against


def test_stats_counts_are_what_a_run_records():
    stats = FilterStats()
    for reason in (None, "too_long", None, "no_entity", "too_long"):
        stats.add(reason)
    assert stats.counts() == {"kept": 2, "total": 5, "kept_ratio": 0.4, "drops": {"no_entity": 1, "too_long": 2}}
    assert FilterStats().counts() == {"kept": 0, "total": 0, "kept_ratio": 0.0, "drops": {}}
