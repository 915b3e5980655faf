import pytest

torch = pytest.importorskip("torch")
from transformers import pipeline  # noqa: E402

import crop_hf  # noqa: E402,F401
from crop_hf.languages import UnknownLanguageError  # noqa: E402
from crop_hf.pipeline import CONFIG_NAME, CropProjectionPipeline  # noqa: E402


@pytest.fixture(scope="module")
def projector(tiny_dir):
    return pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))


def scripted(projector, monkeypatch, english, labeled, ner):
    """Replace the three models' outputs with fixed ones; everything around them runs for real."""

    def fake_translate(model, tok, texts, src, tgt):
        table = english if tgt == "en" else labeled
        return [table.get(t, "") for t in texts]

    monkeypatch.setattr(projector, "_translate", fake_translate)
    monkeypatch.setattr("crop_hf.pipeline.predict_tags", lambda m, t, words: [ner[" ".join(w)] for w in words])


def test_registered_and_built_from_pipeline(projector):
    assert isinstance(projector, CropProjectionPipeline)
    assert projector.ner_model is not None and projector.mt_model is projector.model


def test_projects_raw_sentence_with_scripted_models(projector, monkeypatch):
    raw = "Ana Ruiz trabaja para Banco Mundial en Madrid ."
    en = "Ana Ruiz works for World Bank in Madrid ."
    scripted(
        projector, monkeypatch,
        english={raw: en},
        labeled={"__SLOT0__ Ana Ruiz __SLOT0__ works for __SLOT1__ World Bank __SLOT1__ in __SLOT2__ Madrid __SLOT2__ .":
                 "__SLOT0__ Ana Ruiz __SLOT0__ trabaja para el __SLOT1__ Banco Mundial __SLOT1__ en __SLOT2__ Madrid __SLOT2__ ."},
        ner={en: ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "O"]},
    )  # fmt: skip
    res = projector(raw, src_lang="es", check_language=False)
    assert res.kept and res.reason is None
    assert res.tags == ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "O"]
    assert [(e.text, e.label, e.method) for e in res.entities] == [
        ("Ana Ruiz", "PER", "exact"), ("Banco Mundial", "ORG", "exact"), ("Madrid", "LOC", "exact")]  # fmt: skip
    assert raw[res.entities[2].char_start : res.entities[2].char_end] == "Madrid"


def test_bad_inputs_get_reasons_and_do_not_disturb_the_batch(projector, monkeypatch):
    good = "Ana Ruiz vive en Madrid ."
    scripted(
        projector, monkeypatch,
        english={good: "Ana Ruiz lives in Madrid .", "Se vende __SLOT3__ casa .": "House for sale __SLOT3__ ."},
        labeled={"__SLOT0__ Ana Ruiz __SLOT0__ lives in __SLOT1__ Madrid __SLOT1__ .":
                 "__SLOT0__ Ana Ruiz __SLOT0__ vive en __SLOT1__ Madrid __SLOT1__ ."},
        ner={"Ana Ruiz lives in Madrid .": ["B-PER", "I-PER", "O", "O", "B-LOC", "O"],
             "House for sale ⟦ SLOT3 ⟧ .": ["O"] * 7},
    )  # fmt: skip
    inputs = ["", "   ", " ".join(["palabra"] * 5000), "Se vende __SLOT3__ casa .", good]
    results = projector(inputs, src_lang="es", check_language=False)
    assert [r.reason for r in results] == ["empty", "empty", "too_long", "no_entity", None]
    assert results[-1].kept and results[-1].tags == ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]
    with pytest.raises(UnknownLanguageError, match="known codes"):
        projector(inputs, src_lang="xx")


def test_unmatched_entity_and_lost_slot_are_discards(projector, monkeypatch):
    raw1, raw2 = "Ana vive en Sevilla .", "Pedro vive en Roma ."
    scripted(
        projector, monkeypatch,
        english={raw1: "Ana lives in Seville .", raw2: "Pedro lives in Rome ."},
        labeled={"__SLOT0__ Ana __SLOT0__ lives in __SLOT1__ Seville __SLOT1__ .": "__SLOT0__ Ana __SLOT0__ vive en __SLOT1__ Londres __SLOT1__ .",
                 "__SLOT0__ Pedro __SLOT0__ lives in __SLOT1__ Rome __SLOT1__ .": "__SLOT0__ Pedro __SLOT0__ vive en Roma ."},
        ner={"Ana lives in Seville .": ["B-PER", "O", "O", "B-LOC", "O"],
             "Pedro lives in Rome .": ["B-PER", "O", "O", "B-LOC", "O"]},
    )  # fmt: skip
    unmatched, lost = projector([raw1, raw2], src_lang="es", check_language=False, strictness="fuzzy")
    assert (unmatched.kept, unmatched.reason) == (False, "unmatched_entity")
    assert (lost.kept, lost.reason) == (False, "slots_lost")


def test_translate_train_mode(projector, monkeypatch):
    scripted(projector, monkeypatch, english={},
             labeled={"__SLOT0__ John __SLOT0__ lives in __SLOT1__ Beijing __SLOT1__": "__SLOT0__ 约翰 __SLOT0__ 住在 __SLOT1__ 北京 __SLOT1__"},
             ner={})  # fmt: skip
    res = projector({"tokens": ["John", "lives", "in", "Beijing"], "tags": ["B-PER", "O", "O", "B-LOC"]},
                    src_lang="zh", mode="translate-train")  # fmt: skip
    assert res.kept and res.text == "约翰住在北京"
    assert res.tags == ["B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC"]
    with pytest.raises(ValueError, match="tokens but"):
        projector({"tokens": ["a", "b"], "tags": ["O"]}, src_lang="zh", mode="translate-train")


def test_save_pretrained_round_trip_gives_same_results(projector, tmp_path):
    texts = ["Ana Ruiz vive en Madrid .", "Hans Müller wohnt in Berlin ."]
    before = [r.to_dict() for r in projector(texts[:1], src_lang="es", check_language=False)]
    projector.save_pretrained(tmp_path / "crop")
    assert (tmp_path / "crop" / CONFIG_NAME).is_file() and (tmp_path / "crop" / "ner" / "config.json").is_file()
    reloaded = pipeline("crop-projection", model=str(tmp_path / "crop"))
    assert reloaded.ner_model is not None
    after = [r.to_dict() for r in reloaded(texts[:1], src_lang="es", check_language=False)]
    assert after == before
