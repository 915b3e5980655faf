"""One ProjectionOptions object: the same defaults and the same one-line fix at every way into a projection (the
object, a pipeline call, corpus projection, ``crop-hf project``, a recipe read by ``crop-hf run``)."""

import json
import pickle
import re
import typing

import pytest

from crop_hf import cli
from crop_hf.projection.projection_options import DEFAULTS, NAMES, OptionError, ProjectionOptions

# option, as typed on a command line, as given in Python, the fix every entry point names
BAD = [
    ("max_words", "0", 0, "use a whole number >= 1"),
    ("strictness", "fuzy", "fuzy", "did you mean 'fuzzy'?"),
    ("min_score", "1.5", 1.5, "use a number between 0 and 1 (default 0.75)"),
    ("shard_size", "-3", -3, "use a whole number >= 1"),
    ("decoding", "constraind", "constraind", "did you mean 'constrained'?"),
    ("min_slot_score", "1.5", 1.5, "use a number between 0 and 1 (default 0.0)"),
]


def recipe_dict(languages, **sections):
    files = {"english": "en.jsonl", "target_test": "{lang}.jsonl", "parallel": "{lang}.tsv"}
    return {"languages": languages, "models": {"lst": "a/b", "ner": "c/d"},
            "data": {role: {"files": path} for role, path in files.items()}, **sections}  # fmt: skip


@pytest.fixture(scope="module")
def projector(tiny_dir):
    from transformers import pipeline

    return pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))


