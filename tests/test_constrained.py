"""Constrained labeled back-translation through the pipeline: the slots land in the raw sentence itself.

The LST model here is the tiny random one: whatever it prefers, the constraint must give back the raw sentence with
each English entity's markers placed once, so these tests hold for any weights. The MT and NER steps are scripted.
"""

import json

import pytest

pytest.importorskip("torch")
from transformers import pipeline  # noqa: E402

import crop_hf  # noqa: E402, F401
from crop_hf.core.slots import parse_slots  # noqa: E402

RAW = "Jeremías Flor vive en Alemania ."
EN = "Jeremías Flor lives in Germany ."
EN_TAGS = ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]
REWRITTEN = "__SLOT0__ Jeremías Flor __SLOT0__ vive en __SLOT1__ Germany __SLOT1__ ."


@pytest.fixture(scope="module")
def projector(tiny_dir):
    return pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))


@pytest.fixture
def scripted(projector, monkeypatch):
    """MT gives EN, NER gives EN_TAGS, free LST rewrites Alemania as Germany; constrained LST runs for real."""
    calls = []

    def fake_translate(model, tok, texts, src, tgt):
        calls.append((src, tgt))
        return [EN if tgt == "en" else REWRITTEN for _ in texts]

    monkeypatch.setattr(projector, "_translate", fake_translate)
    monkeypatch.setattr("crop_hf.projection.pipeline.predict_tags", lambda m, t, words: [EN_TAGS for _ in words])
    return calls


def test_free_decoding_loses_a_rewritten_entity_constrained_keeps_it_in_the_raw_words(projector, scripted):
    free = projector(RAW, src_lang="es", check_language=False)
    assert not free["kept"] and free["reason"] == "unmatched_entity"

    res = projector(RAW, src_lang="es", decoding="constrained")
    assert res["kept"] and res["reason"] is None and json.loads(json.dumps(res)) == res
    parsed = parse_slots(res["labeled_translation"], expected=range(2))
    assert parsed.well_formed and parsed.text == RAW  # the raw sentence itself, markers aside
    assert ("es", "en") in scripted and scripted.count(("en", "es")) == 1  # LST ran freely once (the first call)
    per, loc = sorted(res["entities"], key=lambda e: e["entity_group"] != "PER")
    # the name stands verbatim in the raw sentence: pinned there; the location is where the (random) model put it
    assert (per["word"], per["method"], per["token_start"], per["token_end"]) == ("Jeremías Flor", "exact", 0, 2)
    assert loc["entity_group"] == "LOC" and loc["method"] == "constrained" and loc["token_start"] >= 2
    for e in res["entities"]:
        assert 0 < e["score"] <= 1
        assert RAW[e["start"] : e["end"]] == e["word"] == " ".join(res["tokens"][e["token_start"] : e["token_end"]])
        assert e["word"] != "."  # a slot never holds only punctuation
    tags = res["tags"]
    assert len(tags) == 6 and sum(t.startswith("B-") for t in tags) == 2
    # the same input, the same placement
    assert projector(RAW, src_lang="es", decoding="constrained") == res


def test_the_translation_language_check_does_not_apply_to_a_constrained_output(projector, scripted, monkeypatch):
    # a language identifier that says "not Spanish" for everything: free decoding drops, constrained keeps
    from crop_hf.core.filters import LanguageFilter

    monkeypatch.setattr(LanguageFilter, "__call__", lambda self, item: "langid says 'xx', expected 'es'")
    assert projector(RAW, src_lang="es", strictness="fuzzy")["reason"] == "wrong_language"
    assert projector(RAW, src_lang="es", decoding="constrained")["kept"]


def test_min_slot_score_drops_the_sentence_as_a_counted_reason(projector, scripted):
    before = projector.stats.counts()["drops"].get("low_slot_score", 0)
    res = projector(RAW, src_lang="es", decoding="constrained", min_slot_score=1.0)
    assert not res["kept"] and res["reason"] == "low_slot_score"
    assert "< min_slot_score 1.0" in res["detail"] and res["detail"].startswith("slot ")
    assert projector.stats.counts()["drops"]["low_slot_score"] == before + 1


def test_more_entities_than_words_is_a_counted_no_placement(projector, monkeypatch):
    monkeypatch.setattr(projector, "_translate", lambda model, tok, texts, src, tgt: ["Ana Luis Eva ." for _ in texts])
    monkeypatch.setattr(
        "crop_hf.projection.pipeline.predict_tags", lambda m, t, words: [["B-PER", "B-PER", "B-PER", "O"]]
    )
    res = projector("Ana .", src_lang="es", decoding="constrained")
    assert not res["kept"] and res["reason"] == "no_placement"


