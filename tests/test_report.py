"""The run's report from constructed stage results: one scale, the paper row of the run's encoder, languages
without data said so, mean and standard deviation over seeds, the console summary against both baselines."""

from __future__ import annotations

import json

import pytest

from crop_hf.run.paper import encoder_of
from crop_hf.run.recipe import load_recipe
from crop_hf.run.report import collect, console_summary, write_report
from crop_hf.run.results import (
    AlignResult,
    DataResult,
    EvaluateResult,
    LstQualityResult,
    LstResult,
    NerResult,
    ProjectResult,
    SelftrainResult,
    StageResults,
    TranslateResult,
)
from crop_hf.run.scores import SCALE_NOTE

LANGS = ["es", "nl", "de", "no"]


def _projection(kept: int) -> dict:
    drops = {"slots_lost": 10 - kept} if kept < 10 else {}
    f1 = 50.0 if kept else None
    return {"precision": f1, "recall": f1, "f1": f1, "kept": kept, "total": 10, "kept_percent": 10.0 * kept,
            "drops": drops}  # fmt: skip


def _results(by_seed: dict, kept: dict | None = None, translated: dict | None = None) -> StageResults:
    """Stage results as the stages return them (typed), for the languages of ``kept``."""
    kept = kept or dict.fromkeys(LANGS, 5)
    translated = translated or dict.fromkeys(LANGS, 4)
    return StageResults({
        "data": DataResult(english=8), "align": AlignResult(pairs=8), "train_lst": LstResult(steps=2),
        "lst_quality": LstQualityResult(), "train_ner": NerResult("models/english-ner", True, sentences=8),
        "translate": TranslateResult({lang: {"kept": n, "total": 8, "kept_percent": 12.5 * n,
                                             "drops": {"slots_lost": 8 - n}} for lang, n in translated.items()}),
        "project": ProjectResult("models/crop-projection", {lang: _projection(n) for lang, n in kept.items()}),
        "selftrain": SelftrainResult("models/crop-ner", 20, 0, []),
        "evaluate": EvaluateResult(by_seed),
    })  # fmt: skip


def _scores(zero: float, tt: float, crop: float) -> dict:
    return {lang: {"zero_shot": zero, "translate_train": tt, "crop": crop} for lang in LANGS}


def test_the_paper_row_is_the_runs_encoders_and_named_so(tmp_path):
    results = _results({"42": _scores(60.0, 61.0, 65.0)})
    xlmr, _ = collect(load_recipe("conll5"), results)
    assert xlmr["recipe"]["encoder"] == "XLM-R" and xlmr["paper"]["title"] == "Table 2 (CoNLL-5), encoder XLM-R"
    assert xlmr["paper"]["f1"]["es"] == {"zero_shot": 77.4, "translate_train": 77.8, "crop": 78.1}
    # mBERT: Table 2 has its zero-shot row only; Table 3 has all three
    mbert = collect(load_recipe("conll5", ["models.ner=bert-base-multilingual-cased"]), results)[0]
    assert mbert["paper"]["title"] == "Table 2 (CoNLL-5), encoder mBERT"
    assert mbert["paper"]["f1"]["es"] == {"zero_shot": 74.6} and mbert["paper"]["f1"]["avg"] == {"zero_shot": 76.2}
    recipe = load_recipe("xtreme40", ["models.ner=bert-base-multilingual-cased", "languages=[es,nl,de]"])
    by_lang = {"42": {lang: s for lang, s in _scores(60.0, 61.0, 65.0).items() if lang != "no"}}
    three = _results(by_lang, dict.fromkeys(["es", "nl", "de"], 5), dict.fromkeys(["es", "nl", "de"], 4))
    metrics, typed = collect(recipe, three)
    assert metrics["paper"]["f1"]["es"] == {"zero_shot": 74.0, "translate_train": 69.4, "crop": 84.2}
    write_report(recipe, tmp_path, metrics, typed)
    report = (tmp_path / "report.md").read_text()
    assert "Beside the paper's Table 3 (XTREME-40 / PAN-X), encoder mBERT:" in report
    assert "| es | 60.0 | 61.0 | 65.0 | 74.0 | 69.4 | 84.2 |" in report
    assert "The paper has no row" not in report and "later methods" not in report  # it has one; not masakhaner2
    # an encoder the paper does not report: no row, and the report says why
    other = load_recipe("conll5", ["models.ner=distilbert-base-multilingual-cased"])
    metrics, typed = collect(other, results)
    assert "paper" not in metrics and metrics["recipe"]["encoder"] is None
    write_report(other, tmp_path, metrics, typed)
    assert (
        "The paper has no row for the encoder `distilbert-base-multilingual-cased`"
        in (tmp_path / "report.md").read_text()
    )


