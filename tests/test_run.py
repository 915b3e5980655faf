"""crop-hf run: recipes (schema, overrides, errors), the dry-run plan, and the conll5 recipe end to end on local
tiny checkpoints and CoNLL-format files."""

import json
import os
import re
import subprocess
import sys

import pytest
from fixtures_formats import write_conll5, write_flores

from crop_hf.cli import main
from crop_hf.run.recipe import RecipeError, load_recipe, parse_recipe

MINIMAL = {
    "languages": ["es"],
    "data": {
        "english": {"files": "en.jsonl"},
        "target_test": {"files": "{lang}.jsonl"},
        "parallel": {"files": {"es": "es.tsv"}},
    },
    "models": {"lst": "some/lst", "ner": "some/ner"},
}


def test_dry_run_prints_the_papers_conll5_settings_offline(capsys, tmp_path):
    assert main(["run", "conll5", "--output-dir", str(tmp_path / "out"), "--dry-run"]) == 0
    plan = capsys.readouterr().out
    for expected in (
        "languages es, nl, de, no", "facebook/m2m100_418M", "xlm-roberta-base", '"learning_rate": 0.0001',
        '"warmup_steps": 4000', '"adam_beta1": 0.9', '"adam_beta2": 0.98', '"alpha": 0.5',
        '"per_device_train_batch_size": 24', '"num_train_epochs": 15', '"warmup_steps": 0.1', '"iterations": 2',
        '"max_words": 128', "builder conll5(en, split=train)", "ccaligned(sentences-{lang}", "[13] cards",
        "[5] lst_quality", "lst_test: builder flores(-, split=devtest)", "in:  data/lst_test/es.jsonl",
        '"heldout_pairs": 250', "[7] translate:", "[9] translate_train:", "[10] selftrain:", "NER seeds 42;", "evaluate: F1 per language on the target test sets: zero_shot "
        "vs translate_train vs crop",
    ):  # fmt: skip
        assert expected in plan, expected
    assert not (tmp_path / "out").exists()  # a dry run writes nothing
    # seeds: the NER stages once per seed (the first under the plain names), the LST model and projection once
    assert main(["run", "conll5", "--output-dir", str(tmp_path / "out"), "--dry-run", "--set", "seeds=[1,2,3]"]) == 0
    stages = [
        line.split(": ", 1)[0].split("] ")[1] for line in capsys.readouterr().out.splitlines() if line[:1] == "["
    ]
    assert stages == [
        "data",
        "models",
        "align",
        "train_lst",
        "lst_quality",
        "train_ner",
        "translate",
        "project",
        "translate_train",
        "selftrain",
        "train_ner-seed2",
        "translate_train-seed2",
        "selftrain-seed2",
        "train_ner-seed3",
        "translate_train-seed3",
        "selftrain-seed3",
        "evaluate",
        "report",
        "cards",
    ]