def test_a_name_the_raw_sentence_has_no_capitalized_word_for_is_a_counted_no_placement(projector, monkeypatch):
    # "he lives in Norway" machine-translated as "Olav Eliassen lives in Norway": the raw sentence names no person,
    # so the PER slot may go nowhere (its English starts with a capital, "han" does not)
    monkeypatch.setattr(
        projector, "_translate", lambda model, tok, texts, src, tgt: ["Olav Eliassen lives in Norway ." for _ in texts]
    )
    monkeypatch.setattr(
        "crop_hf.projection.pipeline.predict_tags", lambda m, t, words: [["B-PER", "I-PER", "O", "O", "B-LOC", "O"]]
    )
    res = projector("han bor i Norge .", src_lang="no", decoding="constrained", check_language=False)
    assert not res["kept"] and res["reason"] == "no_placement" and "capitalized" in res["detail"]
    monkeypatch.setattr(
        "crop_hf.projection.pipeline.predict_tags", lambda m, t, words: [["O", "O", "O", "O", "B-LOC", "O"]]
    )
    res = projector("han bor i Norge .", src_lang="no", decoding="constrained", check_language=False)
    assert res["kept"] and [e["word"] for e in res["entities"]] == ["Norge"]


def test_translate_train_always_decodes_freely(projector, scripted):
    example = {"tokens": EN.split(), "tags": EN_TAGS}
    res = projector(example, mode="translate-train", tgt_lang="es", decoding="constrained", check_language=False)
    assert res["labeled_translation"] == REWRITTEN and [e["method"] for e in res["entities"]] == ["slot", "slot"]


def test_a_pipeline_saved_with_constrained_decoding_reloads_with_it(projector, scripted, tmp_path, monkeypatch):
    constrained = pipeline("crop-projection", model=projector.model, tokenizer=projector.tokenizer,
                           ner_model=projector.ner_model, ner_tokenizer=projector.ner_tokenizer,
                           decoding="constrained")  # fmt: skip
    constrained.save_pretrained(tmp_path / "p")
    saved = json.loads((tmp_path / "p" / "crop_projection.json").read_text())
    assert saved["decoding"] == "constrained"
    again = pipeline("crop-projection", model=str(tmp_path / "p"))
    assert again.decoding == "constrained"
    monkeypatch.setattr(again, "_translate", lambda model, tok, texts, src, tgt: [EN for _ in texts])
    res = again(RAW, src_lang="es")  # no decoding given: the saved one
    assert res["kept"] and [e["method"] for e in res["entities"]] == ["exact", "constrained"]
    assert again(RAW, src_lang="es", decoding="free")["reason"] != "low_slot_score"  # a call may still choose free
    # a free pipeline saves no decoding key, and an unknown one in the file is a one-line ConfigError
    projector.save_pretrained(tmp_path / "f")
    assert "decoding" not in json.loads((tmp_path / "f" / "crop_projection.json").read_text())
    (tmp_path / "p" / "crop_projection.json").write_text(json.dumps({**saved, "decoding": "beam"}))
    from crop_hf.projection.config import ConfigError

    with pytest.raises(ConfigError, match="decoding='beam'; expected one of 'free', 'constrained'"):
        pipeline("crop-projection", model=str(tmp_path / "p"))


