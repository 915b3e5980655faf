"""One table of the languages crop-hf knows: codes for M2M100, NLLB-200 and langid.py, script, matching level.

English, the CoNLL-5 targets (es nl de no) and the 39 XTREME-40 targets. ``char_level`` marks scripts written
without spaces between words (Chinese, Japanese, Thai, Burmese): projection matches them on characters. Khmer
and Lao share that property but are not CROP targets, so they are not in the table. ``m2m100_code`` is
``None`` where facebook/m2m100_418M has no such language (Basque, Telugu: use an NLLB model), and
``langid_code`` is ``None`` where langid.py cannot identify it (Burmese, Yoruba: the language filter then
keeps every sentence).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    m2m100_code: str | None
    nllb_code: str
    script: str
    char_level: bool
    langid_code: str | None


class UnknownLanguageError(ValueError, KeyError):
    """A language code that is not in the table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


# code, name, M2M100, NLLB-200, script (ISO 15924), char-level, langid.py
_ROWS = """
en English en eng_Latn Latn 0 en
es Spanish es spa_Latn Latn 0 es
nl Dutch nl nld_Latn Latn 0 nl
de German de deu_Latn Latn 0 de
no Norwegian no nob_Latn Latn 0 no
af Afrikaans af afr_Latn Latn 0 af
ar Arabic ar arb_Arab Arab 0 ar
bg Bulgarian bg bul_Cyrl Cyrl 0 bg
bn Bengali bn ben_Beng Beng 0 bn
el Greek el ell_Grek Grek 0 el
et Estonian et est_Latn Latn 0 et
eu Basque - eus_Latn Latn 0 eu
fa Persian fa pes_Arab Arab 0 fa
fi Finnish fi fin_Latn Latn 0 fi
fr French fr fra_Latn Latn 0 fr
he Hebrew he heb_Hebr Hebr 0 he
hi Hindi hi hin_Deva Deva 0 hi
hu Hungarian hu hun_Latn Latn 0 hu
id Indonesian id ind_Latn Latn 0 id
it Italian it ita_Latn Latn 0 it
ja Japanese ja jpn_Jpan Jpan 1 ja
jv Javanese jv jav_Latn Latn 0 jv
ka Georgian ka kat_Geor Geor 0 ka
kk Kazakh kk kaz_Cyrl Cyrl 0 kk
ko Korean ko kor_Hang Hang 0 ko
ml Malayalam ml mal_Mlym Mlym 0 ml
mr Marathi mr mar_Deva Deva 0 mr
ms Malay ms zsm_Latn Latn 0 ms
my Burmese my mya_Mymr Mymr 1 -
pt Portuguese pt por_Latn Latn 0 pt
ru Russian ru rus_Cyrl Cyrl 0 ru
sw Swahili sw swh_Latn Latn 0 sw
ta Tamil ta tam_Taml Taml 0 ta
te Telugu - tel_Telu Telu 0 te
th Thai th tha_Thai Thai 1 th
tl Tagalog tl tgl_Latn Latn 0 tl
tr Turkish tr tur_Latn Latn 0 tr
ur Urdu ur urd_Arab Arab 0 ur
vi Vietnamese vi vie_Latn Latn 0 vi
yo Yoruba yo yor_Latn Latn 0 -
zh Chinese zh zho_Hans Hans 1 zh
"""


def _parse(rows: str) -> dict[str, Language]:
    table = {}
    for line in rows.strip().splitlines():
        code, name, m2m, nllb, script, char, lid = line.split()
        table[code] = Language(code, name, None if m2m == "-" else m2m, nllb, script, char == "1",
                               None if lid == "-" else lid)  # fmt: skip
    return table


LANGUAGES: dict[str, Language] = _parse(_ROWS)
CONLL5_LANGUAGES: tuple[str, ...] = ("en", "es", "nl", "de", "no")
XTREME40_LANGUAGES: tuple[str, ...] = ("en", *sorted(c for c in LANGUAGES if c not in ("en", "no")))


def get_language(code: str) -> Language:
    """The table row of ``code``; an unknown code raises :class:`UnknownLanguageError` listing the known ones."""
    try:
        return LANGUAGES[code]
    except (KeyError, TypeError):
        raise UnknownLanguageError(
            f"unknown language code {code!r}; known codes: {', '.join(sorted(LANGUAGES))}"
        ) from None
