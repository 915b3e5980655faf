"""Registration of "crop-projection" and the lazy public API, each in a fresh interpreter (import order matters)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # each test in a fresh interpreter: make test-slow

CHECK = (
    "\nfrom transformers.pipelines import PIPELINE_REGISTRY\n"
    "from crop_hf.projection.pipeline import CropProjectionPipeline\n"
    "assert PIPELINE_REGISTRY.supported_tasks['crop-projection']['impl'] is CropProjectionPipeline\n"
)


def run(code: str, *args: str) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout + out.stderr


def test_text_core_and_base_layers_import_without_torch_or_transformers():
    modules = sorted(f"crop_hf.{p.parent.name}.{p.stem}" for folder in ("base", "core")
                     for p in (ROOT / "crop_hf" / folder).glob("*.py") if p.stem != "__init__")  # fmt: skip
    assert "crop_hf.core.placement" in modules and "crop_hf.base.hub" in modules
    out = run(f"import crop_hf, crop_hf.projection.config, sys, {', '.join(modules)}; "
              "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")  # fmt: skip
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "code",
    [
        "from crop_hf.projection.pipeline import CropProjectionPipeline",  # the class first: used to be a circular import
        "import crop_hf\nfrom transformers import pipeline",  # crop_hf first: registered when transformers loads it
        "from transformers import pipeline\nimport crop_hf",  # transformers' pipelines first: registered at once
        "import transformers\nimport crop_hf\nfrom transformers import pipeline",  # lazy transformers, then crop_hf
        "import crop_hf.core.slots\nimport transformers.pipelines",  # a submodule import registers too
        "from crop_hf import CropProjectionPipeline",  # the public name
    ],
)
def test_crop_projection_is_registered_in_every_import_order(code):
    run(code + CHECK)


def test_public_api_resolves_lazily():
    out = run(
        "import sys, crop_hf\n"
        "assert 'torch' not in sys.modules\n"
        "from crop_hf import (LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments, DataCollatorForLabeledSeq2Seq,\n"
        "    CropProjectionPipeline, CropProjectionConfig, SelfTrainingArguments, Conll5, Xtreme40, CCAligned)\n"
        "from crop_hf.training.trainer import LabeledSeq2SeqTrainer as T\n"
        "assert LabeledSeq2SeqTrainer is T and set(crop_hf.__all__) - {'__version__'} == set(crop_hf._EXPORTS)\n"
        "try:\n    crop_hf.NoSuchThing\nexcept AttributeError as e:\n    print(e)\n"
    )
    assert "module 'crop_hf' has no attribute 'NoSuchThing'" in out


def test_import_crop_hf_then_pipeline_builds_the_projector(tiny_dir):
    out = run(
        "import sys, crop_hf\nfrom transformers import pipeline\n"
        "p = pipeline('crop-projection', model=sys.argv[1], ner_model=sys.argv[2])\n"
        "print(type(p).__name__, p('', src_lang='es')['reason'])",
        str(tiny_dir / "m2m100"),
        str(tiny_dir / "xlmr"),
    )
    assert "CropProjectionPipeline empty" in out


def test_a_failing_registration_never_breaks_the_import_of_transformers():
    out = run(
        "import sys, crop_hf\nsys.modules['crop_hf.training.ner_data'] = None  # crop_hf.projection.pipeline cannot import\n"
        "from transformers import pipeline\nfrom transformers.pipelines import PIPELINE_REGISTRY\n"
        "print('crop-projection' in PIPELINE_REGISTRY.get_supported_tasks())"
    )
    assert "False" in out and "crop-projection pipeline not registered: ModuleNotFoundError" in out


def test_readme_quotes_what_transformers_says_without_the_import_or_the_task(tiny_dir):
    """transformers' own messages (crop-hf cannot add to them without remote code): the README quotes them."""
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8").split())
    out = run(
        "import sys\nfrom transformers import pipeline\n"
        "for args in (('crop-projection',), ()):  # no import crop_hf; then no task\n"
        "    if not args:\n        import crop_hf\n"
        "    try:\n        pipeline(*args, model=sys.argv[1])\n"
        "    except Exception as err:\n        print(type(err).__name__, str(err).strip('\"').replace('`', '')[:90])\n",
        str(tiny_dir / "m2m100"),
    )
    missing, offline = out.strip().splitlines()[-2:]
    assert missing.startswith("KeyError Unknown task crop-projection, available tasks are")
    assert offline.startswith("RuntimeError You cannot infer task automatically within pipeline when using offline")
    for line in (missing, offline):
        quoted = line.split(" ", 1)[1][:50]
        assert quoted in readme.replace("`", ""), quoted
