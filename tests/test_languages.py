import langid.langid
import pytest

from crop_hf.core.languages import (
    CONLL5_LANGUAGES,
    LANGUAGE_TABLE,
    LANGUAGES,
    MASAKHANER2_LANGUAGES,
    XTREME40_LANGUAGES,
    Language,
    UnknownLanguageError,
    get_language,
)

XTREME39 = "af ar bg bn de el es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru sw ta te th tl tr ur vi yo zh"


def _langid_classes() -> set[str]:
    return set(langid.langid.LanguageIdentifier.from_modelstring(langid.langid.model).nb_classes)


def test_table_covers_conll5_and_xtreme40():
    assert XTREME40_LANGUAGES == ("en", *XTREME39.split())
    assert len(XTREME40_LANGUAGES) == 40 and len(set(XTREME40_LANGUAGES)) == 40
    assert CONLL5_LANGUAGES == ("en", "es", "nl", "de", "no")
    assert len(LANGUAGE_TABLE) == 57
    assert set(LANGUAGES) == set(XTREME40_LANGUAGES) | set(CONLL5_LANGUAGES) | set(MASAKHANER2_LANGUAGES)
    assert all(isinstance(row, Language) for row in LANGUAGE_TABLE)


# MasakhaNER 2.0's folders (ISO 639-3) and NLLB-200's codes, written out here rather than derived from the table
MASAKHANER2_NLLB = {
    "bam": "bam_Latn", "ewe": "ewe_Latn", "fon": "fon_Latn", "hau": "hau_Latn", "ibo": "ibo_Latn",
    "kin": "kin_Latn", "lug": "lug_Latn", "luo": "luo_Latn", "mos": "mos_Latn", "nya": "nya_Latn",
    "sna": "sna_Latn", "swa": "swh_Latn", "tsn": "tsn_Latn", "twi": "twi_Latn", "wol": "wol_Latn",
    "xho": "xho_Latn", "yor": "yor_Latn", "zul": "zul_Latn",
}  # fmt: skip


def test_masakhaner2_languages_have_their_nllb_codes():
    from crop_hf.builders.masakhaner2 import MASAKHANER2_FOLDERS

    assert len(MASAKHANER2_LANGUAGES) == 18 and set(MASAKHANER2_FOLDERS) == set(MASAKHANER2_LANGUAGES)
    by_folder = {MASAKHANER2_FOLDERS[code]: get_language(code).nllb_code for code in MASAKHANER2_LANGUAGES}
    assert by_folder == MASAKHANER2_NLLB
    # M2M100 has only eight of them: the recipe needs NLLB-200
    assert sorted(c for c in MASAKHANER2_LANGUAGES if get_language(c).m2m100_code) == [
        "ha", "ig", "lg", "sw", "tn", "wo", "xh", "yo", "zu"]  # fmt: skip
    assert not any(get_language(c).char_level for c in MASAKHANER2_LANGUAGES)


def test_exact_codes():
    assert get_language("zh") == Language("zh", "Chinese", "zh", "zho_Hans", "Hans", True, "zh")
    assert get_language("no").nllb_code == "nob_Latn" and get_language("no").m2m100_code == "no"
    assert get_language("ar").nllb_code == "arb_Arab" and get_language("fa").nllb_code == "pes_Arab"
    assert get_language("ms").nllb_code == "zsm_Latn" and get_language("sw").nllb_code == "swh_Latn"
    assert get_language("tl").nllb_code == "tgl_Latn" and get_language("tl").m2m100_code == "tl"
    assert get_language("et").nllb_code == "est_Latn" and get_language("jv").m2m100_code == "jv"
    assert get_language("ja").script == "Jpan" and get_language("ko").script == "Hang"
    assert get_language("he").langid_code == "he" and get_language("ms").langid_aliases == ("id",)


def test_script_is_the_nllb_suffix_and_codes_are_well_formed():
    for lang in LANGUAGE_TABLE:
        iso639_3, script = lang.nllb_code.split("_")
        assert len(iso639_3) == 3 and script == lang.script, lang.code
        assert lang.m2m100_code is None or lang.m2m100_code == lang.code, lang.code


def test_languages_m2m100_and_langid_lack():
    assert {c for c, lang in LANGUAGES.items() if lang.m2m100_code is None} == {
        "eu", "te", "bm", "ee", "fon", "rw", "luo", "mos", "ny", "sn", "tw"}  # fmt: skip
    assert {c for c, lang in LANGUAGES.items() if lang.langid_code is None} == {
        "my", "yo", "bm", "ee", "fon", "ha", "ig", "lg", "luo", "mos", "ny", "sn", "tn", "tw", "wo"}  # fmt: skip


def test_char_level_languages():
    assert {c for c, lang in LANGUAGES.items() if lang.char_level} == {"zh", "ja", "th", "my"}


def test_langid_codes_exist_in_langid():
    known = _langid_classes()
    assert len(known) == 97
    for lang in LANGUAGE_TABLE:
        assert lang.langid_code is None or lang.langid_code in known, lang.code
        assert set(lang.langid_aliases) <= known, lang.code
    # the two without a code really are missing from langid.py
    assert "my" not in known and "yo" not in known


def test_m2m100_codes_exist_in_the_m2m100_tokenizer_list():
    tokenization = pytest.importorskip("transformers.models.m2m_100.tokenization_m2m_100")
    m2m = set(tokenization.FAIRSEQ_LANGUAGE_CODES["m2m100"])
    assert {lang.m2m100_code for lang in LANGUAGE_TABLE} - {None} <= m2m
    assert "eu" not in m2m and "te" not in m2m


def test_nllb_codes_exist_in_the_nllb_tokenizer_list():
    tokenization = pytest.importorskip("transformers.models.nllb.tokenization_nllb")
    assert {lang.nllb_code for lang in LANGUAGE_TABLE} <= set(tokenization.FAIRSEQ_LANGUAGE_CODES)


def test_unknown_code_lists_known_ones():
    with pytest.raises(UnknownLanguageError, match="unknown language code 'xx'; known codes: af, ar, bg"):
        get_language("xx")
    with pytest.raises(KeyError):
        get_language("EN")
    with pytest.raises(ValueError, match="zh"):
        get_language(None)
