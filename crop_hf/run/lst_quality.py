"""The LST model measured as the paper measures it (its Tables 5 and 6), as a stage of the run.

- **Translation quality** (Table 5): spBLEU and chrF++ of X->en (the model that translates raw sentences into
  English: the LST model trained both ways, or the recipe's ``mt`` model) and en->X (the LST model, plain text)
  on the ``lst_test`` data (FLORES-101 devtest in the paper's recipes). spBLEU needs the FLORES SentencePiece model:
  ``lst_quality.spm_model`` names a local copy, else sacrebleu's own copy is used when it is on disk; without
  either the score is BLEU with sacrebleu's default tokenisation (``13a``; ``zh``/``char`` for scripts without
  spaces), and ``tokenize`` says so in the metrics and the report. Only scores with the same tokenisation compare.
- **Labeled translation quality** (Table 6): on ``heldout_pairs`` aligned pairs per language that LST training
  never saw (drawn with the recipe's seed, :func:`heldout`), one to three phrase pairs of each are wrapped in slot
  markers on the English side and translated; the measure is the share of the slots sent that come back around the
  aligned target phrase (a missing or malformed slot is a failure, as in the paper), beside the share of outputs
  whose slots are all well-formed. Unlike the paper's (entities, checked by people), it is automatic and its
  phrases are the aligned phrase pairs LST training draws its slots from: any pair, or with ``lst.slot_phrases:
  names`` the pairs that are a name and its translation (:mod:`crop_hf.training.name_phrases`; a held-out pair
  without one is left out). Both in percent.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .data import lst_test_file, read_jsonl
from .recipe import Recipe
from .records import at
from .results import LstQualityResult, ModelsResult
from .scores import percent

MAX_SLOTS_MEASURED = 3
HELDOUT_SHARE = 0.2  # never more than this share of a language's pairs is held out of training


def heldout(rows: Sequence[dict[str, Any]], recipe: Recipe) -> set[int]:
    """Indices of the aligned pairs held out of LST training: ``heldout_pairs`` per language (at most a fifth of
    its pairs), the same for the same rows and seed."""
    wanted = recipe.lst_quality_options()["heldout_pairs"]
    chosen: set[int] = set()
    for lang in recipe.languages:
        mine = [i for i, r in enumerate(rows) if r["tgt_lang"] == lang and r.get("phrases")]
        n = min(wanted, int(len(mine) * HELDOUT_SHARE))
        rng = random.Random(zlib.crc32(f"{recipe.seed}/heldout/{lang}".encode()))
        chosen.update(rng.sample(mine, n))
    return chosen


def lst_quality(recipe: Recipe, out: Path, models: ModelsResult, lst_dir: str, aligned: str) -> LstQualityResult:
    """Table 5's and Table 6's measures of the trained LST model, per language."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from ..translation import make_translator

    options = recipe.lst_quality_options()
    generation = recipe.projection_options()  # the backend projection generates with

    def translator(path: str) -> Any:
        model = AutoModelForSeq2SeqLM.from_pretrained(path)
        return make_translator(model, AutoTokenizer.from_pretrained(path), generation.backend or "transformers",
                               generation.compute_type, batch_size=options["batch_size"])  # fmt: skip

    lst = translator(at(out, lst_dir))
    mt = translator(models.mt) if models.mt else lst
    rows = list(read_jsonl(out / aligned))
    translation = _translation(recipe, out, lst, mt, options) if "lst_test" in recipe.data else None
    return LstQualityResult(_labeled(recipe, lst, rows), translation)


