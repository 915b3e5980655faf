"""Model cards rendered from a run's metrics: metadata that parses, carries the real numbers, round-trips."""

import json
import shutil

import pytest
from huggingface_hub import EvalResult, ModelCard

from crop_hf.core.languages import UnknownLanguageError
from crop_hf.publish.model_card import (
    NER_PLOT,
    PROJECTION_PLOT,
    CardInfo,
    LanguageResult,
    RunMetrics,
    ner_card,
    ner_eval_results,
    projection_card,
    projection_eval_results,
    read_metrics,
)

# The layout crop-hf demo writes to metrics.json, scores in percent (numbers made up for the test, two runs' worth
# of shapes).
DEMO_METRICS = {
    "languages": ["es", "zh"],
    "lst": {
        "steps": 120,
        "training_pairs": 800,
        "entity_accuracy": {"es": 81.23, "zh": 60.71},
        "entity_well_formed": {"es": 95.0, "zh": 70.0},
        "bleu": {"es": {"score": 21.37, "tokenize": "13a"}, "zh": 9.5},
    },
    "english_ner": {"sentences": 300},
    "projection": {
        "es": {"precision": 90.27, "recall": 89.47, "f1": 89.87, "kept": 68, "total": 150, "kept_percent": 45.33},
        "zh": {"precision": 93.1, "recall": 92.0, "f1": 92.55, "kept": 39, "total": 150, "kept_percent": 26.0},
    },
    "selftrain": {
        "projected": 107,
        "discarded": 90,
        "rounds": [
            {"round": 0, "data": {"projected": 107}},
            {"round": 1, "data": {"relabelled": 31, "no_entity": 40}},
        ],
    },
    "evaluation": {"es": {"zero_shot": 21.82, "crop": 52.22}, "zh": {"zero_shot": 0.0, "crop": 9.84}},
    "evaluation_by_seed": {"42": {"es": {"zero_shot": 21.82, "crop": 52.22}, "zh": {"zero_shot": 0.0, "crop": 9.84}},
                           "7": {"es": {"zero_shot": 25.0, "crop": 50.0}, "zh": {"zero_shot": 1.0, "crop": 8.0}}},
}  # fmt: skip


@pytest.fixture(scope="module")
def saved_projection(tmp_path_factory, tiny_dir):
    """A folder laid out as CropProjectionPipeline.save_pretrained writes it (tiny M2M100 + tiny XLM-R as ner/)."""
    root = tmp_path_factory.mktemp("saved") / "crop-projection"
    shutil.copytree(tiny_dir / "m2m100", root)
    shutil.copytree(tiny_dir / "xlmr", root / "ner")
    config = {"task": "crop-projection", "lst_model": ".", "ner_model": "ner", "mt_model": "."}
    (root / "crop_projection.json").write_text(json.dumps(config))
    return root


def test_demo_metrics_are_read_per_language():
    metrics = RunMetrics.from_dict(DEMO_METRICS)
    es, zh = metrics.results
    assert metrics.languages == ["es", "zh"]
    assert (es.projection_f1, es.kept, es.total, es.kept_percent) == (89.87, 68, 150, 45.33)
    assert (es.entity_accuracy, es.entity_well_formed, es.bleu, es.bleu_tokenize) == (81.23, 95.0, 21.37, "13a")
    assert (zh.bleu, zh.bleu_tokenize, zh.zero_shot_f1, zh.crop_f1) == (9.5, None, 0.0, 9.84)
    # one seed's own numbers (what the cards of that seed's models report)
    seven = RunMetrics.from_dict(DEMO_METRICS, seed=7).results[0]
    assert (seven.zero_shot_f1, seven.crop_f1, seven.projection_f1) == (25.0, 50.0, 89.87)
    assert metrics.training == {
        "LST training pairs": 800,
        "LST training steps": 120,
        "English NER training sentences": 300,
        "projected target sentences kept": 107,
        "discarded sentences handed to self-training": 90,
        "discarded sentences re-labelled and kept (all rounds)": 31,  # what round 1 re-labelled, not the 90 given
        "self-training rounds": 2,
    }
    real = RunMetrics.from_dict({**DEMO_METRICS, "recipe": {"benchmark": "conll5"}})
    assert (real.synthetic, real.dataset_name, real.results) == (
        False,
        "CoNLL-5 (CoNLL-2002/2003, NorNE)",
        metrics.results,
    )
    with pytest.raises(ValueError, match="metrics.json.*'languages'"):
        RunMetrics.from_dict({"projection": {}})
    with pytest.raises(UnknownLanguageError, match="known codes"):
        RunMetrics.from_dict({"languages": ["xx"]})


