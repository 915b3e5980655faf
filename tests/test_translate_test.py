"""The translate-test baseline's predictions on the test tokens, their scores, and the label maps of a recipe."""

from __future__ import annotations

import json

import pytest

from crop_hf.run.baselines import tags_on_tokens
from crop_hf.run.data import in_scheme
from crop_hf.run.recipe import DataSource, RecipeError, load_recipe
from crop_hf.run.steps import _predicted_scores
from crop_hf.training.ner_data import NerExample


def _entity(start: int, end: int, group: str) -> dict:
    return {"entity_group": group, "start": start, "end": end}


def test_entities_label_the_test_tokens_their_characters_overlap():
    tokens = ["Musa", "Danjuma", "ya", "isa", "Kano", "."]  # "Musa Danjuma ya isa Kano ."
    result = {"kept": True, "entities": [_entity(0, 12, "PER"), _entity(20, 24, "LOC")]}
    assert tags_on_tokens(tokens, result) == ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]
    # an entity that covers part of a token (the pipeline split "Kano." differently) still labels the token
    assert tags_on_tokens(["isa", "Kano."], {"kept": True, "entities": [_entity(4, 8, "LOC")]}) == ["O", "B-LOC"]
    # a dropped sentence predicts no entity, whatever it carries
    assert tags_on_tokens(tokens, {"kept": False, "entities": [_entity(0, 4, "PER")]}) == ["O"] * 6


def test_chinese_test_sentences_go_through_the_pipeline_as_written(tmp_path, monkeypatch):
    """A character-level test set is projected as its text without spaces (not one character per word), and the
    entities' character offsets label its characters."""
    from crop_hf.run import steps
    from crop_hf.run.baselines import translate_test
    from crop_hf.run.results import ModelsResult

    sent: list[str] = []

    def projector(texts, **kwargs):
        sent.extend(texts)
        return [{"kept": True, "reason": None, "entities": [_entity(0, 2, "LOC")]} for _ in texts]

    monkeypatch.setattr(steps, "projection_pipeline", lambda *args: projector)
    (tmp_path / "data/test").mkdir(parents=True)
    (tmp_path / "data/test/zh.jsonl").write_text(json.dumps({"tokens": list("北京很冷。"), "tags": ["O"] * 5}) + "\n")
    (tmp_path / "data/test/es.jsonl").write_text(
        json.dumps({"tokens": ["Lima", "es", "fría", "."], "tags": ["O"] * 4}) + "\n"
    )
    recipe = load_recipe("demo", ["languages=[zh, es]"])
    result = translate_test(recipe, tmp_path, ModelsResult(), "models/lst", "models/ner", "tt")
    assert sent == ["北京很冷。", "Lima es fría ."]
    rows = {lang: json.loads((tmp_path / f"tt/{lang}.jsonl").read_text()) for lang in ("zh", "es")}
    assert rows["zh"]["tags"] == ["B-LOC", "I-LOC", "O", "O", "O"]
    assert rows["es"]["tags"] == ["B-LOC", "O", "O", "O"]
    assert result.languages["zh"]["kept"] == 1


def test_predicted_tags_are_scored_like_a_model_over_every_sentence(tmp_path):
    gold = [NerExample(["Musa", "isa", "Kano"], ["B-PER", "O", "B-LOC"], "ha", "0"),
            NerExample(["Aisha", "ta", "tafi"], ["B-PER", "O", "O"], "ha", "1")]  # fmt: skip
    rows = [
        {"tokens": ["Musa", "isa", "Kano"], "tags": ["B-PER", "O", "B-LOC"]},
        {"tokens": ["Aisha", "ta", "tafi"], "tags": ["O", "O", "O"]},
    ]  # fmt: skip  (the second was dropped)
    (tmp_path / "ha.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    scores = _predicted_scores(tmp_path, {"ha": gold})["ha"]
    assert (scores.precision, round(scores.recall, 4), round(scores.f1, 4)) == (1.0, 0.6667, 0.8)
    (tmp_path / "ha.jsonl").write_text(json.dumps(rows[0]) + "\n")  # predictions of another test set
    with pytest.raises(RuntimeError, match="does not hold the ha test set's sentences"):
        _predicted_scores(tmp_path, {"ha": gold})


def test_a_label_map_renames_or_drops_types_and_an_unmapped_one_names_the_fix():
    rows = [{"id": "s1", "tokens": ["A", "B", "C"], "tags": ["B-PER", "B-MISC", "I-MISC"]}]
    mapped = list(in_scheme(rows, DataSource(builder="conll5", label_map={"MISC": "O"}), "xtreme", "data.english"))
    assert mapped[0]["tags"] == ["B-PER", "O", "O"]
    with pytest.raises(
        RecipeError,
        match=r"data.english: tag 'B-MISC' \(sentence s1\) is not in the recipe's label "
        r"scheme xtreme \(PER, LOC, ORG\): map it, e.g. label_map: \{MISC: O\}",
    ):
        list(in_scheme(rows, DataSource(builder="conll5"), "xtreme", "data.english"))
    with pytest.raises(RecipeError, match=r"data.english.label_map=\['MISC'\]: give entity types"):
        load_recipe("masakhaner2", ["data.english.label_map=[MISC]"])


def test_the_masakhaner2_recipe_maps_the_label_sets_and_uses_nllb():
    recipe = load_recipe("masakhaner2")
    assert recipe.data["english"].label_map == {"MISC": "O"} and recipe.data["target_test"].label_map == {"DATE": "O"}
    assert recipe.label_scheme == "xtreme" and "nllb-200" in recipe.models.lst
    assert recipe.baselines == ["translate_train", "translate_test"] and len(recipe.languages) == 18


def test_raw_text_given_as_tokens_is_written_as_the_language_writes_it(tmp_path):
    """A raw source with tokens and no text: Chinese becomes its characters without spaces, Spanish spaced words."""
    from crop_hf.run.data import prepare_data, raw_file
    from crop_hf.run.recipe import parse_recipe

    def rows(tokens):
        return json.dumps({"tokens": tokens, "tags": ["O"] * len(tokens)}) + "\n"

    (tmp_path / "en.jsonl").write_text(rows(["Lima", "is", "cold", "."]))
    for lang, tokens in (("zh", list("北京很冷。")), ("es", ["Lima", "es", "fría", "."])):
        (tmp_path / f"raw-{lang}.jsonl").write_text(rows(tokens))
        (tmp_path / f"test-{lang}.jsonl").write_text(rows(tokens))
        (tmp_path / f"{lang}.tsv").write_text("Lima is cold .\t" + "".join(tokens) + "\n")
    recipe = parse_recipe(
        {
            "languages": ["zh", "es"],
            "data": {
                "english": {"files": "en.jsonl"},
                "target_raw": {"files": "raw-{lang}.jsonl"},
                "target_test": {"files": "test-{lang}.jsonl"},
                "parallel": {"files": {"zh": "zh.tsv", "es": "es.tsv"}},
            },
            "models": {"lst": "some/lst", "ner": "some/ner"},
        },
        base_dir=tmp_path,
    )
    prepare_data(recipe, tmp_path / "out")
    texts = {lang: json.loads((tmp_path / "out" / raw_file(lang)).read_text())["text"] for lang in ("zh", "es")}
    assert texts == {"zh": "北京很冷。", "es": "Lima es fría ."}
