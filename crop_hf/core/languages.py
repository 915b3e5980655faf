"""One table of the languages crop-hf knows: M2M100, NLLB-200, langid.py and lingua codes, script, matching level.

The table holds English, the CoNLL-5 targets (es nl de no) and the 39 XTREME-40 targets of the CROP paper, and the 18
languages of MasakhaNER 2.0 that NLLB-200 translates (codes: ISO 639-1 where there is one, else ISO 639-3).

* ``m2m100_code`` is the language token of facebook/m2m100_418M and _1.2B (``__es__``). M2M100 has no Basque
  (``eu``) and no Telugu (``te``): their code is ``None`` and translation into or out of them needs an NLLB-200
  model.
* ``nllb_code`` is the FLORES-200 code NLLB-200 uses as its language token. Where a macrolanguage has several
  varieties it is the one NLLB was trained on: Modern Standard Arabic ``arb_Arab``, Western Persian ``pes_Arab``,
  Standard Malay ``zsm_Latn``, Norwegian Bokmål ``nob_Latn``, Swahili ``swh_Latn``, Estonian ``est_Latn`` (the
  later FLORES+ release renamed it ``ekk_Latn``; NLLB's tokenizer only knows ``est_Latn``).
* ``script`` is the ISO 15924 code, the same as the suffix of ``nllb_code``.
* ``char_level`` marks scripts written without spaces between words (Chinese, Japanese, Thai, Burmese):
  projection matches entities on characters there, on words elsewhere. Khmer and Lao are written the same way
  but are not CROP target languages, so they are not in the table; add a row with ``char_level=True`` to use them.
* ``langid_code`` is the code langid.py (97 languages) returns. langid.py cannot identify Burmese (``my``),
  Yoruba (``yo``) and most of the MasakhaNER languages: their code is ``None`` and the language filter keeps every sentence of them. ``langid_aliases``
  lists other langid.py codes the filter should also accept for the language, because langid.py routinely gives
  them to its text (Malay is mostly identified as Indonesian; Norwegian also as ``nb`` / ``nn``).
* ``lingua_codes`` are the ISO 639-1 codes the optional identifier lingua (``crop-hf[lingua]``, 75 languages)
  gives the language's text, the main one first; ``None`` means the language's own code. lingua knows Norwegian as
  Bokmål ``nb`` and Nynorsk ``nn``, and does not know Javanese, Malayalam, Burmese and eleven of the MasakhaNER languages (``()``: never dropped).
  :meth:`Language.identifier_codes` reads the right column for an identifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.errors import CropHfError


@dataclass(frozen=True)
class Language:
    """One row of the language table (see the module docstring for each column)."""

    code: str
    name: str
    m2m100_code: str | None
    nllb_code: str
    script: str
    char_level: bool
    langid_code: str | None
    langid_aliases: tuple[str, ...] = ()
    lingua_codes: tuple[str, ...] | None = None

    def identifier_codes(self, identifier: str = "langid") -> tuple[str, ...]:
        """The codes ``identifier`` ("langid" or "lingua") gives this language's text, the main one first; ``()``
        when it cannot identify the language."""
        if identifier == "lingua":
            return (self.code,) if self.lingua_codes is None else self.lingua_codes
        return (self.langid_code, *self.langid_aliases) if self.langid_code else ()


class UnknownLanguageError(CropHfError, ValueError, KeyError):
    """A language code that is not in the table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


