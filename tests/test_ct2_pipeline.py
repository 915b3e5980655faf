import importlib.util
import json

import pytest

torch = pytest.importorskip("torch")
from transformers import pipeline  # noqa: E402

import crop_hf  # noqa: E402,F401
from crop_hf.projection.pipeline import CONFIG_NAME  # noqa: E402

needs_ct2 = pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="pip install crop-hf[ct2]")
TEXTS = ["Ana Ruiz vive en Madrid .", "Hans Müller wohnt in Berlin .", "El Banco de España abrió en Sevilla ."]


def project(projector):
    return projector(TEXTS, src_lang="es", check_language=False)


def test_unknown_backend_fails_when_the_pipeline_is_built(tiny_dir):
    with pytest.raises(ValueError, match=r"backend='vllm': use one of"):
        pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"), backend="vllm")


@needs_ct2
def test_ctranslate2_pipeline_projects_like_transformers_and_round_trips(tiny_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("CROP_HF_CT2_CACHE", str(tmp_path / "ct2"))
    kwargs = {"model": str(tiny_dir / "m2m100"), "ner_model": str(tiny_dir / "xlmr")}
    slow = pipeline("crop-projection", **kwargs)
    fast = pipeline("crop-projection", **kwargs, backend="ctranslate2", compute_type="float32")
    assert (fast.backend, fast.compute_type) == ("ctranslate2", "float32") and slow.backend == "transformers"
    expected = project(slow)
    assert project(fast) == expected
    assert all(r["english"] for r in expected)  # the MT step ran (greedy, same tokens) for every sentence
    assert {type(t).__name__ for t in fast._translators.values()} == {"CT2Translator"}

    fast.save_pretrained(tmp_path / "saved")
    saved = json.loads((tmp_path / "saved" / CONFIG_NAME).read_text())
    assert (saved["backend"], saved["compute_type"]) == ("ctranslate2", "float32")
    reloaded = pipeline("crop-projection", model=str(tmp_path / "saved"))
    assert (reloaded.backend, reloaded.compute_type) == ("ctranslate2", "float32")
    assert project(reloaded) == expected
    as_transformers = pipeline("crop-projection", model=str(tmp_path / "saved"), backend="transformers")
    assert (as_transformers.backend, as_transformers.compute_type) == ("transformers", None)
    assert as_transformers._translate(as_transformers.model, as_transformers.tokenizer, TEXTS[:1], "es", "en")
    assert {type(t).__name__ for t in as_transformers._translators.values()} == {"Translator"}
    default_int8 = pipeline("crop-projection", model=str(tmp_path / "saved"), compute_type="int8")
    assert (default_int8.backend, default_int8.compute_type) == ("ctranslate2", "int8")


@needs_ct2
def test_project_script_passes_the_backend_through(tiny_dir, tmp_path, monkeypatch, capsys):
    import pyarrow.parquet as pq

    from crop_hf.scripts.project import main

    monkeypatch.setenv("CROP_HF_CT2_CACHE", str(tmp_path / "ct2"))
    (tmp_path / "raw.txt").write_text("\n".join(TEXTS) + "\n")
    common = ["--model", str(tiny_dir / "m2m100"), "--ner_model", str(tiny_dir / "xlmr"), "--input"]
    common += [str(tmp_path / "raw.txt"), "--src_lang", "es", "--check_language", "false", "--output_dir"]
    assert main([*common, str(tmp_path / "slow")]) == 0
    fast = [*common, str(tmp_path / "fast"), "--backend", "ctranslate2", "--compute_type", "float32"]
    assert main(fast) == 0
    assert any((tmp_path / "ct2").iterdir())  # the CTranslate2 copy was made and used
    rows = {run: pq.read_table(tmp_path / run / "shard-000000.parquet").to_pylist() for run in ("slow", "fast")}
    assert len(rows["fast"]) == len(TEXTS) and rows["fast"] == rows["slow"]
    capsys.readouterr()
    assert main([*common, str(tmp_path / "bad"), "--backend", "fast"]) == 2  # a choice checked when parsed
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--backend" in err[0] and "fast" in err[0] and not (tmp_path / "bad").exists()
    assert main([*common, str(tmp_path / "bad"), "--backend", "ctranslate2", "--compute_type", "fp17"]) == 2
    err = capsys.readouterr().err.strip().splitlines()  # refused when the pipeline loads, before any sentence
    assert len(err) == 1 and "compute_type='fp17' is not a CTranslate2 compute type" in err[0], err
    assert not (tmp_path / "bad").exists()


@needs_ct2
def test_a_saved_compute_type_this_device_cannot_run_falls_back_with_one_warning(tiny_dir, tmp_path, monkeypatch,
                                                                                 caplog):  # fmt: skip
    from crop_hf.base.errors import CropHfError
    from crop_hf.translation import ct2

    monkeypatch.setenv("CROP_HF_CT2_CACHE", str(tmp_path / "ct2"))
    monkeypatch.setattr(ct2, "_WARNED", set())
    model = str(tiny_dir / "m2m100")  # the MT model a copy of its own: two translators, one warning
    built = pipeline("crop-projection", model=model, mt_model=model, ner_model=str(tiny_dir / "xlmr"),
                     backend="ctranslate2", compute_type="float32")  # fmt: skip
    built.save_pretrained(tmp_path / "saved")
    config_file = tmp_path / "saved" / CONFIG_NAME
    config = json.loads(config_file.read_text())
    assert config["mt_model"] != "."
    config_file.write_text(json.dumps({**config, "compute_type": "float16"}))  # as saved on a GPU
    with caplog.at_level("WARNING"):
        reloaded = pipeline("crop-projection", model=str(tmp_path / "saved"))
        told = [r.getMessage() for r in caplog.records if "compute_type" in r.getMessage()]
        assert len(told) == 1 and told[0].startswith("compute_type='float16' cannot run on this cpu")  # at load
        results = project(reloaded)
        assert reloaded._translate(reloaded.model, reloaded.tokenizer, TEXTS[:1], "en", "es")[0]  # the LST one
    assert [r.getMessage() for r in caplog.records if "compute_type" in r.getMessage()] == told  # still one
    assert [r["reason"] for r in results] == [r["reason"] for r in project(built)]  # no model_error
    assert len(reloaded._translators) == 2 and {t.compute_type for t in reloaded._translators.values()} == {"int8"}

    config_file.write_text(json.dumps({**config, "compute_type": "fp17"}))
    with pytest.raises(CropHfError, match=r"^compute_type='fp17' is not a CTranslate2 compute type"):
        pipeline("crop-projection", model=str(tmp_path / "saved"))


@needs_ct2
def test_constrained_decoding_on_a_ctranslate2_pipeline_uses_the_transformers_weights(tiny_dir, tmp_path, monkeypatch):
    """CTranslate2 cannot mask the next token by prefix: the constrained LST step runs on the pipeline's transformers
    model, the MT step stays on CTranslate2, and the placements are those of a transformers pipeline."""
    monkeypatch.setenv("CROP_HF_CT2_CACHE", str(tmp_path / "ct2"))
    # the random NER model tags nothing: tag the first English word, so that every sentence reaches the LST step
    monkeypatch.setattr("crop_hf.projection.pipeline.predict_tags", lambda m, t, words: [["B-PER"] + ["O"] * (len(w) - 1)
                                                                              for w in words])  # fmt: skip
    kwargs = {"model": str(tiny_dir / "m2m100"), "ner_model": str(tiny_dir / "xlmr"), "decoding": "constrained"}
    fast = pipeline("crop-projection", **kwargs, backend="ctranslate2", compute_type="float32")
    slow = pipeline("crop-projection", **kwargs)
    expected = project(slow)
    assert project(fast) == expected
    assert {type(t).__name__ for t in fast._translators.values()} == {"CT2Translator"}  # MT only
    assert fast._labeler is not None and fast._labeler.model is fast.model
    placed = [r for r in expected if r["kept"]]
    assert placed and all(e["method"] in ("constrained", "exact") for r in placed for e in r["entities"])
