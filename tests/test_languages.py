import langid.langid
import pytest

from crop_hf.languages import CONLL5_LANGUAGES, LANGUAGES, XTREME40_LANGUAGES, UnknownLanguageError, get_language


def test_table_covers_conll5_and_xtreme40():
    assert len(XTREME40_LANGUAGES) == 40 and set(CONLL5_LANGUAGES) <= set(LANGUAGES)
    assert len(LANGUAGES) == 41  # en + es nl de no + the other 36 XTREME targets
    assert get_language("zh").nllb_code == "zho_Hans" and get_language("no").nllb_code == "nob_Latn"
    assert get_language("ms").nllb_code == "zsm_Latn" and get_language("fa").nllb_code == "pes_Arab"
    assert {c for c, lang in LANGUAGES.items() if lang.char_level} == {"zh", "ja", "th", "my"}
    assert {c for c, lang in LANGUAGES.items() if lang.m2m100_code is None} == {"eu", "te"}


def test_langid_codes_exist_in_langid():
    known = set(langid.langid.LanguageIdentifier.from_modelstring(langid.langid.model).nb_classes)
    for lang in LANGUAGES.values():
        assert lang.langid_code is None or lang.langid_code in known, lang.code


def test_unknown_code_lists_known_ones():
    with pytest.raises(UnknownLanguageError, match="known codes: af, ar, bg"):
        get_language("xx")