def _dry_run_in_a_fresh_interpreter(recipe: str, output_dir) -> subprocess.CompletedProcess:
    """``crop-hf run RECIPE --dry-run`` in a fresh interpreter, offline, where loading any model or asking the Hub
    fails the run; it must succeed."""
    code = (
        "import huggingface_hub, transformers\nfrom crop_hf.cli import main\n"
        "def refuse(*a, **k):\n    raise SystemExit('a model or the Hub was touched')\n"
        "transformers.PreTrainedModel.from_pretrained = refuse\n"
        "huggingface_hub.HfApi.model_info = refuse\n"
        f"raise SystemExit(main(['run', {recipe!r}, '--output-dir', {str(output_dir)!r}, '--dry-run']))"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_dry_run_masakhaner2_in_a_fresh_interpreter_lists_languages_mapping_model_baselines(tmp_path):
    proc = _dry_run_in_a_fresh_interpreter("masakhaner2", tmp_path / "x")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("recipe masakhaner2 (") and "languages bm, ee, fon, ha, ig, rw, lg, luo, mos, ny, sn, "
    assert "sw, tn, tw, wo, xh, yo, zu; benchmark masakhaner2; labels xtreme" in lines[0]
    assert lines[1] == ("models: LST facebook/nllb-200-distilled-600M, NER xlm-roberta-base; baselines: "
                        "translate_train, translate_test")  # fmt: skip
    assert lines[2].startswith("Label mapping (data.english: MISC -> O; data.target_raw: DATE -> O; data.target_test: "
                               "DATE -> O), scheme xtreme.")  # fmt: skip
    assert lines[3].startswith("not in this run: bbj (Ghomala': NLLB-200 has no code") and "pcm (Nigerian" in lines[3]
    stages = [line.split(": ", 1)[0].split("] ")[1] for line in lines if line[:1] == "["]
    assert stages[-6:] == ["translate_train", "translate_test", "selftrain", "evaluate", "report", "cards"]
    assert "zero_shot vs translate_train vs translate_test vs crop" in proc.stdout
    assert "in:  data/test/zu.jsonl" in proc.stdout and not (tmp_path / "x").exists()


@pytest.mark.slow
def test_dry_run_xtreme40_in_a_fresh_interpreter_loads_no_model(tmp_path):
    proc = _dry_run_in_a_fresh_interpreter("xtreme40", tmp_path / "x")
    out = proc.stdout
    assert "benchmark xtreme40; labels xtreme" in out and "languages af, ar, bg" in out
    assert '"per_device_train_batch_size": 32' in out and '"num_train_epochs": 10' in out
    assert ", eu," not in out.split("\n")[0]  # M2M100 has no Basque: the shipped recipe leaves it out
    assert "xlm-roberta-base" in out and not (tmp_path / "x").exists()
    assert "[5] lst_quality" in out and "in:  data/lst_test/af.jsonl" in out and "[9] translate_train" in out


def test_overrides_set_nested_keys_and_read_values_as_yaml(tmp_path):
    recipe = load_recipe("conll5", ["languages=[es,no]", "lst.max_steps=200", "models.mt=null",
                                    "data.english.data_dir=/data/conll"])  # fmt: skip
    assert recipe.languages == ["es", "no"]  # YAML's unquoted no is Norwegian in a language list
    assert recipe.lst["max_steps"] == 200 and recipe.lst["learning_rate"] == 1e-4
    assert recipe.data["english"].data_dir == "/data/conll"
    assert recipe.data["target_raw"].split == "train" and recipe.data["target_test"].split == "test"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lst": {"max_stesp": 3}}, "unknown key 'lst.max_stesp'; did you mean 'lst.max_steps'?"),
        ({"languages": ["es", "xx"]}, "unknown language code 'xx'"),
        ({"languages": ["es", "en"]}, "list the target languages only"),
        ({"projection": {"strictness": "fuzy"}}, "projection.strictness='fuzy'"),
        ({"projection": {"batch_size": 0}}, "projection.batch_size=0"),
        ({"modles": {}}, "did you mean 'models'?"),
        ({"models": {"lst": "facebook/m2m100_418M", "ner": "x"}, "languages": ["es", "eu"]}, "has no eu"),
        ({"data": {"english": {"files": "a", "builder": "conll5"}}}, "exactly one of builder, hub, files"),
        ({"lst": {"max_steps": "abc"}}, "lst.max_steps='abc': expected a whole number"),
        ({"lst": {"max_steps": 2.5}}, "lst.max_steps=2.5: expected a whole number"),
        ({"ner": {"learning_rate": "fast"}}, "ner.learning_rate='fast': expected a number"),
        ({"selftrain": {"iterations": None}}, "selftrain.iterations=None: null is not allowed"),
        ({"lst": 5}, "'lst' must be a mapping of settings"),
        ({"seed": None}, "seed=None: give a whole number"),
        ({"languages": ["es", "es"]}, "languages lists es more than once"),
        ({"data": {"english": {"files": "a", "limit": -5}}}, "data.english.limit=-5: give a whole number >= 1"),
        ({"projection": {"langid_candidates": []}}, "projection.langid_candidates=[]"),
        ({"projection": {"check_language": "maybe"}}, "projection.check_language='maybe': expected true or false"),
        ({"alignment": {"max_phrase_len": 0}}, "alignment.max_phrase_len=0"),
        ({"publish": {"push": "yes please"}}, "publish.push='yes please'"),
    ],
)
def test_bad_recipes_name_the_key_and_the_fix(change, message):
    raw = {**MINIMAL, **change}
    if "data" in change:
        raw["data"] = {**MINIMAL["data"], **change["data"]}
    with pytest.raises(RecipeError) as err:
        from crop_hf.run.recipe import check_stage_fields

        check_stage_fields(parse_recipe(raw, source="r.yaml"))
    assert message in str(err.value) and str(err.value).startswith("r.yaml")