def test_both_tokenizer_layouts_run_end_to_end(plain_m2m, tiny_dir, monkeypatch):
    """An m2m100_418M-layout checkpoint (markers added after the vocabulary) decodes under constraints too."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from crop_hf.training.tokenizer_prep import prepare_tokenizer_for_slots
    from crop_hf.translation.constrained import ConstrainedLabeler

    model, tok = AutoModelForSeq2SeqLM.from_pretrained(plain_m2m), AutoTokenizer.from_pretrained(plain_m2m)
    prepare_tokenizer_for_slots(tok, model, max_slots=4)
    labeler = ConstrainedLabeler(model, tok, num_beams=2)
    wrapped = [
        "__SLOT0__ Ana __SLOT0__ lives in __SLOT1__ Madrid __SLOT1__ .",
        "I live in __SLOT0__ Beijing __SLOT0__",
    ]
    placed = labeler.place(wrapped, [["Ana", "vive", "en", "Madrid", "."], list("我住在北京")], [2, 1], "es")
    assert placed[0] is not None and len(placed[0].spans) == 2 and len(placed[0].scores) == 2
    assert parse_slots(placed[0].text).text == "Ana vive en Madrid ."
    zh = labeler.place(wrapped[1:], [list("我住在北京")], [1], "zh", char_level=True)[0]
    assert zh is not None and parse_slots(zh.text).text.replace(" ", "") == "我住在北京"


def test_the_apps_sentence_view_shows_a_constrained_projection_like_a_free_one(projector, scripted):
    from crop_hf.app.render import entity_rows, raw_view, slots_view
    from crop_hf.app.ui import project_sentence

    result = project_sentence(projector, RAW, "es", check_language=False, decoding="constrained")
    assert result["kept"] and result["stages"]["english_tags"] == EN_TAGS
    shown = slots_view(result)
    assert shown["text"] == RAW
    assert sorted(e["entity"] for e in shown["entities"]) == ["LOC (slot 1)", "PER (slot 0)"]
    assert [e["entity"] for e in raw_view(result)["entities"]] == [e["entity_group"] for e in result["entities"]]
    assert {row[2] for row in entity_rows(result)} <= {"constrained", "exact"}
    free = project_sentence(projector, RAW, "es", check_language=False, decoding="free")
    assert slots_view(free)["text"] == "Jeremías Flor vive en Germany ."  # the free one shows its rewrite


def test_a_corpus_projection_records_its_decoding_and_refuses_to_resume_with_another(projector, scripted, tmp_path):
    from crop_hf.base.errors import InputError
    from crop_hf.projection.corpus_projection import MANIFEST_NAME, project_corpus

    raw = tmp_path / "raw.txt"
    raw.write_text(f"{RAW}\n{RAW}\n", encoding="utf-8")
    project_corpus(projector, raw, tmp_path / "out", "es", decoding="constrained", progress=False)
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    assert manifest["settings"]["decoding"] == "constrained" and manifest["settings"]["min_slot_score"] == 0.0
    with pytest.raises(InputError, match="decoding"):
        project_corpus(projector, raw, tmp_path / "out", "es", progress=False)  # the pipeline's own: free


def test_the_search_does_not_pay_for_a_marker_the_sentence_has_no_use_for():
    # "Ana vive ." with one slot, after "__SLOT0__ Ana __SLOT0__": the model gives 0.6 to "__SLOT1__" (no such slot
    # here), 0.3 to "▁vive", 0.1 to the lone space; the allowed tokens are scored as if "__SLOT1__" could not be written
    import math

    import torch

    from crop_hf.core.placement import PlacementAutomaton, TokenTable
    from crop_hf.translation.constrained import _PlacementProcessor

    table = TokenTable.from_vocab({"▁": 10, "▁Ana": 11, "▁vive": 12, "▁.": 13}, (100, 101), 2, 3)
    processor = _PlacementProcessor([PlacementAutomaton(["Ana", "vive", "."], 1, table)], 1, [0], 2)
    probs = torch.zeros(1, 110)
    probs[0, 101], probs[0, 12], probs[0, 10] = 0.6, 0.3, 0.1
    out = processor(torch.tensor([[0, 100, 11, 100]]), probs.log())
    assert out[0, 12].item() == pytest.approx(math.log(0.3 / 0.4), abs=1e-5)
    assert out[0, 10].item() == pytest.approx(math.log(0.1 / 0.4), abs=1e-5)
    assert out[0, 101].item() == -math.inf and out[0, 11].item() == -math.inf  # refused: a second slot, a skipped word
    # what the slot scores read stays the model's own probability
    assert processor.logprob(0, (100, 11, 100), 12) == pytest.approx(math.log(0.3), abs=1e-5)


def test_a_slot_scores_the_lower_of_its_markers_and_the_words_it_wraps():
    """The markers' probabilities say where the model wants a slot; the wrapped words' say whether it takes them for
    the entity's translation (a slot forced onto 他 where the English has a name scores low on the second)."""
    import math

    from crop_hf.core.placement import TokenTable
    from crop_hf.translation.constrained import slot_scores

    table = TokenTable.from_vocab({"▁": 10, "▁Ana": 11, "▁vive": 12, "▁.": 13, "▁Flor": 14}, (100, 101), 2, 3)
    # "▁ __SLOT0__ ▁Ana ▁Flor ▁ __SLOT0__ ▁vive __SLOT1__ ▁. __SLOT1__"
    body = [10, 100, 11, 14, 10, 100, 12, 101, 13, 101]
    probs = {0: 0.9, 1: 0.9, 2: 0.5, 3: 0.02, 4: 0.9, 5: 0.9, 6: 0.99, 7: 0.3, 8: 0.8, 9: 0.3}
    scores = slot_scores(body, table, lambda p: math.log(probs[p]))
    # slot 0: markers (the lone spaces included) 0.9, words sqrt(0.5 * 0.02) = 0.1; slot 1: markers 0.3, word 0.8
    assert scores == [pytest.approx(0.1, abs=1e-4), pytest.approx(0.3, abs=1e-4)]
    probs[3] = 0.98
    assert slot_scores(body, table, lambda p: math.log(probs[p]))[0] == pytest.approx(0.7, abs=1e-4)
