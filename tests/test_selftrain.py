import dataclasses
import importlib.util
import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from transformers import AutoModelForTokenClassification, TrainingArguments  # noqa: E402

from crop_hf.core.metrics import NerScores  # noqa: E402
from crop_hf.demo.data import synthetic_english, synthetic_target  # noqa: E402
from crop_hf.training.ner_data import NerExample, WordPrediction, read_examples  # noqa: E402
from crop_hf.training.selftrain import (  # noqa: E402
    SelfTrainingArguments,
    combine_labels,
    evaluate_ner,
    self_train,
    train_ner,
    zero_shot_baseline,
)

ROOT = Path(__file__).resolve().parents[1]


def tiny_args(output_dir, **kw):
    defaults = dict(
        output_dir=str(output_dir),
        num_train_epochs=1,
        per_device_train_batch_size=16,
        per_device_eval_batch_size=32,
        learning_rate=1e-3,
        confidence_threshold=0.0,
        disable_tqdm=True,
        logging_steps=100,
        seed=0,
    )
    return SelfTrainingArguments(**{**defaults, **kw})


def small_data():
    source = synthetic_english(48, split="train")
    target = synthetic_target(["es", "de"], 24, split="target")
    projected = [ex for lang in ("es", "de") for ex in target[lang][:12]]
    discarded = [NerExample(ex.tokens, None, ex.lang, ex.id) for lang in ("es", "de") for ex in target[lang][12:]]
    return source, projected, discarded, synthetic_target(["es", "de"], 10, split="test")


# ---------------------------------------------------------------------------------------------- combine rule


def _pred(tags, scores):
    return WordPrediction(tags, scores)


def test_combine_rule_on_hand_made_sentences():
    projected = [NerExample(["Ana", "vive", "en", "Lima"], ["B-PER", "O", "O", "B-LOC"], "es", "p0")]
    discarded = [
        NerExample(["Juan", "Pérez", "trabaja", "en", "Acme"], None, "es", "d0"),  # confident: kept
        NerExample(["Llueve", "mucho"], None, "es", "d1"),  # no entity
        NerExample(["Eva", "visita", "Quito"], None, "es", "d2"),  # one entity unsure
        NerExample(["Pedro", "ama", "Roma"], None, "es", "d3", expected_entities=1),  # count mismatch
        NerExample(["Sofía", "llega"], None, "es", "d4"),  # I- without B-: normalised to B-
    ]
    predictions = [
        _pred(["B-PER", "I-PER", "O", "O", "B-ORG"], [1.0, 0.75, 0.5, 0.5, 0.9375]),  # PER mean 0.875
        _pred(["O", "O"], [0.99, 0.99]),
        _pred(["B-PER", "O", "B-LOC"], [0.97, 0.99, 0.60]),
        _pred(["B-PER", "O", "B-LOC"], [0.99, 0.99, 0.99]),
        _pred(["I-PER", "O"], [0.93, 0.99]),
    ]
    result = combine_labels(projected, discarded, predictions, confidence_threshold=0.875)
    assert result.counts == {
        "projected": 1,
        "disagreement": 0,
        "relabelled": 2,
        "no_entity": 1,
        "entity_count_mismatch": 1,
        "low_confidence": 1,
    }
    assert [ex.id for ex in result.examples] == ["p0", "d0", "d4"]
    assert result.examples[0].tags == ["B-PER", "O", "O", "B-LOC"]  # projected labels untouched
    assert result.relabelled[0].tags == ["B-PER", "I-PER", "O", "O", "B-ORG"]
    assert result.relabelled[1].tags == ["B-PER", "O"]
    # a stricter threshold drops d0, whose PER averages 0.875 (O words do not count)
    assert [ex.id for ex in combine_labels(projected, discarded, predictions, 0.9).relabelled] == ["d4"]
    # two entities required: only d0 qualifies
    assert [ex.id for ex in combine_labels(projected, discarded, predictions, 0.875, 2).relabelled] == ["d0"]
    # agreement filter (released code, iteration 2): a projected sentence the model sees with 1 entity, not 2, goes
    on_projected = [_pred(["B-PER", "O", "O", "O"], [0.9] * 4)]
    strict = combine_labels(projected, discarded, predictions, 0.875, projected_predictions=on_projected)
    assert strict.counts["disagreement"] == 1 and strict.counts["projected"] == 0
    assert [ex.id for ex in strict.examples] == ["d0", "d4"]
    agreeing = [_pred(["B-ORG", "O", "O", "B-PER"], [0.5] * 4)]  # counts agree; types are not compared
    assert (
        combine_labels(projected, discarded, predictions, 0.875, projected_predictions=agreeing).counts["projected"]
        == 1
    )


def test_combine_rejects_misaligned_predictions():
    with pytest.raises(ValueError, match="discarded row 0 .*'d0'.*1 predictions for 2 words"):
        combine_labels([], [NerExample(["a", "b"], None, "es", "d0")], [_pred(["O"], [1.0])])
    with pytest.raises(ValueError, match="1 discarded sentences but 0 predictions"):
        combine_labels([], [NerExample(["a"])], [])