def test_projection_card_metadata_parses_and_carries_the_run(saved_projection, tmp_path):
    metrics = RunMetrics.from_dict(DEMO_METRICS)
    info = CardInfo("someone/crop-projection-test", base_model="facebook/m2m100_418M", datasets=["someone/pairs"])
    card = projection_card(saved_projection, info, metrics, image_dir=tmp_path)
    card.save(tmp_path / "README.md")
    loaded = ModelCard.load(tmp_path / "README.md")
    data = loaded.data.to_dict()
    assert data["language"] == ["en", "es", "zh"]
    assert data["license"] == "apache-2.0" and data["pipeline_tag"] == "token-classification"
    assert data["base_model"] == "facebook/m2m100_418M" and data["datasets"] == ["someone/pairs"]
    assert {"crop-hf", "label-projection", "m2m_100"} <= set(data["tags"])
    results = data["model-index"][0]["results"]
    es_projection = next(
        r for r in results if r["dataset"]["config"] == "es" and r["task"]["type"] == "token-classification"
    )
    assert {m["type"]: m["value"] for m in es_projection["metrics"]} == {
        "f1": 89.87, "precision": 90.27, "recall": 89.47, "kept_percent": 45.33}  # fmt: skip
    zh_translation = next(r for r in results if r["dataset"]["config"] == "zh" and r["task"]["type"] == "translation")
    assert {m["type"]: m["value"] for m in zh_translation["metrics"]} == {"accuracy": 60.71, "bleu": 9.5}
    # eval results round-trip through the YAML header
    assert loaded.data.eval_results == projection_eval_results(metrics)
    assert len(loaded.data.eval_results) == 2 * 4 + 2 * 2
    # the body: snippet for this repo, slot markers counted from the tokenizer, NER labels, table with the numbers
    text = loaded.text
    assert 'pipeline("crop-projection", model="someone/crop-projection-test")' in text and "import crop_hf" in text
    assert "32 slot markers" in text and "`__SLOT31__`" in text
    assert "entity types PER, LOC, ORG, MISC" in text
    assert "| es | 90.3 | 89.5 | 89.9 | 45.3 (68/150) | 81.2 | 95.0 | 21.4 |" in text
    assert "Every score is in percent" in text
    assert "Yang, Jian" in text and "Findings of EMNLP 2022" in text and "2210.07022" in text
    assert "Generated sentences and tiny models" in text
    assert not (tmp_path / PROJECTION_PLOT).exists()  # two languages: a table is enough


def test_plot_written_and_linked_for_many_languages(saved_projection, tmp_path):
    langs = ["es", "nl", "de", "no", "zh", "ru", "fr"]
    metrics = RunMetrics(
        [LanguageResult(lang, projection_f1=50.0 + 5 * i, kept_percent=30.0) for i, lang in enumerate(langs)]
    )
    card = projection_card(saved_projection, CardInfo("someone/many"), metrics, image_dir=tmp_path)
    assert (tmp_path / PROJECTION_PLOT).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"]({PROJECTION_PLOT})" in card.text
    assert card.data.language == ["en", *langs]
    assert "BLEU" not in card.text.split("## Results")[1].split("\n\n")[2]  # no BLEU column without BLEU


def test_ner_card_has_f1_per_language_and_labels(tiny_dir, tmp_path):
    metrics = read_metrics(DEMO_METRICS)
    card = ner_card(tiny_dir / "xlmr", CardInfo("someone/crop-ner", license="mit"), metrics, image_dir=tmp_path)
    card.save(tmp_path / "README.md")
    loaded = ModelCard.load(tmp_path / "README.md")
    assert loaded.data.pipeline_tag == "token-classification" and loaded.data.license == "mit"
    assert loaded.data.eval_results == ner_eval_results(metrics)
    assert [(r.dataset_config, r.metric_type, r.metric_value) for r in loaded.data.eval_results] == [
        ("es", "f1", 52.22), ("zh", "f1", 9.84)]  # fmt: skip
    assert "| es | 21.8 | 52.2 | 89.9 | 45.3 |" in loaded.text
    assert 'pipeline("token-classification", model="someone/crop-ner"' in loaded.text
    assert "B-PER" in loaded.text and not (tmp_path / NER_PLOT).exists()


def test_card_without_metrics_or_languages(saved_projection, tmp_path):
    with pytest.raises(ValueError, match="someone/x: no target languages known"):
        projection_card(saved_projection, CardInfo("someone/x"))
    card = projection_card(saved_projection, CardInfo("someone/x", languages=["de"]))
    assert card.data.eval_results is None and "No evaluation was recorded" in card.text
    with pytest.raises(FileNotFoundError, match="not a saved crop-projection pipeline"):
        projection_card(tmp_path, CardInfo("someone/x", languages=["de"]))
    with pytest.raises(ValueError, match="cannot read the run's metrics"):
        read_metrics(tmp_path / "missing.json")


def test_eval_result_types_are_hub_shaped():
    metrics = RunMetrics([LanguageResult("de", bleu=30.1, bleu_tokenize="flores200")], dataset_name="FLORES-200")
    (result,) = projection_eval_results(metrics)
    assert result == EvalResult(
        task_type="translation", task_name="Labeled sequence translation (en-de)", dataset_name="FLORES-200 (en-de)",
        dataset_type="crop-hf-synthetic", dataset_config="de", dataset_split="test", metric_type="spbleu",
        metric_value=30.1, metric_name="BLEU (flores200)",
    )  # fmt: skip
