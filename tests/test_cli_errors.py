"""How every command ends when it cannot finish: a user mistake, a bug, Ctrl-C, a missing optional dependency.

A :class:`~crop_hf.base.errors.CropHfError` is one line and exit 2; any other exception is a bug: one line naming its
type with a hint to rerun with ``--debug`` (which prints the traceback), exit 1; Ctrl-C is one line, exit 130.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytest.importorskip("transformers")

from crop_hf import cli  # noqa: E402
from crop_hf.base.errors import CropHfError, InputError  # noqa: E402
from crop_hf.scripts import common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _stop_every_command_with(err, monkeypatch):
    """Every command fails with ``err`` as soon as it starts (its logging setup is the first thing it does)."""

    def fail(debug=False):
        raise err

    monkeypatch.setattr(common, "setup_logging", fail)


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_ctrl_c_is_one_line_and_exit_130_at_every_command(command, monkeypatch, capsys):
    _stop_every_command_with(KeyboardInterrupt(), monkeypatch)
    assert cli.main([command]) == 130
    assert capsys.readouterr().err.splitlines() == [
        f"crop-hf {command}: interrupted; rerun the same command to resume"
    ]


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_a_bug_is_a_one_line_hint_and_exit_1_and_debug_shows_the_traceback(command, monkeypatch, capsys):
    _stop_every_command_with(KeyError("stage_record"), monkeypatch)
    assert cli.main([command]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"crop-hf {command}: internal error: KeyError: 'stage_record'; rerun with --debug for the traceback"
    ]
    assert cli.main(["--debug", command]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last)") and "in fail" in err
    assert err.splitlines()[-1] == f"crop-hf {command}: internal error: KeyError: 'stage_record'"


@pytest.mark.parametrize(
    "err", [CropHfError("recipe x.yaml: key lst.steps: did you mean max_steps?"), InputError("a.txt line 3: empty")]
)
def test_crop_hf_errors_are_one_line_and_exit_2(err, monkeypatch, capsys):
    _stop_every_command_with(err, monkeypatch)
    assert cli.main(["project"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"crop-hf project: error: {err}"]


def test_a_plain_value_error_is_no_longer_taken_for_a_user_mistake(monkeypatch, capsys):
    _stop_every_command_with(ValueError("shapes (3, 4) and (5,) do not align"), monkeypatch)
    assert cli.main(["evaluate"]) == 1
    assert "internal error: ValueError: shapes (3, 4) and (5,) do not align" in capsys.readouterr().err


def test_a_missing_file_the_user_named_stays_one_line(monkeypatch, capsys):
    _stop_every_command_with(FileNotFoundError(2, "No such file or directory", "corpus.txt"), monkeypatch)
    assert cli.main(["project"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "crop-hf project: error: [Errno 2] No such file or directory: 'corpus.txt'"
    ]


WITHOUT_FAKER = "import sys; sys.modules['faker'] = None; from crop_hf.cli import main; raise SystemExit(main())"


@pytest.mark.slow
def test_demo_without_the_demo_extra_is_one_line_naming_it(tmp_path):
    out = tmp_path / "demo_output"
    proc = subprocess.run([sys.executable, "-c", WITHOUT_FAKER, "demo", "--output_dir", str(out)],
                          capture_output=True, text=True, env=ENV, cwd=tmp_path, timeout=300)  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [
        "crop-hf demo: error: the built-in corpus (builder: builtin) needs faker: pip install 'crop-hf[demo]'"
    ]
    assert not out.exists()  # refused before the first stage


def test_the_built_in_corpus_names_the_extra_wherever_it_is_reached(monkeypatch):
    from crop_hf.base.extras import MissingExtraError
    from crop_hf.demo import synthetic

    monkeypatch.setitem(sys.modules, "faker", None)
    with pytest.raises(MissingExtraError, match=r"^the built-in corpus needs faker: pip install 'crop-hf\[demo\]'$"):
        synthetic._faker("es", 0)


SLOW_COMMAND = textwrap.dedent(
    """
    import time
    from crop_hf.scripts.common import command

    @command("slow")
    def main(argv):
        print("started", flush=True)
        time.sleep(120)

    raise SystemExit(main([]))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT")