_L = Language
LANGUAGE_TABLE: tuple[Language, ...] = (
    # code, name, M2M100, NLLB-200, script, char-level, langid.py (and aliases), lingua where not the code
    _L("en", "English", "en", "eng_Latn", "Latn", False, "en"),
    _L("af", "Afrikaans", "af", "afr_Latn", "Latn", False, "af"),
    _L("ar", "Arabic", "ar", "arb_Arab", "Arab", False, "ar"),
    _L("bg", "Bulgarian", "bg", "bul_Cyrl", "Cyrl", False, "bg"),
    _L("bn", "Bengali", "bn", "ben_Beng", "Beng", False, "bn"),
    _L("de", "German", "de", "deu_Latn", "Latn", False, "de"),
    _L("el", "Greek", "el", "ell_Grek", "Grek", False, "el"),
    _L("es", "Spanish", "es", "spa_Latn", "Latn", False, "es"),
    _L("et", "Estonian", "et", "est_Latn", "Latn", False, "et"),
    _L("eu", "Basque", None, "eus_Latn", "Latn", False, "eu"),  # not in M2M100
    _L("fa", "Persian", "fa", "pes_Arab", "Arab", False, "fa"),
    _L("fi", "Finnish", "fi", "fin_Latn", "Latn", False, "fi"),
    _L("fr", "French", "fr", "fra_Latn", "Latn", False, "fr"),
    _L("he", "Hebrew", "he", "heb_Hebr", "Hebr", False, "he"),
    _L("hi", "Hindi", "hi", "hin_Deva", "Deva", False, "hi"),
    _L("hu", "Hungarian", "hu", "hun_Latn", "Latn", False, "hu"),
    _L("id", "Indonesian", "id", "ind_Latn", "Latn", False, "id"),
    _L("it", "Italian", "it", "ita_Latn", "Latn", False, "it"),
    _L("ja", "Japanese", "ja", "jpn_Jpan", "Jpan", True, "ja"),
    _L("jv", "Javanese", "jv", "jav_Latn", "Latn", False, "jv", lingua_codes=()),
    _L("ka", "Georgian", "ka", "kat_Geor", "Geor", False, "ka"),
    _L("kk", "Kazakh", "kk", "kaz_Cyrl", "Cyrl", False, "kk"),
    _L("ko", "Korean", "ko", "kor_Hang", "Hang", False, "ko"),
    _L("ml", "Malayalam", "ml", "mal_Mlym", "Mlym", False, "ml", lingua_codes=()),
    _L("mr", "Marathi", "mr", "mar_Deva", "Deva", False, "mr"),
    _L("ms", "Malay", "ms", "zsm_Latn", "Latn", False, "ms", ("id",)),
    _L("my", "Burmese", "my", "mya_Mymr", "Mymr", True, None, lingua_codes=()),  # not in langid.py nor lingua
    _L("nl", "Dutch", "nl", "nld_Latn", "Latn", False, "nl"),
    _L("no", "Norwegian", "no", "nob_Latn", "Latn", False, "no", ("nb", "nn"), ("nb", "nn")),
    _L("pt", "Portuguese", "pt", "por_Latn", "Latn", False, "pt"),
    _L("ru", "Russian", "ru", "rus_Cyrl", "Cyrl", False, "ru"),
    _L("sw", "Swahili", "sw", "swh_Latn", "Latn", False, "sw"),
    _L("ta", "Tamil", "ta", "tam_Taml", "Taml", False, "ta"),
    _L("te", "Telugu", None, "tel_Telu", "Telu", False, "te"),  # not in M2M100
    _L("th", "Thai", "th", "tha_Thai", "Thai", True, "th"),
    _L("tl", "Tagalog", "tl", "tgl_Latn", "Latn", False, "tl"),
    _L("tr", "Turkish", "tr", "tur_Latn", "Latn", False, "tr"),
    _L("ur", "Urdu", "ur", "urd_Arab", "Arab", False, "ur"),
    _L("vi", "Vietnamese", "vi", "vie_Latn", "Latn", False, "vi"),
    _L("yo", "Yoruba", "yo", "yor_Latn", "Latn", False, None),  # not in langid.py
    _L("zh", "Chinese", "zh", "zho_Hans", "Hans", True, "zh"),
    # MasakhaNER 2.0 (Adelani et al., EMNLP 2022): the 18 of its 20 languages NLLB-200 translates (not Ghomala'
    # ``bbj`` nor Nigerian Pidgin ``pcm``); sw and yo are above. M2M100 has nine of them.
    _L("bm", "Bambara", None, "bam_Latn", "Latn", False, None, lingua_codes=()),
    _L("ee", "Ewe", None, "ewe_Latn", "Latn", False, None, lingua_codes=()),
    _L("fon", "Fon", None, "fon_Latn", "Latn", False, None, lingua_codes=()),
    _L("ha", "Hausa", "ha", "hau_Latn", "Latn", False, None, lingua_codes=()),
    _L("ig", "Igbo", "ig", "ibo_Latn", "Latn", False, None, lingua_codes=()),
    _L("rw", "Kinyarwanda", None, "kin_Latn", "Latn", False, "rw", lingua_codes=()),
    _L("lg", "Luganda", "lg", "lug_Latn", "Latn", False, None),
    _L("luo", "Luo", None, "luo_Latn", "Latn", False, None, lingua_codes=()),
    _L("mos", "Mossi", None, "mos_Latn", "Latn", False, None, lingua_codes=()),
    _L("ny", "Chichewa", None, "nya_Latn", "Latn", False, None, lingua_codes=()),
    _L("sn", "Shona", None, "sna_Latn", "Latn", False, None),
    _L("tn", "Tswana", "tn", "tsn_Latn", "Latn", False, None),
    _L("tw", "Twi", None, "twi_Latn", "Latn", False, None, lingua_codes=()),
    _L("wo", "Wolof", "wo", "wol_Latn", "Latn", False, None, lingua_codes=()),
    _L("xh", "Xhosa", "xh", "xho_Latn", "Latn", False, "xh"),
    _L("zu", "Zulu", "zu", "zul_Latn", "Latn", False, "zu"),
)
del _L

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in LANGUAGE_TABLE}
CONLL5_LANGUAGES: tuple[str, ...] = ("en", "es", "nl", "de", "no")
# MasakhaNER 2.0's languages, by the table's codes (its folders use ISO 639-3: crop_hf.builders.masakhaner2)
MASAKHANER2_LANGUAGES: tuple[str, ...] = (
    "bm", "ee", "fon", "ha", "ig", "rw", "lg", "luo", "mos", "ny", "sn", "sw", "tn", "tw", "wo", "xh", "yo", "zu",
)  # fmt: skip
_NOT_XTREME = {"no", *MASAKHANER2_LANGUAGES} - {"sw", "yo"}  # sw and yo are in both benchmarks
XTREME40_LANGUAGES: tuple[str, ...] = (
    "en",
    *(lang.code for lang in LANGUAGE_TABLE[1:] if lang.code not in _NOT_XTREME),
)


def get_language(code: str) -> Language:
    """The table row of ``code``; an unknown code raises :class:`UnknownLanguageError` listing the known ones."""
    try:
        return LANGUAGES[code]
    except (KeyError, TypeError):
        raise UnknownLanguageError(
            f"unknown language code {code!r}; known codes: {', '.join(sorted(LANGUAGES))}. "
            "Add a row to crop_hf.core.languages.LANGUAGE_TABLE for another language."
        ) from None