@pytest.fixture
def raw(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text("Ana vive en Madrid .\nLuis trabaja en Lima .\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("name", "typed", "value", "fix"), BAD)
def test_one_bad_value_has_one_fix_at_every_entry_point(name, typed, value, fix, projector, raw, tmp_path, capsys):
    with pytest.raises(OptionError) as made:
        ProjectionOptions(**{name: value})
    assert (made.value.name, made.value.value) == (name, value) and fix in made.value.fix

    if name != "shard_size":  # a corpus setting, not a call option
        with pytest.raises(ValueError, match=re.escape(f"{name}={value!r}: ") + ".*" + re.escape(fix)):
            projector("Ana vive en Madrid .", src_lang="es", **{name: value})

    from crop_hf.projection.corpus_projection import project_corpus

    with pytest.raises(ValueError, match=re.escape(f"{name}={value!r}: ") + ".*" + re.escape(fix)):
        project_corpus(projector, raw, tmp_path / "corpus", "es", progress=False, **{name: value})
    assert not (tmp_path / "corpus").exists()  # refused before anything was written

    argv = ["project", "--model", str(tmp_path / "no-model"), "--input", str(raw), "--src_lang", "es",
            "--output_dir", str(tmp_path / "cli"), f"--{name}", typed]  # fmt: skip
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--{name}" in err[0] and typed in err[0] and fix.split(" (")[0] in err[0], err
    assert not (tmp_path / "cli").exists()

    argv = ["run", "conll5", "--output-dir", str(tmp_path / "run"), "--dry-run", "--set", f"projection.{name}={typed}"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"projection.{name}={value!r}: " in err[0] and fix in err[0], err
    assert not (tmp_path / "run").exists()


def test_every_entry_point_starts_from_the_same_defaults(projector, raw, tmp_path):
    from crop_hf.projection.corpus_projection import MANIFEST_NAME, project_corpus
    from crop_hf.run.recipe import parse_recipe
    from crop_hf.scripts.project import make_parser

    assert DEFAULTS == ProjectionOptions() and DEFAULTS.recorded()["max_words"] == 128
    recipe = parse_recipe(recipe_dict(["es"]))
    assert recipe.projection_options() == DEFAULTS
    required = ["--model", "m", "--input", "i", "--src_lang", "es", "--output_dir", "o"]
    assert make_parser().parse_args_into_dataclasses(required)[1] == DEFAULTS

    # a pipeline call: the length filter at the default, before any model runs
    assert projector.preprocess(" ".join(["palabra"] * 129), src_lang="es")["item"].drop[0] == "too_long"
    assert projector.preprocess(" ".join(["palabra"] * 128), src_lang="es")["item"].drop is None
    # corpus projection records every matching, filter and decoding option it ran with, at its default (decoding:
    # the pipeline's own)
    project_corpus(projector, raw, tmp_path / "out", "es", progress=False)
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    assert manifest["settings"] == {"src_lang": "es", "decoding": "free", **DEFAULTS.recorded()}
    assert manifest["shard_size"] == DEFAULTS.shard_size == 1000


def test_a_recipe_section_becomes_the_object_with_auto_candidates_resolved():
    from crop_hf.core.language_id import auto_candidates
    from crop_hf.run.recipe import parse_recipe

    recipe = parse_recipe(recipe_dict(["no", "de"], projection={"langid_candidates": "auto", "max_entities": None,
                                                                "min_score": None, "max_words": "64",
                                                                "backend": "transformers"}))  # fmt: skip
    options = recipe.projection_options()
    assert options.langid_candidates == tuple(auto_candidates(["no", "de"])) and "en" in options.langid_candidates
    assert (options.max_entities, options.min_score, options.max_words) == (None, DEFAULTS.min_score, 64)
    assert options.load_options() == {"backend": "transformers"}


def test_misspelt_names_suggest_the_closest_and_values_are_normalised():
    with pytest.raises(TypeError, match=r"unknown option max_word=64; did you mean max_words=\?"):
        ProjectionOptions.from_mapping({"max_word": 64})
    options = ProjectionOptions(langid_candidates=["es", "en"], min_score=1)
    assert options.langid_candidates == ("es", "en") and isinstance(options.min_score, float)
    assert hash(options) == hash(ProjectionOptions(langid_candidates=("es", "en"), min_score=1.0))
    assert pickle.loads(pickle.dumps(options)) == options  # items carry it to DataLoader workers
    assert json.loads(json.dumps(options.to_dict()))["langid_candidates"] == ["es", "en"]
    with pytest.raises(TypeError, match=r"check_language='yes': use True or False"):
        ProjectionOptions(check_language="yes")
    with pytest.raises(OptionError, match=r"langid_candidates=\['es', 'xx'\]: langid.py does not know \['xx'\]"):
        ProjectionOptions(langid_candidates=["es", "xx"])
    with pytest.raises(TypeError, match=r"batch_size=None: give a value \(default 32\)"):
        ProjectionOptions(batch_size=None)


def test_the_fields_choices_are_the_ones_the_code_knows():
    from crop_hf.core.language_id import IDENTIFIERS
    from crop_hf.core.matching import STRICTNESS_LEVELS
    from crop_hf.projection.projection_options import DECODINGS
    from crop_hf.translation import BACKENDS

    hints = typing.get_type_hints(ProjectionOptions)
    assert typing.get_args(hints["strictness"]) == STRICTNESS_LEVELS
    assert typing.get_args(hints["language_identifier"]) == IDENTIFIERS
    assert typing.get_args(typing.get_args(hints["backend"])[0]) == tuple(BACKENDS)
    assert typing.get_args(typing.get_args(hints["decoding"])[0]) == DECODINGS
    groups = (*ProjectionOptions.MATCHING, *ProjectionOptions.FILTERS, *ProjectionOptions.DECODING,
              *ProjectionOptions.LOADING)  # fmt: skip
    assert sorted(groups + ("batch_size", "shard_size")) == sorted(NAMES)  # each field has one reader


def test_corpus_projection_refuses_a_backend_its_pipeline_does_not_run(projector, raw, tmp_path):
    from crop_hf.projection.corpus_projection import project_corpus

    with pytest.raises(OptionError, match="backend='ctranslate2': the pipeline generates with transformers"):
        project_corpus(projector, raw, tmp_path / "out", "es", ProjectionOptions(backend="ctranslate2"))
    assert not (tmp_path / "out").exists()
