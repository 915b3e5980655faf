"""Run crop-hf from an installed wheel, outside the repository: every --help, the pipeline tour, package data.

    cd /tmp && VENV/bin/python REPO/.ci/wheel_check.py REPO

Fails (exit 1) if crop_hf is imported from the repository instead of site-packages, if a file the package
reads at run time (templates, the evaluate metric module, recipes, ...) is missing from the installed package,
or if any step below does not give the stated result. Offline: the models are tiny ones built here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def main(repo: Path) -> int:
    import crop_hf

    installed = Path(crop_hf.__file__).resolve().parent
    assert installed != (repo / "crop_hf").resolve() and "site-packages" in installed.parts, (
        f"crop_hf imported from {installed}, not from the installed wheel"
    )
    print(f"wheel check: crop_hf {crop_hf.__version__} from {installed}")
    check_package_data(repo / "crop_hf", installed)
    check_help()
    check_tour()
    print("wheel check: passed")
    return 0


def check_package_data(source: Path, installed: Path) -> None:
    """Every file of the source package (data files included) is in the installed one."""
    wanted = {
        p.relative_to(source)
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")
    }
    missing = sorted(str(p) for p in wanted if not (installed / p).is_file())
    assert not missing, f"missing from the wheel: {missing}"
    print(f"wheel check: all {len(wanted)} files of crop_hf/ are installed (templates, metric module, recipes ...)")


def check_help() -> None:
    from crop_hf.cli import COMMANDS

    exe = str(Path(sys.executable).with_name("crop-hf"))
    for command in ([], *([name] for name in ["demo", *COMMANDS])):
        proc = subprocess.run([exe, *command, "--help"], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (command, proc.stderr[-2000:])
        assert proc.stdout.startswith(" ".join(["usage: crop-hf", *command])), proc.stdout[:200]
    print(f"wheel check: crop-hf --help and {len(COMMANDS) + 1} subcommands' --help work")


def check_tour() -> None:
    """A tiny saved pipeline, loaded back with pipeline("crop-projection", model=dir); its card; the metric."""
    import evaluate
    from transformers import pipeline

    import crop_hf  # noqa: F401  (registers "crop-projection")
    from crop_hf.core.metrics import seqeval_metric_path
    from crop_hf.core.tagging import CONLL
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece
    from crop_hf.publish.model_card import CardInfo, projection_card
    from crop_hf.scripts.common import quiet_libraries

    quiet_libraries()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        spm = train_sentencepiece(corpus_texts(n_per_lang=30), root / "sp.model", vocab_size=600)
        lst = make_tiny_m2m100(root / "m2m100", spm, d_model=32, ffn_dim=64, max_positions=128)
        ner = make_tiny_xlmr(root / "xlmr", spm, CONLL.labels, hidden_size=32, intermediate_size=64)
        pipeline("crop-projection", model=str(lst), ner_model=str(ner)).save_pretrained(root / "saved")

        project = pipeline("crop-projection", model=str(root / "saved"))
        result = project("Ana Ruiz vive en Madrid .", src_lang="es", check_language=False)
        assert result["tokens"] == ["Ana", "Ruiz", "vive", "en", "Madrid", "."], result
        assert (len(result["tags"]) == len(result["tokens"])) if result["kept"] else bool(result["reason"]), result
        print(f"wheel check: saved pipeline loads and projects: kept={result['kept']} reason={result['reason']}")

        card = projection_card(root / "saved", CardInfo("someone/crop-projection-es", ["es"]))
        assert card.data.library_name == "crop-hf" and 'pipeline("crop-projection"' in card.text
        print("wheel check: the card template renders")

    metric = evaluate.load(seqeval_metric_path())
    scores = metric.compute(predictions=[["B-PER", "O"]], references=[["B-PER", "O"]])
    assert scores["overall_f1"] == 1.0, scores
    print("wheel check: the packaged evaluate metric loads offline")


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
