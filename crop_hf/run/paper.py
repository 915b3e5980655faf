"""The CROP paper's published numbers (Findings of EMNLP 2022, arXiv 2210.07022) that a run's report stands beside.

Entity-level F1 in %, test sets. Table 2: CoNLL-5; Table 3: XTREME-40 (PAN-X), 39 targets, per language, with
the XLM-R and the mBERT encoder; Table 5: spBLEU of the LST model on FLORES-101 (averages over 39 directions each
way); Table 6: labeled translation accuracy (share of slot markers around the equivalent entity, 250 pairs).
"avg" is the paper's own average (over the four CoNLL-5 targets, or the 39 XTREME-40 ones).
"""

from __future__ import annotations

import json
from pathlib import Path

TABLES = ("conll5", "xtreme40")  # the benchmarks the paper has a table of
ENCODERS = ("XLM-R", "mBERT")  # the encoders the paper reports, named as it names them
MBERT_VOCAB = 119547  # bert-base-multilingual-cased's vocabulary: a local mBERT copy is a BERT of this vocabulary
SYSTEMS = ("zero_shot", "translate_train", "crop")  # the columns a run reproduces, in the papers' order

# Table 2, XLM-R rows and mBERT's zero-shot row: {system: {lang: F1}}
CONLL5: dict[str, dict[str, float]] = {
    "mbert_zero_shot": {"es": 74.6, "nl": 77.9, "de": 75.0, "no": 77.4, "avg": 76.2},
    "zero_shot": {"es": 77.4, "nl": 78.9, "de": 73.4, "no": 80.9, "avg": 77.7},
    "translate_train": {"es": 77.8, "nl": 79.2, "de": 74.2, "no": 81.3, "avg": 78.1},
    "unitrans": {"es": 79.3, "nl": 82.9, "de": 74.8, "no": 81.2, "avg": 79.6},
    "mulda": {"es": 77.5, "nl": 78.4, "de": 78.2, "no": 82.1, "avg": 79.1},
    "crop": {"es": 78.1, "nl": 79.5, "de": 80.1, "no": 83.1, "avg": 80.2},
}

# Table 3, encoder XLM-R: {lang: (zero-shot, translate-train, UniTrans, CROP)}
XTREME40_XLMR: dict[str, tuple[float, float, float, float]] = {
    "af": (74.6, 76.2, 78.1, 80.3),
    "ar": (46.0, 47.8, 48.1, 45.2),
    "bg": (78.0, 79.2, 79.3, 80.4),
    "bn": (68.3, 74.3, 74.6, 75.7),
    "de": (75.2, 75.8, 75.2, 79.6),
    "el": (75.7, 67.7, 74.9, 78.5),
    "es": (70.2, 68.4, 73.8, 83.1),
    "et": (72.2, 75.8, 76.9, 77.2),
    "eu": (59.9, 61.2, 62.7, 66.8),
    "fa": (52.0, 41.0, 49.2, 65.5),
    "fi": (75.8, 76.8, 74.6, 77.9),
    "fr": (76.6, 76.4, 76.5, 82.9),
    "he": (52.4, 55.0, 53.4, 63.5),
    "hi": (69.6, 71.9, 70.4, 77.4),
    "hu": (78.2, 76.0, 76.9, 81.6),
    "id": (47.4, 50.6, 48.6, 46.1),
    "it": (77.7, 78.1, 77.3, 78.8),
    "ja": (21.0, 35.4, 21.6, 45.4),
    "jv": (61.8, 54.7, 62.2, 63.2),
    "ka": (66.5, 68.4, 66.8, 74.0),
    "kk": (43.2, 40.1, 46.5, 50.2),
    "ko": (49.9, 55.5, 57.2, 59.8),
    "ml": (62.3, 60.0, 65.5, 73.8),
    "mr": (59.6, 59.8, 64.5, 71.6),
    "ms": (67.3, 69.8, 70.2, 71.8),
    "my": (53.5, 61.6, 62.6, 69.0),
    "nl": (80.2, 79.6, 81.8, 83.5),
    "pt": (78.1, 76.4, 79.4, 81.5),
    "ru": (64.3, 60.9, 68.8, 70.2),
    "sw": (70.3, 70.0, 68.9, 69.0),
    "ta": (55.0, 63.7, 65.1, 65.6),
    "te": (50.1, 50.7, 56.1, 59.9),
    "th": (3.0, 3.4, 4.8, 3.1),
    "tl": (69.4, 74.7, 74.8, 75.5),
    "tr": (78.1, 72.3, 76.4, 80.5),
    "ur": (63.6, 62.7, 71.0, 80.4),
    "vi": (68.2, 69.6, 69.8, 70.1),
    "yo": (47.5, 46.8, 55.1, 52.6),
    "zh": (27.7, 41.2, 44.4, 50.3),
    "avg": (61.3, 62.3, 64.2, 68.2),
}