# ---------------------------------------------------------------------------------------------- arguments


def test_arguments_have_paper_defaults_and_help():
    args = SelfTrainingArguments(output_dir="unused")
    assert isinstance(args, TrainingArguments)
    assert (args.per_device_train_batch_size, args.num_train_epochs, args.learning_rate) == (32, 10.0, 2e-5)
    assert args.warmup_steps == 0.1 and args.iterations == 2
    if not torch.cuda.is_available():
        assert args.use_cpu and not args.bf16 and not args.fp16
    own = {f.name for f in dataclasses.fields(SelfTrainingArguments)} - {
        f.name for f in dataclasses.fields(TrainingArguments)
    }
    assert {"iterations", "confidence_threshold", "lora_r", "label_scheme", "max_length"} <= own
    for f in dataclasses.fields(SelfTrainingArguments):
        if f.name in own:
            assert f.metadata.get("help"), f.name
    with pytest.raises(ValueError, match="mixed_precision"):
        SelfTrainingArguments(output_dir="unused", mixed_precision="fp8")
    with pytest.raises(ValueError, match="unknown|scheme|wnut"):
        SelfTrainingArguments(output_dir="unused", label_scheme="wnut")


def test_run_settings_come_from_the_field_definitions():
    """Each crop-hf field says where it is defined whether it shapes the trained model; the manifest reads that."""
    from crop_hf.training.selftrain_resume import selftrain_manifest
    from crop_hf.training.training_args import RUN_SETTING_MARKS, run_settings

    inherited = {f.name for f in dataclasses.fields(TrainingArguments)}
    own = [f for f in dataclasses.fields(SelfTrainingArguments) if f.name not in inherited]
    assert own and all(f in RUN_SETTING_MARKS for f in own), [f.name for f in own if f not in RUN_SETTING_MARKS]
    settings = run_settings(SelfTrainingArguments)
    assert set(settings) == {
        "label_scheme", "confidence_threshold", "min_entities", "agreement_filter", "max_length", "reinit_each_round",
        "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "per_device_train_batch_size",
        "gradient_accumulation_steps", "num_train_epochs", "max_steps", "learning_rate", "weight_decay",
        "warmup_steps", "lr_scheduler_type", "lr_scheduler_kwargs", "optim", "optim_args", "adam_beta1",
        "adam_beta2", "adam_epsilon", "max_grad_norm", "label_smoothing_factor", "seed", "data_seed", "bf16", "fp16",
    }  # fmt: skip
    assert len(settings) == len(set(settings))
    # what changes the model changes the manifest; what does not (more rounds, logging) leaves it as it was
    base = SelfTrainingArguments(output_dir="unused", iterations=2)
    manifest = selftrain_manifest("m", {}, None, base)
    assert manifest["settings"]["lora_alpha"] == 16 and "iterations" not in manifest["settings"]
    assert selftrain_manifest("m", {}, None, dataclasses.replace(base, iterations=3, logging_steps=7)) == manifest
    assert selftrain_manifest("m", {}, None, dataclasses.replace(base, min_entities=2)) != manifest


def test_self_train_names_bad_rows(tiny_xlmr, tmp_path):
    args = tiny_args(tmp_path)
    good = [NerExample(["Ana"], ["B-PER"])]
    with pytest.raises(ValueError, match="both empty"):
        self_train(tiny_xlmr, [], [], [], args)
    bad = [*good, NerExample(["Ana", "vive"], ["B-PER", "B-CITY"], "es", "x9")]
    with pytest.raises(ValueError, match="projected row 1 .*'x9'.*B-CITY"):
        self_train(tiny_xlmr, good, bad, [], args)
    with pytest.raises(ValueError, match=r"eval\[es\]: no examples"):
        self_train(tiny_xlmr, good, [], [], args, {"es": []})
    assert not any(tmp_path.iterdir())  # nothing trained or written before the data are checked


# ---------------------------------------------------------------------------------------------- training


