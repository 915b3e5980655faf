import subprocess
import sys

import pytest

CHECK = "from transformers.pipelines import PIPELINE_REGISTRY; assert 'crop-projection' in PIPELINE_REGISTRY.get_supported_tasks()"


def run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_text_core_imports_without_torch_or_transformers():
    out = run("import crop_hf.slots, crop_hf.tagging, crop_hf.matching, crop_hf.filters, sys; "
              "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))")  # fmt: skip
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "code",
    [
        "import crop_hf\nfrom transformers import pipeline\n" + CHECK,  # crop_hf first: registered on import
        "from transformers import pipeline\nimport crop_hf\n" + CHECK,  # transformers first: registered at once
    ],
)
def test_crop_projection_is_registered_either_import_order(code):
    run(code)