def test_numbers_written_as_yaml_reads_them_become_numbers():
    """YAML 1.1 reads 3e-4 and 1e3 as text; the recipe reads them as the field's type when it is loaded."""
    from crop_hf.run.recipe import check_stage_fields

    recipe = load_recipe("conll5", ["lst.learning_rate=3e-4", "lst.max_steps=1e3", "ner.num_train_epochs=2",
                                    "data.english.limit=1e2", "projection.min_score=1e-1"])  # fmt: skip
    check_stage_fields(recipe)
    assert recipe.lst["learning_rate"] == 3e-4 and isinstance(recipe.lst["learning_rate"], float)
    assert recipe.lst["max_steps"] == 1000 and isinstance(recipe.lst["max_steps"], int)
    assert recipe.ner["num_train_epochs"] == 2.0 and recipe.data["english"].limit == 100
    assert recipe.projection["min_score"] == 0.1


@pytest.mark.parametrize(
    "override, message",
    [
        ("lst.max_steps=abc", "lst.max_steps='abc': expected a whole number"),
        ("lst.max_steps=-5", "lst.max_steps=-5: give a whole number >= 1, or -1 to train by num_train_epochs"),
        ("selftrain.iterations=0", "selftrain.iterations=0: give a number of self-training rounds >= 1"),
        ("ner.learning_rate=-1e-4", "ner.learning_rate=-0.0001: give a learning rate >= 0"),
        ("lst=5", "'lst' must be a mapping of settings"),
        ("seed=null", "seed=None: give a whole number"),
        ("languages=[es,es]", "languages lists es more than once"),
        ("data.english.limit=-5", "data.english.limit=-5"),
        ("lst.slot_phrases=entities", "lst.slot_phrases='entities': use all or names"),
    ],
)
def test_set_mistakes_are_one_line_and_exit_2_in_the_dry_run(override, message, tmp_path, capsys):
    assert main(["run", "conll5", "--output-dir", str(tmp_path / "out"), "--dry-run", "--set", override]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["/", "~", "a_file", ""])