def _labeled(recipe: Recipe, lst: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from ..core.languages import get_language
    from ..core.metrics import labeled_accuracy, well_formed_rate
    from ..core.slots import parse_slots, wrap

    held = sorted(heldout(rows, recipe))
    if recipe.lst.get("slot_phrases") == "names":  # the slots drawn as training draws them (held-out pairs aside)
        rows = _name_rows(rows, set(held))
    scores: dict[str, Any] = {}
    for lang in recipe.languages:
        mine = [rows[i] for i in held if rows[i]["tgt_lang"] == lang and rows[i]["phrases"]]
        if not mine:
            continue
        rng = random.Random(zlib.crc32(f"{recipe.seed}/slots/{lang}".encode()))
        wrapped, gold = [], []
        for r in mine:
            phrases = _disjoint(r["phrases"], rng)
            wrapped.append(wrap(r["src_tokens"], [(p[0], p[1]) for p in phrases]))
            gold.append({i: r["tgt_tokens"][p[2] : p[3]] for i, p in enumerate(phrases)})
        parsed = [parse_slots(t or "") for t in lst.translate(wrapped, "en", lang)]
        char_level = get_language(lang).char_level
        scores[lang] = {
            "accuracy": percent(labeled_accuracy(parsed, gold, char_level=char_level)),
            "well_formed": percent(well_formed_rate(parsed)),
            "pairs": len(mine),
            "slots": sum(len(g) for g in gold),
        }
    return scores


def _translation(recipe: Recipe, out: Path, lst: Any, mt: Any, options: dict[str, Any]) -> dict[str, Any]:
    from ..core.metrics import bleu, chrf_plus_plus

    scores: dict[str, Any] = {}
    for lang in recipe.languages:
        pairs = list(read_jsonl(out / lst_test_file(lang)))[: options["sentences"]]
        english, target = [p["en"] for p in pairs], [p["xx"] for p in pairs]
        lang_scores: dict[str, Any] = {"sentences": len(pairs)}
        for direction, model, src, tgt, sources, references in (
            ("x_en", mt, lang, "en", target, english),
            ("en_x", lst, "en", lang, english, target),
        ):
            hyps = [h or "" for h in model.translate(sources, src, tgt)]
            b = bleu(hyps, references, lang=tgt, spm_model=options["spm_model"])
            lang_scores[direction] = {"bleu": round(b.score, 2), "chrf++": round(chrf_plus_plus(hyps, references), 2),
                                      "tokenize": b.tokenize}  # fmt: skip
        scores[lang] = lang_scores
    return scores


# the file names FLORES-101's SentencePiece model goes by (as distributed, and in sacrebleu's cache): the paper's spBLEU
FLORES101_SPM = ("flores101_sacrebleu_spm.model", "sacrebleu_tokenizer_spm.model")


def tokenisation_note(translation: dict[str, Any]) -> str:
    """One sentence on what the BLEU columns are: the paper's spBLEU (FLORES-101's SentencePiece model), spBLEU with
    another model, or BLEU with another tokenisation and how to get spBLEU."""
    used = sorted({d["tokenize"] for scores in translation.values() for d in (scores["x_en"], scores["en_x"])})
    if all(t == "flores101" or t.removeprefix("spm:") in FLORES101_SPM for t in used):
        return f"BLEU is spBLEU ({', '.join(used)}), as in the paper's Table 5."
    if all(t.startswith(("spm:", "flores")) for t in used):
        return (f"BLEU is computed on the pieces of {', '.join(used)}, not FLORES-101's SentencePiece model: it does "
                "not compare with the paper's spBLEU (Table 5 uses flores101_sacrebleu_spm.model).")  # fmt: skip
    return (f"BLEU used {', '.join(used)} tokenisation, not spBLEU: the FLORES SentencePiece model was not available "
            "(set lst_quality.spm_model=PATH to a local flores101_sacrebleu_spm.model); it does not compare with "
            "the paper's spBLEU.")  # fmt: skip


def _name_rows(rows: list[dict[str, Any]], held: set[int]) -> list[dict[str, Any]]:
    """``rows`` with only the phrase pairs ``lst.slot_phrases: names`` trains on, by the name filter of the training
    pairs (the held-out ones aside)."""
    from ..core.phrases import as_phrase_pairs
    from ..training.name_phrases import NameFilter

    names = NameFilter.from_features(r for i, r in enumerate(rows) if i not in held)
    out = []
    for r in rows:
        pairs = names.name_pairs(as_phrase_pairs(r["phrases"]), r["src_tokens"], r["tgt_tokens"],
                                 r.get("src_lang", "en"), r["tgt_lang"])  # fmt: skip
        out.append({**r, "phrases": [[p.src_start, p.src_end, p.tgt_start, p.tgt_end] for p in pairs]})
    return out


def _disjoint(phrases: Sequence[list[int]], rng: random.Random) -> list[list[int]]:
    """One to three phrase pairs overlapping on neither side, in source order (slot ids follow it)."""
    from ..core.phrases import disjoint_pairs

    return sorted(disjoint_pairs(rng.sample(list(phrases), len(phrases)), MAX_SLOTS_MEASURED, lambda p: p[:4]))