@pytest.mark.slow
def test_a_real_ctrl_c_is_one_line_and_exit_130(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_COMMAND], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV)  # fmt: skip
    assert proc.stdout.readline() == "started\n"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.splitlines() == ["crop-hf slow: interrupted; rerun the same command to resume"]


def test_crop_hf_s_own_errors_are_told_as_user_mistakes():
    from crop_hf.base.errors import is_user_error
    from crop_hf.base.extras import MissingExtraError
    from crop_hf.base.hub import HubPermissionError
    from crop_hf.builders import FormatError
    from crop_hf.builders._base import DataFilesNotFoundError
    from crop_hf.core.languages import UnknownLanguageError
    from crop_hf.projection.config import ConfigError
    from crop_hf.projection.corpus_projection import ProjectionFailedError
    from crop_hf.run.recipe import RecipeError

    own = [RecipeError, ConfigError, DataFilesNotFoundError, UnknownLanguageError, MissingExtraError,
           common.UsageError, InputError, ProjectionFailedError]  # fmt: skip
    assert [cls.__name__ for cls in own if not issubclass(cls, CropHfError)] == []
    assert is_user_error(FormatError("esp.train", 3, "expected 2 columns, got 1"))
    assert is_user_error(HubPermissionError("no write access to me/x"))  # a PermissionError, told in one line too
    assert not is_user_error(ValueError("x")) and not is_user_error(KeyError("x"))


def test_the_hub_out_of_reach_is_one_line_at_every_command(monkeypatch, capsys):
    from crop_hf.base.hub import HubUnavailableError  # Hub I/O imports nothing of crop_hf, so not a CropHfError

    _stop_every_command_with(HubUnavailableError("cannot reach the Hub and me/x is not in the cache"), monkeypatch)
    assert cli.main(["push"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "crop-hf push: error: cannot reach the Hub and me/x is not in the cache"
    ]


def test_the_project_summary_line_tells_model_errors_apart_from_the_drops():
    from crop_hf.projection.corpus_projection import ProjectionSummary
    from crop_hf.scripts.project import summary_line

    summary = ProjectionSummary(sentences=10, kept=4, drops={"slots_lost": 3}, model_errors=3,
                                first_model_error="line 2: MT: RuntimeError: no kernel")  # fmt: skip
    line = summary_line(summary, "es", "out/")
    assert "dropped: slots_lost 3; model errors 3 (first: line 2: MT: RuntimeError: no kernel); " in line
    assert not summary.model_failed and ProjectionSummary(sentences=3, model_errors=2, drops={"empty": 1}).model_failed
    assert not ProjectionSummary(sentences=3, model_errors=2, drops={"slots_lost": 1}).model_failed  # a model ran


@pytest.mark.parametrize(
    "code, hint",
    [("ENOSPC", "the disk is full: free space or give an --output_dir on another disk"),
     ("EROFS", "the folder is read-only: give a writable --output_dir")],
)  # fmt: skip
def test_a_full_disk_or_read_only_folder_is_the_users_environment_one_line_exit_2(code, hint, tmp_path, capsys,
                                                                                 monkeypatch):  # fmt: skip
    import errno
    import os

    def fail(*args, **kwargs):
        raise OSError(getattr(errno, code), os.strerror(getattr(errno, code)), str(tmp_path / "out" / "metrics.json"))

    monkeypatch.setattr("crop_hf.run.runner.run_recipe", fail)
    assert cli.main(["demo", "--output-dir", str(tmp_path / "out")]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert err.startswith("crop-hf demo: error: [Errno") and str(tmp_path / "out" / "metrics.json") in err
    assert err.endswith(f"({hint})")