def test_output_dir_refuses_root_home_a_regular_file_and_nothing(where, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_file").write_text("not a folder")
    assert main(["run", "conll5", "--output-dir", where, "--dry-run"]) == 2
    err = capsys.readouterr().err.strip()
    assert (f"--output_dir {where}:" if where else "--output_dir is empty") in err and len(err.splitlines()) == 1, err
    assert (tmp_path / "a_file").read_text() == "not a folder" and sorted(p.name for p in tmp_path.iterdir()) == [
        "a_file"]  # fmt: skip


def test_a_run_folder_in_use_is_refused_in_one_line_before_any_work(tmp_path, capsys):
    import os

    from crop_hf.base.folder_lock import LOCK_NAME

    out = tmp_path / "run"
    out.mkdir()
    holder = {"command": "crop-hf run", "pid": os.getpid(), "host": os.uname().nodename, "started": "earlier"}
    (out / LOCK_NAME).write_text(json.dumps(holder))
    assert main(["demo", "--output-dir", str(out)]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert f"{out}: in use by crop-hf run (PID {os.getpid()} on " in err and "use another output folder" in err
    assert sorted(p.name for p in out.iterdir()) == [LOCK_NAME]  # nothing was written


def test_missing_recipe_file_is_a_clear_error():
    with pytest.raises(RecipeError, match="no such file; give a YAML file or one of demo, conll5, xtreme40"):
        load_recipe("nonexistent.yaml")


def _tsv_pairs(root, langs, n):
    """Parallel English-target lines per language from the built-in corpus (our own generated sentences)."""
    from crop_hf.demo.synthetic import generate_corpus

    files = {}
    for lang in langs:
        path = root / f"pairs-{lang}.tsv"
        lines = [f"{ex.src_text}\t{ex.tgt_text}" for ex in generate_corpus([lang], n, seed=3, split="train")]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[lang] = str(path)
    return files


@pytest.mark.slow
def test_conll5_recipe_runs_end_to_end_on_local_checkpoints_and_files(tiny_dir, tmp_path, capsys):
    conll = write_conll5(tmp_path / "conll")
    flores = write_flores(tmp_path)
    pairs = _tsv_pairs(tmp_path, ["es", "nl", "de", "no"], 30)
    out = tmp_path / "run"
    args = [
        "run", "conll5", "--output-dir", str(out),
        "--set", f"models.lst={tiny_dir / 'm2m100'}", "--set", f"models.ner={tiny_dir / 'xlmr'}",
        "--set", f"data.english.data_dir={conll}", "--set", f"data.target_raw.data_dir={conll}",
        "--set", f"data.target_test.data_dir={conll}",
        "--set", "data.parallel={files: " + json.dumps(pairs) + "}",
        "--set", f"data.lst_test.data_dir={flores}", "--set", "lst_quality.heldout_pairs=3",
        "--set", "lst={max_steps: 6, per_device_train_batch_size: 8, learning_rate: 1.0e-3, save_steps: 100}",
        "--set", "ner={num_train_epochs: 1, per_device_train_batch_size: 8}",
        "--set", "selftrain={num_train_epochs: 1, per_device_train_batch_size: 8}",
    ]  # fmt: skip
    assert main(args) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["languages"] == ["es", "nl", "de", "no"]
    # the builders read the distributed formats: CoNLL-2003 English (IOB1) train has 4 sentences
    assert metrics["data"]["english"] == 4
    assert metrics["data"]["parallel"] == 4 * 30
    for lang in ("es", "nl", "de", "no"):
        proj = metrics["projection"][lang]
        assert proj["total"] == metrics["data"]["target_raw"][lang] > 0
        assert proj["kept"] + sum(proj["drops"].values()) == proj["total"]
        assert set(metrics["evaluation"][lang]) == {"zero_shot", "translate_train", "crop"}
        quality = metrics["lst_quality"]
        assert quality["translation"][lang]["sentences"] == 6  # the FLORES devtest files, read for every language
        for direction in ("x_en", "en_x"):
            assert 0 <= quality["translation"][lang][direction]["chrf++"] <= 100
            assert quality["translation"][lang][direction]["tokenize"] in ("13a", "flores101", "flores200")
        assert quality["labeled"][lang]["pairs"] == 3 and 0 <= quality["labeled"][lang]["accuracy"] <= 100
        tt = metrics["translate_train"]["languages"][lang]
        assert tt["total"] == 4 and tt["kept"] + sum(tt["drops"].values()) == 4
    assert len(metrics["selftrain"]["rounds"]) == 2
    assert metrics["lst"]["heldout_pairs"] == 4 * 3 and metrics["lst"]["training_pairs"] == 2 * 4 * (30 - 3)
    report = (out / "report.md").read_text()
    rows = [line for line in report.splitlines() if line.startswith(("| es |", "| nl |", "| de |", "| no |"))]
    assert len(rows) == 12  # one row per language in the run's table, beside the paper, and in the LST table
    # Table 2's XLM-R rows as published: zero-shot, translate-train, CROP per language, and the paper's average
    beside = {line.split(" | ")[0][2:]: line.strip("| ").split(" | ")[-3:] for line in rows[4:8]}
    assert beside == {"es": ["77.4", "77.8", "78.1"], "nl": ["78.9", "79.2", "79.5"], "de": ["73.4", "74.2", "80.1"],
                      "no": ["80.9", "81.3", "83.1"]}  # fmt: skip
    assert "| paper's own avg | - | - | - | 77.7 | 78.1 | 80.2 |" in report
    # the tiny local checkpoint is an XLM-R (its config says so): the paper's XLM-R rows, named so
    assert metrics["recipe"]["encoder"] == "XLM-R" and metrics["paper"]["title"] == "Table 2 (CoNLL-5), encoder XLM-R"
    assert "not spBLEU" in report and "in percent, 0-100" in report
    assert metrics["decoding"] == {"decoding": "free", "min_slot_score": 0.0}  # the paper's, said in the report
    assert "Projection decoding: **free**" in report
    assert (out / "models" / "crop-projection" / "README.md").is_file()
    summary = capsys.readouterr().out
    assert "crop-hf run conll5: CROP above zero-shot on " in summary
    assert "crop-hf run conll5: CROP above translate-train on " in summary

    # a changed projection setting reruns projection and the stages after it, and reuses the ones before
    capsys.readouterr()
    assert main([*args, "--set", "projection.strictness=fuzzy"]) == 0
    again = json.loads((out / "metrics.json").read_text())
    reused = {name: s["reused"] for name, s in again["stages"].items()}
    assert reused == {"data": True, "models": True, "align": True, "train_lst": True, "lst_quality": True,
                      "train_ner": True, "translate": True, "translate_train": True, "project": False,
                      "selftrain": False, "evaluate": False, "report": False, "cards": False}  # fmt: skip
    assert "settings changed (strictness)" in capsys.readouterr().out

    # constrained decoding: projection and what follows rerun (translate-train decodes freely: reused), the saved
    # pipeline carries the decoding, and no sentence is lost to a slot or to matching
    assert main([*args, "--set", "projection.decoding=constrained"]) == 0
    again = json.loads((out / "metrics.json").read_text())
    assert [again["stages"][s]["reused"] for s in ("translate", "project", "selftrain")] == [True, False, False]
    assert again["decoding"]["decoding"] == "constrained"
    assert "Projection decoding: **constrained**" in (out / "report.md").read_text()
    saved = json.loads((out / "models" / "crop-projection" / "crop_projection.json").read_text())
    assert saved["decoding"] == "constrained"
    for lang in ("es", "nl", "de", "no"):
        proj = again["projection"][lang]
        assert not {"slots_lost", "unmatched_entity"} & set(proj["drops"]), proj
        assert proj["kept"] + sum(proj["drops"].values()) == proj["total"]

    # two seeds: the NER stages once more with seed 7; the LST model, translation and projection are reused, and
    # the report gives mean and standard deviation of both seeds' F1, every seed's numbers in metrics.json
    capsys.readouterr()
    seeds = [*args, "--set", "projection.decoding=constrained", "--set", "seeds=[42, 7]"]
    assert main(seeds) == 0
    two = json.loads((out / "metrics.json").read_text())
    reused = {name: s["reused"] for name, s in two["stages"].items()}
    assert {
        k: reused[k] for k in ("train_lst", "train_ner", "translate", "project", "translate_train", "selftrain")
    } == (dict.fromkeys(("train_lst", "train_ner", "translate", "project", "translate_train", "selftrain"), True))
    assert [reused[k] for k in ("train_ner-seed7", "translate_train-seed7", "selftrain-seed7", "evaluate")] == [
        False
    ] * 4
    assert (out / "models" / "crop-ner-seed7").is_dir() and two["recipe"]["seeds"] == [42, 7]
    assert set(two["evaluation_by_seed"]) == {"42", "7"}
    assert two["evaluation_by_seed"]["42"] == again["evaluation_by_seed"]["42"]  # seed 42's models were reused
    for lang in ("es", "nl", "de", "no"):
        for system, mean in two["evaluation"][lang].items():
            if mean is None:  # a system without data in the language
                assert system in two["no_data"][lang]
                continue
            runs = [two["evaluation_by_seed"][s][lang][system] for s in ("42", "7")]
            assert mean == round((runs[0] + runs[1]) / 2, 2)
            assert two["evaluation_std"][lang][system] == round(abs(runs[0] - runs[1]) / 2**0.5, 2)
    report = (out / "report.md").read_text()
    assert "the mean ± sample standard deviation over 2 seeds (42, 7)" in report and " ± " in report
    assert "F1 % averaged over the languages, mean of 2 seeds" in capsys.readouterr().out


LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    "content, message",
    [
        (LAUGHS.encode(), "aliases expand to more than 100000 values"),
        (("x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200)) + "  " * 201 + "v: 1\n").encode(),
         "nested deeper than 64 levels"),
        (("[" * 5000 + "]" * 5000).encode(), "nested deeper than 64 levels"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8 text|binary file"),
        ("name: é\n".encode("latin-1"), r"not UTF-8 text \(byte 6\)"),
        (b"name: a\nlanguages: [es]\nname: b\n", "line 3: the key 'name' is given twice in one mapping"),
        (b"seed: 1\n" + b"#" * (1 << 20), "more than a recipe's 1048576"),
    ],
    ids=["billion-laughs", "deep-mapping", "deep-flow", "binary", "latin-1", "duplicate-key", "huge"],
)  # fmt: skip
def test_a_recipe_file_that_is_not_a_recipe_is_one_line_and_exit_2(content, message, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_bytes(content)
    assert main(["run", str(path), "--output-dir", str(tmp_path / "out"), "--dry-run"]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert re.search(message, err) and str(path) in err, err
    assert not (tmp_path / "out").exists()


def test_set_values_are_read_within_the_same_bounds(tmp_path, capsys):
    laughs = "{" + LAUGHS.replace("\n", ", ").rstrip(", ") + "}"
    assert main(["run", "conll5", "--output-dir", str(tmp_path / "o"), "--dry-run", "--set", f"lst={laughs}"]) == 2
    assert "--set lst: its aliases expand to more than 100000 values" in capsys.readouterr().err


def test_relative_paths_of_a_recipe_file_resolve_beside_it_not_in_the_working_directory(tmp_path, monkeypatch):
    import yaml

    folder = tmp_path / "recipes"
    (folder / "my-lst").mkdir(parents=True)
    (folder / "es.tsv").write_text("a\tb\n")
    raw = {**MINIMAL, "models": {"lst": "my-lst", "ner": "xlm-roberta-base"}}
    (folder / "r.yaml").write_text(yaml.safe_dump(raw))
    monkeypatch.chdir(tmp_path)
    recipe = load_recipe(folder / "r.yaml")
    assert recipe.models.lst == str(folder / "my-lst") and recipe.models.ner == "xlm-roberta-base"  # a Hub id stays
    assert recipe.data["parallel"].files == {"es": str(folder / "es.tsv")}


def test_spm_model_is_checked_before_the_run_and_only_flores101s_is_the_papers_spbleu(tmp_path, capsys):
    from crop_hf.run.lst_quality import tokenisation_note

    for spm, message in ((tmp_path / "missing.model", "no such file"), (__file__, "not a SentencePiece model")):
        assert main(["run", "demo", "--output-dir", str(tmp_path / "o"), "--set", f"lst_quality.spm_model={spm}"]) == 2
        (err,) = capsys.readouterr().err.strip().splitlines()
        assert f"lst_quality.spm_model {spm}: {message}" in err
        assert not (tmp_path / "o").exists()  # refused before the first stage

    def note(tokenize):
        return tokenisation_note({"es": {"x_en": {"tokenize": tokenize}, "en_x": {"tokenize": tokenize}}})

    assert note("spm:flores101_sacrebleu_spm.model").endswith("as in the paper's Table 5.")
    assert note("flores101").endswith("as in the paper's Table 5.")
    assert "does not compare with the paper's spBLEU" in note("spm:my_own.model")
    assert "does not compare with the paper's spBLEU" in note("flores200")
    assert "not spBLEU" in note("13a")


@pytest.mark.slow
def test_masakhaner2_recipe_runs_end_to_end_with_translate_test_and_the_later_methods(
    tiny_dir, tiny_nllb, tmp_path, capsys
):
    from fixtures_formats import write_masakhaner2_run_data

    from crop_hf.core.tagging import CONLL

    conll = write_conll5(tmp_path / "conll")
    files = write_masakhaner2_run_data(tmp_path, {"ha": "es", "yo": "nl"})
    out = tmp_path / "run"
    args = [
        "run", "masakhaner2", "--output-dir", str(out), "--set", "languages=[ha, yo]",
        "--set", f"models.lst={tiny_nllb}", "--set", f"models.ner={tiny_dir / 'xlmr'}",
        "--set", f"data.english.data_dir={conll}", "--set", f"data.target_raw.data_dir={files['masakhaner2']}",
        "--set", f"data.target_test.data_dir={files['masakhaner2']}",
        "--set", f"data.parallel.files={files['parallel']}/en-{{lang}}.tsv",
        "--set", f"data.lst_test.data_dir={files['flores']}", "--set", "lst_quality.heldout_pairs=3",
        "--set", "lst={max_steps: 6, per_device_train_batch_size: 8, learning_rate: 1.0e-3, save_steps: 100}",
        "--set", "ner={num_train_epochs: 1, per_device_train_batch_size: 8}",
        "--set", "selftrain={num_train_epochs: 1, per_device_train_batch_size: 8}",
    ]  # fmt: skip
    assert main(args) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    # the English source lost MISC, the MasakhaNER sets their DATE: nothing outside PER LOC ORG was kept or scored
    english = [json.loads(line) for line in (out / "data" / "english.jsonl").read_text().splitlines()]
    assert len(english) == 4 and {t for r in english for t in r["tags"]} <= {"O", "B-PER", "I-PER", "B-LOC",
                                                                             "I-LOC", "B-ORG", "I-ORG"}  # fmt: skip
    assert any(t.endswith("MISC") for t in CONLL.labels)
    for lang in ("ha", "yo"):
        test = [json.loads(line) for line in (out / "data" / "test" / f"{lang}.jsonl").read_text().splitlines()]
        assert len(test) == 8 and not any("DATE" in t for r in test for t in r["tags"])
        assert set(metrics["evaluation"][lang]) == {"zero_shot", "translate_train", "translate_test", "crop"}
        tt = metrics["translate_test"]["languages"][lang]
        assert tt["total"] == 8 and tt["kept"] + sum(tt["drops"].values()) == 8
        predicted = [json.loads(line) for line in (out / "translate_test" / f"{lang}.jsonl").read_text().splitlines()]
        assert [p["tokens"] for p in predicted] == [r["tokens"] for r in test]  # every test sentence counted
        assert all(p["tags"] == ["O"] * len(p["tokens"]) for p in predicted if not p["kept"])
        assert metrics["lst_quality"]["translation"][lang]["sentences"] == 6  # FLORES-200 names (hau_Latn, yor_Latn)
    later = metrics["later_methods"]
    assert [m["method"] for m in later["methods"]] == ["EasyProject", "CODEC", "T-Projection"]
    assert [m["published_average"] for m in later["methods"]] == [64.9, 67.1, 70.3]
    # EasyProject's and CODEC's own figures for Hausa and Yoruba, averaged: (72.2 + 36.8) / 2, (72.4 + 41.4) / 2
    assert [m["average_on_shared"] for m in later["methods"]] == [54.5, 56.9, None]
    assert set(later["skipped"]) >= {"bbj", "pcm", "zul", "swa"} and "ha" not in later["skipped"]
    report = (out / "report.md").read_text()
    assert "| lang | projection P / R / F1 | kept | zero-shot F1 | translate-train F1 | translate-test F1 | CROP F1" in (
        report)  # fmt: skip
    # the run's own averages on the same two languages, per system (a system without data in both: "-")
    row = next(line for line in report.splitlines() if line.startswith("| CODEC"))
    cells = row.strip("| ").split(" | ")
    assert cells[1:3] == ["67.1 (18)", "56.9 (2)"]
    for cell, system in zip(cells[3:], ("zero_shot", "translate_train", "translate_test", "crop"), strict=True):
        values = [
            metrics["evaluation"][x][system] for x in ("ha", "yo") if metrics["evaluation"][x][system] is not None
        ]
        assert cell == (f"{sum(values) / len(values):.1f}" if values else "-"), (system, cell)
    assert "DATE entities of the MasakhaNER test sets read as O" in report and "bbj: Ghomala'" in report
    assert "crop-hf run masakhaner2: CROP above translate-test on " in capsys.readouterr().out
