"""dataset_scripts/: a dry run writes Parquet shards and a card that datasets and huggingface_hub read back; the push
path talks to a mocked HfApi."""

from __future__ import annotations

import importlib
from pathlib import Path
from unittest import mock

import datasets
import pytest
from fixtures_formats import write_ccaligned, write_conll5, write_panx, write_xz
from huggingface_hub import DatasetCard

from crop_hf.core.tagging import CONLL, XTREME

SCRIPTS = Path(__file__).resolve().parent.parent / "dataset_scripts"


@pytest.fixture
def scripts(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    return lambda name: importlib.import_module(name)


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def load_split(out: Path, config: str, split: str, cache: Path) -> datasets.Dataset:
    files = {split: str(out / config / f"{split}-*.parquet")}
    return datasets.load_dataset("parquet", data_files=files, split=split, cache_dir=str(cache))


def test_conll5_dry_run_writes_shards_and_card(scripts, tmp_path):
    data = write_conll5(tmp_path / "data")
    out = tmp_path / "out"
    argv = ["--data-dir", str(data), "--dry-run", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert scripts("build_conll5").main(argv) == 0
    expected = [f"{lang}/{split}-00000-of-00001.parquet" for lang in ("de", "en", "es", "nl", "no")
                for split in ("test", "train", "validation")]  # fmt: skip
    assert files_under(out) == sorted(["README.md", *expected])

    spanish = load_split(out, "es", "train", tmp_path / "load")
    assert spanish.num_rows == 3 and spanish[0]["tokens"][2] == "Peña"
    assert spanish.features["ner_tags"].feature.names == CONLL.labels  # ClassLabel survives Parquet

    card = DatasetCard.load(out / "README.md")
    assert card.data.language == ["en", "es", "nl", "de", "no"]
    assert card.data.license == "other" and card.data.task_ids == ["named-entity-recognition"]
    assert card.data.size_categories == "n<1K"
    es_config = next(c for c in card.data.configs if c["config_name"] == "es")
    assert {"split": "train", "path": "es/train-*.parquet"} in es_config["data_files"]
    # sizes and entity counts per split: es train has 3 sentences, 21 tokens, PER 1 LOC 2 ORG 1 MISC 1
    assert "| es | es | train | 3 | 21 | 1 | 2 | 1 | 1 |" in card.text
    assert "| no | no | train | 3 | 23 | 1 | 2 | 2 | 3 |" in card.text
    assert "tjong-kim-sang-2002-introduction" in card.text and "yang-etal-2022-crop" in card.text
    assert "Reuters" in card.text  # the licence note
    assert "conll2003/ner/" in card.text and "ltgoslo/norne" in card.text  # every source's homepage

    by_config = datasets.load_dataset(str(out), "nl", cache_dir=str(tmp_path / "load2"))  # as the Hub would
    assert {split: ds.num_rows for split, ds in by_config.items()} == {"train": 2, "validation": 1, "test": 1}


def test_xtreme40_dry_run_selected_languages(scripts, tmp_path):
    data = write_panx(tmp_path / "data")
    out = tmp_path / "out"
    argv = ["--data-dir", str(data), "--languages", "sw", "ar", "--dry-run", str(out), "--cache-dir", str(tmp_path)]
    scripts("build_xtreme40").main(argv)
    assert [p for p in files_under(out) if p.startswith("ar/")] == [
        f"ar/{s}-00000-of-00001.parquet" for s in ("test", "train", "validation")
    ]
    arabic = load_split(out, "ar", "train", tmp_path / "load")
    assert arabic.features["ner_tags"].feature.names == XTREME.labels and arabic.num_rows == 2
    card = DatasetCard.load(out / "README.md")
    assert card.data.language == ["sw", "ar"]
    assert "| sw | sw | train | 2 | 11 | 1 | 2 | 1 |" in card.text  # PER LOC ORG


def test_ccaligned_dry_run(scripts, tmp_path, monkeypatch):
    monkeypatch.setattr(scripts("_publish"), "HfApi", mock.MagicMock(side_effect=AssertionError("Hub touched")))
    data = write_ccaligned(tmp_path / "data")
    out = tmp_path / "out"
    argv = ["--data-dir", str(data), "--languages", "es", "--dry-run", str(out), "--cache-dir", str(tmp_path)]
    scripts("build_ccaligned").main(argv)
    assert files_under(out) == [
        "README.md",
        "documents-es/train-00000-of-00001.parquet",
        "sentences-es/train-00000-of-00001.parquet",
    ]
    pairs = load_split(out, "sentences-es", "train", tmp_path / "load")
    assert pairs[0]["translation"] == {"en": "The river is wide .", "es": "El río es ancho ."}
    card = DatasetCard.load(out / "README.md")
    assert card.data.language == ["en", "es"] and card.data.task_categories == ["translation"]
    assert "| documents-es | es | train | 5 |" in card.text


def test_ccaligned_needs_languages(scripts, capsys):
    with pytest.raises(SystemExit):
        scripts("build_ccaligned").make_parser().parse_args(["--data-dir", "x"])
    assert "--languages" in capsys.readouterr().err


def test_push_uses_hfapi_with_dataset_repo_type(scripts, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token_123")
    data = write_conll5(tmp_path / "data")
    work = tmp_path / "work"
    publish = scripts("_publish")
    api = mock.MagicMock()
    seen = {}
    api.upload_folder.side_effect = lambda **kw: seen.setdefault("files", files_under(Path(kw["folder_path"])))
    monkeypatch.setattr(publish, "HfApi", mock.MagicMock(return_value=api))
    argv = ["--data-dir", str(data), "--languages", "es", "nl", "--repo-id", "my-org/crop-conll5",
            "--work-dir", str(work), "--revision", "v1", "--commit-message", "Build CoNLL es+nl",
            "--cache-dir", str(tmp_path / "cache")]  # fmt: skip
    scripts("build_conll5").main(argv)

    publish.HfApi.assert_called_once_with()  # the token comes from huggingface_hub's usual sources
    api.create_repo.assert_called_once_with("my-org/crop-conll5", repo_type="dataset", private=True, exist_ok=True)
    api.create_branch.assert_called_once_with("my-org/crop-conll5", branch="v1", repo_type="dataset", exist_ok=True)
    kwargs = api.upload_folder.call_args.kwargs
    assert kwargs["repo_type"] == "dataset" and kwargs["repo_id"] == "my-org/crop-conll5"
    assert kwargs["commit_message"] == "Build CoNLL es+nl" and kwargs["revision"] == "v1"
    assert kwargs["delete_patterns"] == ["es/*.parquet", "nl/*.parquet"]
    assert seen["files"] == [
        "README.md",
        *(f"{lang}/{s}-00000-of-00001.parquet" for lang in ("es", "nl") for s in ("test", "train", "validation")),
    ]
    output = capsys.readouterr()
    assert "hf_not_a_real_token_123" not in output.out + output.err


def test_public_push_and_default_message(scripts, tmp_path, monkeypatch):
    data = write_panx(tmp_path / "data")
    publish = scripts("_publish")
    api = mock.MagicMock()
    monkeypatch.setattr(publish, "HfApi", mock.MagicMock(return_value=api))
    argv = ["--data-dir", str(data), "--languages", "zh", "--repo-id", "me/panx", "--public",
            "--work-dir", str(tmp_path / "w"), "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    scripts("build_xtreme40").main(argv)
    assert api.create_repo.call_args.kwargs["private"] is False
    api.create_branch.assert_not_called()
    assert api.upload_folder.call_args.kwargs["commit_message"] == "Upload zh built with crop-hf"


def test_repo_id_required_without_dry_run(scripts, tmp_path):
    with pytest.raises(SystemExit, match="--repo_id is required"):
        scripts("build_conll5").main(["--data-dir", str(tmp_path)])


def test_large_split_is_sharded_by_max_shard_size(scripts, tmp_path):
    data = tmp_path / "data" / "sentence-aligned"
    data.mkdir(parents=True)
    rows = [f"Row {i} of the test .\tFila {i} de la prueba .\t1.{i % 10}" for i in range(8000)]
    write_xz(data / "en_XX-es_XX.tsv.xz", rows)
    out = tmp_path / "out"
    argv = ["--data-dir", str(tmp_path / "data"), "--languages", "es", "--kinds", "sentences",
            "--dry-run", str(out), "--cache-dir", str(tmp_path / "c"), "--max-shard-size", "100KB"]  # fmt: skip
    scripts("build_ccaligned").main(argv)
    shards = sorted(p.name for p in (out / "sentences-es").iterdir())
    assert len(shards) > 1 and shards == [f"train-{i:05d}-of-{len(shards):05d}.parquet" for i in range(len(shards))]
    loaded = datasets.load_dataset(str(out), "sentences-es", split="train", cache_dir=str(tmp_path / "load"))
    assert loaded.num_rows == 8000 and loaded[7999]["translation"]["es"] == "Fila 7999 de la prueba ."


def test_missing_files_exit_with_the_builder_message(scripts, tmp_path):
    with pytest.raises(SystemExit, match=r"(?s)error: Conll5\(config_name='es'\).*esp.testa: MISSING.*conll2002"):
        scripts("build_conll5").main(["--data-dir", str(tmp_path), "--languages", "es", "--dry-run", str(tmp_path)])