def test_encoder_of_a_local_folder_reads_its_config(tmp_path):
    (tmp_path / "enc").mkdir()
    (tmp_path / "enc" / "config.json").write_text(json.dumps({"model_type": "bert", "vocab_size": 119547}))
    assert encoder_of(str(tmp_path / "enc")) == "mBERT"
    (tmp_path / "enc" / "config.json").write_text(json.dumps({"model_type": "bert", "vocab_size": 30522}))
    assert encoder_of(str(tmp_path / "enc")) is None  # an English BERT
    assert encoder_of("FacebookAI/xlm-roberta-large") == "XLM-R" and encoder_of("builtin") is None


def test_a_language_without_data_says_so_instead_of_a_number(tmp_path, capsys):
    recipe = load_recipe("conll5")
    results = _results({"42": _scores(20.0, 30.0, 40.0)}, kept={"es": 0, "nl": 5, "de": 5, "no": 5},
                       translated={"es": 4, "nl": 0, "de": 4, "no": 4})  # fmt: skip
    metrics, typed = collect(recipe, results)
    assert metrics["no_data"] == {"es": {"crop": "no projected data"}, "nl": {"translate_train": "no translated data"}}
    assert metrics["evaluation"]["es"] == {"zero_shot": 20.0, "translate_train": 30.0, "crop": None}
    assert metrics["evaluation_by_seed"]["42"]["es"]["crop"] == 40.0  # what was measured stays on record
    write_report(recipe, tmp_path, metrics, typed)
    report = (tmp_path / "report.md").read_text()
    assert "| es | - / - / - | 0/10 | 20.0 | 30.0 | no projected data | - |" in report
    assert "| nl | 50.0 / 50.0 / 50.0 | 5/10 | 20.0 | no translated data | 40.0 | - |" in report
    assert "**es: no projected data**: projection kept none of its 10 raw sentences ({'slots_lost': 10})" in report
    lines = console_summary(metrics, "out")
    assert "crop-hf run conll5: es: no projected data: projection kept none of its 10 raw sentences" in "\n".join(
        lines
    )
    assert lines[0] == ("crop-hf run conll5: F1 % averaged over the languages: zero-shot 20.0, translate-train 30.0 "
                        "(3 languages), CROP 40.0 (3 languages)")  # fmt: skip
    assert lines[1:3] == ["crop-hf run conll5: CROP above zero-shot on 3/3 languages",
                          "crop-hf run conll5: CROP above translate-train on 2/2 languages"]  # fmt: skip


def test_a_baseline_without_any_data_keeps_its_columns_in_both_tables(tmp_path):
    recipe = load_recipe("conll5")
    results = _results({"42": {lang: {"zero_shot": 20.0, "translate_train": None, "crop": None} for lang in LANGS}},
                       kept=dict.fromkeys(LANGS, 0), translated=dict.fromkeys(LANGS, 0))  # fmt: skip
    metrics, typed = collect(recipe, results)
    write_report(recipe, tmp_path, metrics, typed)
    report = (tmp_path / "report.md").read_text()
    assert "| es | - / - / - | 0/10 | 20.0 | no translated data | no projected data | - |" in report
    assert "| es | 20.0 | no translated data | no projected data | 77.4 | 77.8 | 78.1 |" in report


def test_several_seeds_give_mean_and_sample_std_on_one_scale(tmp_path):
    recipe = load_recipe("conll5", ["seeds=[1, 2, 3]"])
    by_seed = {"1": _scores(20.0, 30.0, 40.0), "2": _scores(22.0, 30.0, 44.0), "3": _scores(24.0, 33.0, 42.0)}
    metrics, typed = collect(recipe, _results(by_seed))
    assert metrics["recipe"]["seeds"] == [1, 2, 3] and metrics["scale"] == SCALE_NOTE
    assert metrics["evaluation"]["es"] == {"zero_shot": 22.0, "translate_train": 31.0, "crop": 42.0}
    assert metrics["evaluation_std"]["es"] == {"zero_shot": 2.0, "translate_train": 1.73, "crop": 2.0}
    write_report(recipe, tmp_path, metrics, typed)
    report = (tmp_path / "report.md").read_text()
    assert "| es | 50.0 / 50.0 / 50.0 | 5/10 | 22.0 ± 2.0 | 31.0 ± 1.7 | 42.0 ± 2.0 | - |" in report
    assert SCALE_NOTE in report and "no target-language gold data chose any of them" in report
    assert "- es: kept 5/10 (50.0 %); {'slots_lost': 5}" in report
    assert json.loads((tmp_path / "metrics.json").read_text())["evaluation_std"]["nl"]["crop"] == 2.0


def test_a_recipe_refuses_bad_seeds():
    from crop_hf.run.recipe import RecipeError

    for bad, message in (("seeds=[1, 1]", "list each seed once"), ("seeds=[1, x]", "whole numbers"),
                         ("seeds=3", "give a list")):  # fmt: skip
        with pytest.raises(RecipeError, match=message):
            load_recipe("conll5", [bad])
    assert load_recipe("conll5").ner_seeds == [42] and load_recipe("conll5", ["seeds=[5, 6]"]).ner_seeds == [5, 6]
