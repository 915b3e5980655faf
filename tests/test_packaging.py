"""Packaging: declared ranges against the tested sets, extras, and what the wheel holds.

The full check (the wheel installed alone beside the lowest set, run from outside the repository) is
``make test-lowest`` in ``.ci/run``; these tests keep the files it relies on consistent.
"""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
RUNTIME_EXTRAS = ("align", "demo", "metrics", "lora", "ct2", "lingua")


def _name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9_.-]+", requirement).group(0).lower().replace("_", "-")


def _pins(path: Path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {_name(line): line.split("==")[1] for line in lines if "==" in line}


def _direct() -> list[str]:
    return PROJECT["dependencies"] + [r for extra in RUNTIME_EXTRAS for r in PROJECT["optional-dependencies"][extra]]


def test_every_direct_dependency_has_a_lower_bound_and_no_exact_pin():
    for requirement in _direct():
        assert re.fullmatch(r"[A-Za-z0-9_.-]+>=[0-9.]+(,<[0-9.]+)?", requirement), requirement


def test_lowest_set_pins_each_direct_dependency_at_its_lower_bound():
    pins = _pins(ROOT / "constraints-lowest.txt")
    for requirement in _direct():
        name, low = _name(requirement), requirement.split(">=")[1].split(",")[0]
        assert name in pins, f"{name} missing from constraints-lowest.txt"
        assert tuple(map(int, pins[name].split("."))) == tuple(map(int, (low + ".0.0").split(".")[:3])), name


def test_newest_set_pins_every_dependency_inside_the_declared_ranges():
    from packaging.requirements import Requirement

    pins = _pins(ROOT / "constraints.txt")
    dev = PROJECT["optional-dependencies"]["dev"]
    for requirement in _direct() + dev:
        req = Requirement(requirement)
        assert _name(requirement) in pins, f"{req.name} missing from constraints.txt"
        assert req.specifier.contains(pins[_name(requirement)]), (requirement, pins[_name(requirement)])
    assert pins["torch"] == "2.13.0"  # the local CPU wheel; anything else pulls a multi-GB CUDA build


def test_optional_packages_are_not_core():
    core = {_name(r) for r in PROJECT["dependencies"]}
    assert not core & {"eflomal", "faker", "matplotlib", "sacrebleu", "peft", "ctranslate2", "pytest", "ruff"}


def test_import_crop_hf_needs_no_optional_package():
    blocked = ["eflomal", "faker", "matplotlib", "sacrebleu", "peft", "ctranslate2"]
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "import crop_hf, crop_hf.cli, crop_hf.publish.model_card, crop_hf.core.metrics, crop_hf.core.alignment, crop_hf.scripts.common\n"
        "from crop_hf.base.extras import MissingExtraError\n"
        "from crop_hf.core.alignment import align_corpus\n"
        "try:\n    align_corpus([['a']], [['b']])\nexcept MissingExtraError as err:\n    print(err)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "word alignment needs eflomal: pip install 'crop-hf[align]'"


@pytest.mark.slow
def test_wheel_holds_the_package_data(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("crop_hf-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "crop_hf").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert source - names == set()
    assert "crop_hf/templates/projection_model_card.md" in names
    assert "crop_hf/evaluate_metrics/crop_seqeval/crop_seqeval.py" in names
    assert not any(n.startswith(("tests/", "examples/", "benchmarks/")) for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "crop-hf = crop_hf.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