def test_tiny_self_training_end_to_end(tiny_xlmr, tmp_path):
    source, projected, discarded, tests = small_data()
    args = tiny_args(tmp_path / "st")
    result = self_train(tiny_xlmr, source, projected, discarded, args, tests)
    assert [r.round for r in result.rounds] == [0, 1] and result.model_dir == str(tmp_path / "st" / "round_1")
    r0, r1 = result.rounds
    assert r0.train_sentences == 48 + 24 and r0.steps == 5  # ceil(72 / 16)
    assert sum(r1.data[k] for k in ("relabelled", "no_entity", "entity_count_mismatch", "low_confidence")) == 24
    assert r1.train_sentences == 48 + 24 + r1.data["relabelled"]
    relabelled = read_examples(tmp_path / "st" / "round_1" / "relabelled.jsonl")
    assert len(relabelled) == r1.data["relabelled"] and all(ex.lang in ("es", "de") for ex in relabelled)
    for r in result.rounds:
        saved = json.loads((Path(r.model_dir) / "metrics.json").read_text())
        assert isinstance(saved["train_loss"], float) and saved["train_loss"] > 0
        assert set(saved["eval"]) == {"es", "de"}
        for scores in saved["eval"].values():
            assert 0.0 <= scores["f1"] <= 1.0 and scores["support"] > 0
        model = AutoModelForTokenClassification.from_pretrained(r.model_dir)
        assert model.config.id2label[1] == "B-PER"
    # the scores self_train reports are those evaluate_ner computes from the saved model
    again = evaluate_ner(result.model_dir, tests)
    assert isinstance(again["es"], NerScores)
    assert again["es"].f1 == pytest.approx(r1.eval["es"].f1) and set(again["de"].per_label) <= {
        "PER",
        "LOC",
        "ORG",
        "MISC",
    }
    # resume: finished rounds are read back, not trained again
    stamp = (tmp_path / "st" / "round_1" / "model.safetensors").stat().st_mtime_ns
    resumed = self_train(tiny_xlmr, source, projected, discarded, args, tests)
    assert [r.reused for r in resumed.rounds] == [True, True]
    assert resumed.rounds[1].eval["de"].f1 == r1.eval["de"].f1 and resumed.rounds[1].data == r1.data
    assert (tmp_path / "st" / "round_1" / "model.safetensors").stat().st_mtime_ns == stamp


def test_zero_shot_baseline_trains_on_english_only(tiny_xlmr, tmp_path):
    source, _, _, tests = small_data()
    result = zero_shot_baseline(tiny_xlmr, source, tiny_args(tmp_path), tests)
    assert result.model_dir == str(tmp_path / "zero_shot") and result.train_sentences == 48
    assert result.data == {"en": 48} and set(result.f1) == {"es", "de"}


def test_lora_round_saves_a_plain_merged_model(tiny_xlmr, tmp_path):
    source, _, _, _ = small_data()
    args = tiny_args(tmp_path, lora_r=4, lora_target_modules=["query", "value"], learning_rate=5e-2)
    result = train_ner(tiny_xlmr, source, args)
    before = AutoModelForTokenClassification.from_pretrained(tiny_xlmr).state_dict()
    after_model = AutoModelForTokenClassification.from_pretrained(result.model_dir)
    after = after_model.state_dict()
    assert not any("lora" in k for k in after)
    query = "roberta.encoder.layer.0.attention.self.query.weight"
    key = "roberta.encoder.layer.0.attention.self.key.weight"
    assert not torch.equal(before[query], after[query])  # LoRA merged into the adapted module
    assert torch.equal(before[key], after[key])  # untouched module
    assert not torch.equal(before["classifier.weight"], after["classifier.weight"])  # the head is trained too


# ---------------------------------------------------------------------------------------------- scripts


def _load_script(name):
    return importlib.import_module(f"crop_hf.scripts.{name}")  # what examples/{name}.py and crop-hf {name} run


def test_example_scripts_run_in_process(tiny_xlmr, tmp_path, capsys):
    selftrain = _load_script("selftrain")
    data, args = selftrain.make_parser().parse_args_into_dataclasses(
        args=[
            "--model_name_or_path",
            "m",
            "--synthetic",
            "--output_dir",
            "o",
            "--lora_target_modules",
            "query",
            "value",
        ]
    )
    assert data.synthetic and args.lora_target_modules == ["query", "value"] and args.iterations == 2
    argv = ["--model_name_or_path", tiny_xlmr, "--synthetic", "--synthetic_source", "32", "--synthetic_projected",
            "8", "--synthetic_discarded", "8", "--synthetic_eval", "8", "--output_dir", str(tmp_path / "run"),
            "--num_train_epochs", "1", "--per_device_train_batch_size", "16", "--iterations", "1",
            "--disable_tqdm", "true"]  # fmt: skip
    assert selftrain.main(argv) == 0
    summary = json.loads((tmp_path / "run" / "selftrain_results.json").read_text())
    assert summary["rounds"][0]["steps"] == 3 and set(summary["rounds"][0]["f1"]) == {"es", "de"}
    out = capsys.readouterr().out
    assert '"world_size": 1' in out
    last = out.strip().splitlines()[-1]  # the command's summary line: rounds, steps, F1 per language, where
    f1 = summary["rounds"][0]["f1"]
    assert last.startswith("crop-hf selftrain: 1 round(s), 3 steps") and f"es {100 * f1['es']:.1f}" in last
    assert str(tmp_path / "run" / "selftrain_results.json") in last
    evaluate = _load_script("evaluate")
    out_file = tmp_path / "scores.json"
    model_dir = summary["model_dir"]
    assert (
        evaluate.main(
            ["--model_dirs", model_dir, "--synthetic", "--synthetic_eval", "8", "--output_file", str(out_file)]
        )
        == 0
    )
    scores = json.loads(out_file.read_text())[model_dir]
    assert scores["es"]["f1"] == pytest.approx(summary["rounds"][0]["f1"]["es"])
    out = capsys.readouterr().out
    assert "avg" in out
    assert out.strip().splitlines()[-1].startswith("crop-hf evaluate: 1 model(s) on 16 sentences in 2 language(s)")
