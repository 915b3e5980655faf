"""Published numbers of the projection methods that came after CROP, on MasakhaNER 2.0, that a run's report stands
beside (the ``masakhaner2`` benchmark).

Entity-level F1 in %, MasakhaNER 2.0 test sets, English CoNLL-2003 as the source, translate-train with marker-based
projection. EasyProject (Chen et al., Findings of ACL 2023) and CODEC (Le et al., ICLR 2024: constrained decoding),
per language over 18 of the 20 languages (Ghomala' and Nigerian Pidgin left out), as the CODEC paper's comparison
table gives them (transcribed from a later thesis that copies that table and notes that the settings differ between
papers). T-Projection (García-Ferrero et al., Findings of EMNLP 2023) reports 70.3 on average over its own 8
languages; which 8 is not in our source, so no same-language comparison is made with it. Keys are crop-hf's language
codes (``ha`` for MasakhaNER's ``hau``).

CoNLL-2003 has MISC and no DATE: the run maps MISC to O in the English source and scores the test sets without DATE
(DATE entities read as O), the setting these comparisons use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PublishedMethod:
    """One later method's published MasakhaNER 2.0 numbers: per language (where given) and its own average."""

    name: str
    source: str
    average: float
    languages: int  # how many languages its average is over
    f1: dict[str, float] = field(default_factory=dict)  # per crop-hf language code; empty: not given per language


EASYPROJECT = PublishedMethod(
    "EasyProject", "Chen et al., Findings of ACL 2023 (figures as the CODEC paper's comparison table gives them)", 64.9,
    18, {"bm": 45.8, "ee": 78.5, "fon": 61.4, "ha": 72.2, "ig": 65.6, "rw": 71.0, "lg": 76.7, "luo": 50.2,
         "mos": 53.1, "ny": 75.3, "sn": 55.9, "sw": 83.6, "tn": 74.0, "tw": 65.3, "wo": 58.9, "xh": 71.1, "yo": 36.8,
         "zu": 73.0},
)  # fmt: skip
CODEC = PublishedMethod(
    "CODEC", "Le et al., ICLR 2024 (constrained decoding)", 67.1,
    18, {"bm": 45.8, "ee": 79.1, "fon": 65.5, "ha": 72.4, "ig": 70.9, "rw": 71.2, "lg": 77.2, "luo": 49.6,
         "mos": 55.6, "ny": 76.8, "sn": 72.4, "sw": 83.1, "tn": 74.7, "tw": 64.6, "wo": 63.1, "xh": 70.4, "yo": 41.4,
         "zu": 74.8},
)  # fmt: skip
T_PROJECTION = PublishedMethod("T-Projection", "García-Ferrero et al., Findings of EMNLP 2023", 70.3, 8)
MASAKHANER2_METHODS = (EASYPROJECT, CODEC, T_PROJECTION)
LABEL_MAPPING = (
    "English CoNLL-2003 has MISC and no DATE: MISC is mapped to O in the English source (the NER models learn PER, LOC, "
    "ORG), and DATE entities of the MasakhaNER test sets read as O (not scored), as the later methods' comparisons "
    "score them."
)


def beside_later_methods(languages: list[str]) -> list[dict[str, Any]]:
    """Per later method: its published average, and its average over those of ``languages`` it reports per language
    (``None`` when it gives no per-language figures), with those languages."""
    rows = []
    for method in MASAKHANER2_METHODS:
        shared = [lang for lang in languages if lang in method.f1]
        mean = round(sum(method.f1[x] for x in shared) / len(shared), 2) if shared else None
        rows.append({"method": method.name, "source": method.source, "published_average": method.average,
                     "published_languages": method.languages, "shared_languages": shared,
                     "average_on_shared": mean})  # fmt: skip
    return rows