# Table 3, encoder mBERT: {lang: (zero-shot, translate-train, UniTrans, CROP)}
XTREME40_MBERT: dict[str, tuple[float, float, float, float]] = {
    "af": (76.9, 74.5, 78.2, 81.0),
    "ar": (44.5, 37.6, 47.0, 48.0),
    "bg": (77.1, 77.8, 79.5, 80.8),
    "bn": (68.8, 73.2, 74.6, 74.9),
    "de": (78.8, 77.2, 79.8, 80.3),
    "el": (71.6, 74.9, 75.6, 78.7),
    "es": (74.0, 69.4, 75.2, 84.2),
    "et": (76.3, 74.1, 76.5, 78.3),
    "eu": (68.0, 63.2, 67.2, 70.6),
    "fa": (48.2, 43.1, 49.3, 63.2),
    "fi": (77.2, 75.9, 75.6, 79.1),
    "fr": (79.7, 76.1, 80.1, 83.5),
    "he": (56.5, 55.4, 58.4, 64.7),
    "hi": (66.9, 68.1, 72.1, 77.1),
    "hu": (76.0, 77.2, 77.9, 82.5),
    "id": (46.3, 48.2, 44.6, 46.4),
    "it": (81.1, 77.2, 78.3, 79.9),
    "ja": (28.9, 36.6, 37.6, 45.3),
    "jv": (66.4, 55.1, 56.2, 57.7),
    "ka": (67.7, 64.4, 69.9, 74.1),
    "kk": (50.4, 48.2, 52.5, 54.9),
    "ko": (60.2, 61.2, 61.4, 62.6),
    "ml": (53.7, 61.0, 63.5, 72.7),
    "mr": (56.2, 58.7, 62.3, 70.6),
    "ms": (61.9, 67.5, 65.8, 71.1),
    "my": (47.6, 57.3, 59.2, 61.3),
    "nl": (82.1, 79.6, 82.4, 84.6),
    "pt": (79.6, 78.4, 80.3, 81.7),
    "ru": (65.2, 61.2, 64.8, 69.7),
    "sw": (72.8, 69.2, 65.2, 68.3),
    "ta": (50.8, 62.7, 63.2, 64.9),
    "te": (46.8, 51.2, 56.1, 61.6),
    "th": (0.4, 2.4, 3.1, 3.9),
    "tl": (71.2, 72.7, 73.4, 76.9),
    "tr": (75.5, 72.6, 77.9, 80.4),
    "ur": (36.9, 58.9, 64.1, 78.0),
    "vi": (69.7, 69.5, 69.7, 70.0),
    "yo": (51.7, 51.1, 50.1, 51.8),
    "zh": (44.1, 45.3, 47.4, 54.4),
    "avg": (61.7, 62.3, 64.5, 68.4),
}

# Table 5: spBLEU on FLORES-101 (average over 39 directions each way)
FLORES_SPBLEU: dict[str, dict[str, float]] = {
    "m2m": {"x_en": 24.50, "en_x": 22.08, "all": 23.61},
    "crop_lst": {"x_en": 32.70, "en_x": 30.31, "all": 31.51},
}

# Table 6: labeled translation accuracy in % (en->zh, en->de, en->fr)
LABELED_ACCURACY: dict[str, dict[str, float]] = {
    "without_alignment": {"zh": 84.4, "de": 84.8, "fr": 86.8},
    "with_alignment": {"zh": 97.2, "de": 95.6, "fr": 94.8},
}


def encoder_of(model: str) -> str | None:
    """Which of the paper's encoders (:data:`ENCODERS`) the NER model ``model`` (a Hub id or a local folder) is:
    by its name (``xlm-roberta-*``, ``bert-base-multilingual-*``), else by a local folder's ``config.json``
    (``model_type`` xlm-roberta, or a BERT with mBERT's vocabulary); ``None`` for any other encoder."""
    name = model.lower().rstrip("/").rsplit("/", 1)[-1]
    if "xlm-roberta" in name:
        return "XLM-R"
    if name.startswith("bert-base-multilingual"):
        return "mBERT"
    config = Path(model) / "config.json"
    if not config.is_file():
        return None
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("model_type") == "xlm-roberta":
        return "XLM-R"
    return "mBERT" if data.get("model_type") == "bert" and data.get("vocab_size") == MBERT_VOCAB else None


def beside(
    benchmark: str, languages: list[str], encoder: str | None = "XLM-R"
) -> tuple[str, dict[str, dict[str, float | None]]]:
    """The paper's row of ``encoder`` (:func:`encoder_of`) for each of ``languages`` (``{lang: {system: F1}}``,
    ``None`` where the paper has no number) and the title naming the table and encoder; empty for a benchmark the
    paper has no table of, or an encoder it does not report (``None``)."""
    if encoder not in ENCODERS:
        return "", {}
    if benchmark == "conll5":  # Table 2 has mBERT's zero-shot row only
        if encoder == "mBERT":
            rows = {lang: {"zero_shot": CONLL5["mbert_zero_shot"].get(lang)} for lang in [*languages, "avg"]}
        else:
            rows = {lang: {s: CONLL5[s].get(lang) for s in SYSTEMS} for lang in [*languages, "avg"]}
        return f"Table 2 (CoNLL-5), encoder {encoder}", rows
    if benchmark == "xtreme40":
        table = XTREME40_XLMR if encoder == "XLM-R" else XTREME40_MBERT
        rows = {}
        for lang in [*languages, "avg"]:
            zero, tt, _unitrans, crop = table.get(lang, (None, None, None, None))
            rows[lang] = {"zero_shot": zero, "translate_train": tt, "crop": crop}
        return f"Table 3 (XTREME-40 / PAN-X), encoder {encoder}", rows
    return "", {}
