"""Language identifiers: codes per identifier, candidate resolution, lingua as the option with fewer false drops
(fewer in-language sentences rejected than langid.py on the built-in corpus), a one-line hint when it is missing."""

from __future__ import annotations

import sys

import pytest

from crop_hf.base.extras import MissingExtraError
from crop_hf.core.filters import FilterInput, LanguageFilter
from crop_hf.core.language_id import auto_candidates, check_identifier, resolve_candidates
from crop_hf.core.languages import get_language

ENGLISH = "The city council approved a new plan yesterday to improve public transport in the town."
NORWEGIAN = "Regjeringen vedtok i går en ny plan for å bedre kollektivtrafikken i byen."


def test_each_identifier_has_its_codes_in_the_language_table() -> None:
    assert get_language("no").identifier_codes("langid") == ("no", "nb", "nn")
    assert get_language("no").identifier_codes("lingua") == ("nb", "nn")  # lingua has no "no"
    assert get_language("es").identifier_codes("lingua") == ("es",)
    assert get_language("my").identifier_codes("langid") == get_language("my").identifier_codes("lingua") == ()
    assert get_language("yo").identifier_codes("langid") == () and get_language("yo").identifier_codes("lingua")


def test_candidates_are_the_identifiers_codes_and_language_codes_stand_for_theirs() -> None:
    assert resolve_candidates(["es", "en", "da"]) == ("da", "en", "es")  # langid.py knows Danish
    assert auto_candidates(["es", "no", "my"]) == ["en", "es", "no"]  # Burmese: langid.py cannot identify it
    with pytest.raises(ValueError, match="langid.py does not know \\['qx'\\]"):
        resolve_candidates(["es", "qx"])


def test_a_missing_lingua_is_one_line_naming_the_extra(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "lingua", None)  # import lingua raises ImportError
    with pytest.raises(MissingExtraError, match=r"needs lingua-language-detector: pip install 'crop-hf\[lingua\]'"):
        check_identifier("lingua")
    with pytest.raises(ValueError, match="use one of langid, lingua"):
        check_identifier("lingva")


def test_lingua_filter_drops_english_and_knows_norwegian_as_bokmal() -> None:
    pytest.importorskip("lingua")
    assert resolve_candidates(["no", "en"], "lingua") == ("en", "nb", "nn")
    with pytest.raises(ValueError, match="lingua does not know \\['qx'\\]"):
        resolve_candidates(["qx"], "lingua")
    lingua = LanguageFilter(("en",), identifier="lingua")
    assert lingua(FilterInput(ENGLISH, ENGLISH.split(), "es")) == "lingua says 'en', expected 'es'"
    assert lingua(FilterInput(NORWEGIAN, NORWEGIAN.split(), "no")) is None


def test_lingua_rejects_fewer_in_language_sentences_than_langid() -> None:
    """The built-in corpus's target sentences are in their language by construction: every drop is a false one."""
    pytest.importorskip("lingua")
    pytest.importorskip("faker")
    from crop_hf.demo.synthetic import generate_corpus

    examples = list(generate_corpus(("es", "nl", "de", "no"), 150, seed=0, split="train"))
    rejected = {}
    for identifier in ("langid", "lingua"):
        language_filter = LanguageFilter(("en",), identifier=identifier)  # as a run's "auto": [lang, en]
        rejected[identifier] = sum(
            language_filter(FilterInput(ex.tgt_text, ex.tgt_tokens, ex.lang)) is not None for ex in examples
        )
    assert rejected["lingua"] < rejected["langid"], rejected
    assert rejected["lingua"] <= 0.01 * len(examples), rejected
