"""The crop-hf command line: every --help, one-line errors with exit code 2 before any model loads, summaries."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crop_hf import cli
from crop_hf.scripts import common

ROOT = Path(__file__).resolve().parents[1]


def test_every_help_works_and_names_the_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--help"])
    assert exit_.value.code == 0
    top = capsys.readouterr().out
    assert top.startswith("usage: crop-hf [--version] [--debug] COMMAND")
    for name in ["demo", *cli.COMMANDS]:
        assert name in top
        with pytest.raises(SystemExit) as exit_:
            cli.main([name, "--help"])
        assert exit_.value.code == 0, name
        text = capsys.readouterr().out
        assert text.startswith(f"usage: crop-hf {name}"), text[:200]
        assert "examples/" not in text, name  # the wheel ships no examples/


def test_selftrain_help_lists_crop_options_before_training_arguments(capsys):
    with pytest.raises(SystemExit):
        cli.main(["selftrain", "--help"])
    text = capsys.readouterr().out
    assert "(10 %)" in text  # the help string that used to crash argparse's % formatting
    own, hf = text.index("--confidence_threshold"), text.index("transformers TrainingArguments")
    assert own < hf < text.index("--gradient_accumulation_steps")
    assert text.index("--warmup_steps") < hf  # crop-hf overrides its default: listed as its own


def test_negated_flag_has_its_own_help(capsys):
    with pytest.raises(SystemExit):
        cli.main(["project", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--no_check_language, --no-check-language turn off --check_language" in text
    assert "{exact,crop,fuzzy,align}" in text


@pytest.fixture
def fake_model(tmp_path):
    """A folder that passes the checks (config.json) but is no model: loading it would fail loudly."""
    d = tmp_path / "model"
    d.mkdir()
    (d / "config.json").write_text("{}")
    return d


@pytest.fixture
def no_model_loads(monkeypatch):
    """Any model, tokenizer or pipeline load fails the test."""
    import transformers

    def refuse(*args, **kwargs):
        raise AssertionError("a model was loaded before the arguments were checked")

    monkeypatch.setattr(transformers.PreTrainedModel, "from_pretrained", classmethod(refuse))
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", refuse)
    monkeypatch.setattr(transformers, "pipeline", refuse)


def _bad_invocations(tmp_path, model):
    raw = tmp_path / "raw.txt"
    raw.write_text("Ana vive en Madrid .\n")
    test = tmp_path / "es.test.jsonl"
    test.write_text(json.dumps({"tokens": ["Ana"], "tags": ["B-PER"]}) + "\n")
    out = str(tmp_path / "out")
    project = ["project", "--model", str(model), "--input", str(raw), "--src_lang", "es", "--output_dir", out]
    lst = ["train-lst", "--model_name_or_path", str(model), "--train_file", str(raw), "--output_dir", out]
    st = ["selftrain", "--model_name_or_path", str(model), "--output_dir", out]
    push = ["push", "--kind", "ner", "--path", str(model), "--repo_id", "me/crop-ner", "--dry_run", out]
    # (argv, what the one line must name)
    return [
        (project[:2] + ["/nonexistent/lst"] + project[3:], "/nonexistent/lst"),
        (project[:-3] + ["xx", "--output_dir", out], "xx"),
        (project + ["--strictness", "fuzy"], "fuzy"),
        (project[:3] + project[5:], "--input"),  # missing --input
        (project[:4] + [str(tmp_path / "missing.txt")] + project[5:], "missing.txt"),
        (project + ["--batch_size", "0"], "--batch_size"),
        (project + ["--langid_candidates", "es,qx"], "does not know ['qx']"),
        (project + ["--language_identifier", "lingva"], "lingva"),
        (project + ["--ner_model", str(raw)], "raw.txt"),  # a file, not a model folder
        (lst[:4] + [str(tmp_path / "pairs.jsonl")] + lst[5:], "pairs.jsonl"),
        (lst[:2] + ["./no/such/m2m100"] + lst[3:], "./no/such/m2m100"),
        (lst + ["--min_slots", "9"], "min_slots must be in 0..max_slots=4, got 9"),  # the dataclass's own check
        (lst + ["--model_dropout", "1.5"], "model_dropout must be in [0, 1)"),
        (lst + ["--slot_phrases", "entities"], "slot_phrases must be one of all, names, got 'entities'"),
        (st + ["--source_file", str(tmp_path / "en.train.jsonl")], "en.train.jsonl"),
        (st + ["--synthetic", "--synthetic_langs", "es,qq"], "qq"),
        (st + ["--source_file", str(test), "--label_scheme", "ontonotes"], "ontonotes"),
        (["evaluate", "--model_dirs", str(model), "--eval_files", f"xx={test}"], "xx"),
        (["evaluate", "--model_dirs", str(model), "/nonexistent/ner", "--synthetic"], "/nonexistent/ner"),
        (["evaluate", "--model_dirs", str(model)], "--eval_files"),
        (push[:4] + [str(tmp_path / "gone")] + push[5:], "gone"),
        (push[:6] + ["not a repo id"] + push[7:], "not a repo id"),
        (push + ["--languages", "es,zz"], "zz"),
        (["push", "--kind", "model", "--path", str(model), "--repo_id", "me/x"], "model"),
        (["frobnicate"], "frobnicate"),
        (["demo", "--preset", "huge"], "huge"),
        (["demo", "--langs", "es,xx", "--output_dir", out], "xx"),
    ]


def test_bad_invocations_give_one_line_and_exit_2(tmp_path, fake_model, no_model_loads, capsys):
    cases = _bad_invocations(tmp_path, fake_model)
    assert len(cases) >= 10
    for argv, named in cases:
        try:
            code = cli.main(argv)
        except SystemExit as exit_:  # argparse's own errors at the top level
            code = exit_.code
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        assert code == 2, (argv, err)
        assert len(lines) == 1 and "error:" in lines[0], (argv, err)
        assert named in lines[0], (argv, lines[0])
        assert not (tmp_path / "out").exists(), argv  # nothing written


@pytest.mark.slow
def test_console_script_error_is_one_line_and_debug_shows_the_traceback(tmp_path):
    argv = ["project", "--model", "/nonexistent/lst", "--input", "x.txt", "--src_lang", "es", "--output_dir",
            str(tmp_path / "out")]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-m", "crop_hf.cli"]
    plain = subprocess.run(run + argv, capture_output=True, text=True, env=env, timeout=300)
    assert plain.returncode == 2
    assert plain.stderr.strip().splitlines() == [
        "crop-hf project: error: --model /nonexistent/lst: no such folder; pass a saved model folder or a Hub id "
        "such as facebook/m2m100_418M"
    ]
    debug = subprocess.run(run + ["--debug"] + argv, capture_output=True, text=True, env=env, timeout=300)
    assert debug.returncode == 2
    assert "Traceback (most recent call last)" in debug.stderr and "UsageError" in debug.stderr


def test_debug_with_a_value_stays_a_training_argument():
    argv, debug = common._take_debug_flag(["--debug", "underflow_overflow", "--output_dir", "x"])
    assert (argv, debug) == (["--debug", "underflow_overflow", "--output_dir", "x"], False)
    assert common._take_debug_flag(["--x", "1", "--debug"]) == (["--x", "1"], True)


def test_dash_and_underscore_spellings_both_parse():
    from crop_hf.scripts.project import make_parser

    base = ["--model", "m", "--input", "i", "--src_lang", "es"]
    a = make_parser().parse_args_into_dataclasses(base + ["--output_dir", "o", "--shard_size", "5"])
    b = make_parser().parse_args_into_dataclasses(base + ["--output-dir", "o", "--shard-size", "5"])
    assert a == b and a[1].shard_size == 5
    from crop_hf.scripts.run import make_parser as run_parser

    for demo in (True, False):
        recipe = [] if demo else ["conll5"]
        dashed = run_parser(demo).parse_args([*recipe, "--output-dir", "x", "--dry-run"])
        underscored = run_parser(demo).parse_args([*recipe, "--output_dir", "x", "--dry_run"])
        assert vars(dashed) == vars(underscored) and dashed.output_dir == "x" and dashed.dry_run


def test_project_passes_the_language_options_on(tmp_path, fake_model, monkeypatch, capsys):
    import transformers

    import crop_hf.projection.corpus_projection as corpus_projection
    from crop_hf.projection.corpus_projection import ProjectionSummary
    from crop_hf.projection.projection_options import ProjectionOptions

    raw = tmp_path / "raw.txt"
    raw.write_text("Ana vive en Madrid .\n")
    seen = {}
    monkeypatch.setattr(transformers, "pipeline", lambda *args, **kwargs: "projector")
    monkeypatch.setattr(corpus_projection, "project_corpus", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.setattr(
        corpus_projection, "summarize", lambda out: ProjectionSummary(1, 1, shards=1, lines_expected=1)
    )
    base = ["project", "--model", str(fake_model), "--input", str(raw), "--src_lang", "es", "--output_dir",
            str(tmp_path / "out")]  # fmt: skip
    assert cli.main(base) == 0
    assert seen["options"] == ProjectionOptions()  # every default, as the dataclass has it
    assert cli.main([*base, "--check_raw_language", "--langid_candidates", "es,en", "--no_check_language",
                     "--max_entities", "3", "--min_score", "0.9", "--strictness", "fuzzy"]) == 0  # fmt: skip
    options = seen["options"]
    assert (options.check_language, options.check_raw_language, options.langid_candidates) == (
        False,
        True,
        ("es", "en"),
    )
    assert (options.max_entities, options.min_score, options.strictness) == (3, 0.9, "fuzzy")
    assert "kept 1 of 1 es sentences" in capsys.readouterr().out


def test_project_summary_counts_the_target_language_and_all_lines():
    from crop_hf.projection.corpus_projection import ProjectionSummary
    from crop_hf.scripts.project import summary_line

    drops = {"raw_language": 1200, "slots_lost": 165, "wrong_language": 50}
    summary = ProjectionSummary(sentences=1500, kept=85, drops=drops, entities={"PER": 60, "LOC": 40}, shards=2)
    line = summary_line(summary, "es", "out/")
    # the raw lines in another language are not es sentences; the translations in another language are
    assert line.startswith("crop-hf project: kept 85 of 300 es sentences (28.3%), 5.7% of all 1500 lines")
    assert "100 entities" in line and "raw_language 1200, slots_lost 165, wrong_language 50" in line
    assert "in out/" in line
    # without the raw check, every line is in src_lang by the caller's word
    summary.drops = {"wrong_language": 1250, "slots_lost": 165}
    assert summary_line(summary, "es", "out/").startswith("crop-hf project: kept 85 of 1500 es")


def test_missing_extra_names_it(monkeypatch):
    from crop_hf.base.extras import MissingExtraError, require

    monkeypatch.setitem(sys.modules, "faker", None)
    with pytest.raises(MissingExtraError, match=r"^the built-in corpus needs faker: pip install 'crop-hf\[demo\]'$"):
        require("faker", "the built-in corpus", "demo")


def test_dataset_scripts_take_both_spellings(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "dataset_scripts"))
    import build_conll5

    dashed = build_conll5.make_parser().parse_args(["--data-dir", "d", "--dry-run", "o", "--max-shard-size", "1MB"])
    plain = build_conll5.make_parser().parse_args(["--data_dir", "d", "--dry_run", "o", "--max_shard_size", "1MB"])
    assert vars(dashed) == vars(plain) and plain.max_shard_size == "1MB"
