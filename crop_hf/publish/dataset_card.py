"""Dataset folders and cards for the datasets crop-hf publishes, generated from the Parquet shards that were built.

:func:`stage_config` lays one config's shards out as the Hub expects them (``<folder>/<split>-NNNNN-of-NNNNN.parquet``,
:func:`shard_name`) and counts them; :func:`crop_hf.publish.publishing.publish_dataset` and ``dataset_scripts/`` both stage
through it. :func:`split_stats` reads a split's shards column by column (row counts from the Parquet metadata, token and entity
counts streamed from ``ner_tags``); :func:`render_dataset_card` turns the statistics into a
``huggingface_hub.DatasetCard`` whose YAML header lists languages, licence, size category and one ``configs`` entry
per language (so ``load_dataset(repo_id, "es")`` finds its shards), and whose body has sizes, label counts, the
licence note, citations and a usage snippet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from huggingface_hub import DatasetCard, DatasetCardData

CROP_CITATION = r"""@inproceedings{yang-etal-2022-crop,
  title = {{CROP}: Zero-shot Cross-lingual Named Entity Recognition with Multilingual Labeled Sequence Translation},
  author = {Yang, Jian and Huang, Shaohan and Ma, Shuming and Yin, Yuwei and Dong, Li and Zhang, Dongdong and
            Guo, Hongcheng and Li, Zhoujun and Wei, Furu},
  booktitle = {Findings of EMNLP 2022},
  year = {2022},
  note = {arXiv:2210.07022}
}"""


@dataclass
class SplitStats:
    split: str
    files: list[str]  # relative to the dataset folder, posix
    examples: int
    tokens: int = 0
    entities: dict[str, int] = field(default_factory=dict)  # entity type -> number of entities (NER datasets)


@dataclass
class ConfigStats:
    config_name: str
    language: str
    splits: list[SplitStats]

    @property
    def examples(self) -> int:
        return sum(s.examples for s in self.splits)


def shard_name(split: str, index: int, count: int) -> str:
    """``train-00000-of-00002.parquet``: the name of shard ``index`` of ``count`` of ``split``."""
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def stage_config(
    root: Path,
    folder: str,
    config_name: str,
    language: str,
    splits: Mapping[str, Sequence[Path]],
    labels: Sequence[str] | None = None,
) -> ConfigStats:
    """Move each split's Parquet files (in order) to ``root/folder/<split>-NNNNN-of-NNNNN.parquet``; their statistics.

    ``labels`` (the ClassLabel names of ``ner_tags``) adds token and entity counts, as in :func:`split_stats`.
    """
    target = root / folder
    target.mkdir(parents=True, exist_ok=True)
    stats = []
    for split, files in splits.items():
        placed = [target / shard_name(split, i, len(files)) for i in range(len(files))]
        for old, new in zip(files, placed):
            Path(old).replace(new)
        stats.append(split_stats(split, placed, root, labels))
    return ConfigStats(config_name, language, stats)


def split_stats(split: str, files: Sequence[Path], root: Path, labels: Sequence[str] | None = None) -> SplitStats:
    """Row count of a split's Parquet ``files``; with ``labels`` (the ClassLabel names) also tokens and entities."""
    import pyarrow.parquet as pq

    examples, tokens, entities = 0, 0, Counter[str]()
    for path in files:
        parquet = pq.ParquetFile(path)
        examples += parquet.metadata.num_rows
        if labels is None:
            continue
        for batch in parquet.iter_batches(columns=["ner_tags"], batch_size=10_000):
            ids = batch.column(0).flatten().to_numpy(zero_copy_only=False)
            tokens += len(ids)
            counts = Counter(ids.tolist())
            for label_id, count in counts.items():
                if labels[label_id].startswith("B-"):
                    entities[labels[label_id][2:]] += count
    relative = [Path(p).relative_to(root).as_posix() for p in files]
    return SplitStats(split, relative, examples, tokens, dict(entities))


def render_dataset_card(
    *,
    pretty_name: str,
    summary: str,
    configs: Sequence[ConfigStats],
    license_id: str,
    license_note: str,
    citation: str,
    homepage: str,
    repo_id: str,
    entity_types: Sequence[str] = (),
    extra_languages: Sequence[str] = (),
    task: str = "token-classification",
) -> DatasetCard:
    """A card for a dataset with one config per language and Parquet shards listed in ``configs``."""
    languages = list(dict.fromkeys([*extra_languages, *(c.language for c in configs)]))
    card_data = DatasetCardData(
        language=languages,
        license=license_id,
        pretty_name=pretty_name,
        size_categories=_size_category(max((c.examples for c in configs), default=0)),
        task_categories=[task],
        task_ids=["named-entity-recognition"] if task == "token-classification" else None,
        multilinguality="multilingual" if len(languages) > 1 else "monolingual",
        configs=[
            {
                "config_name": c.config_name,
                "data_files": [{"split": s.split, "path": _pattern(s.files)} for s in c.splits],
            }
            for c in configs
        ],
    )
    return DatasetCard.from_template(
        card_data,
        template_str=_TEMPLATE,
        title=pretty_name,
        summary=summary,
        rows=configs,
        entity_types=list(entity_types),
        license_note=license_note,
        citations=[citation, CROP_CITATION],
        homepage=homepage,
        repo_id=repo_id,
        first_config=configs[0].config_name if configs else "default",
    )


def _pattern(files: Sequence[str]) -> str:
    """``es/train-*.parquet`` for a split's shards (the files share a folder and a ``<split>-`` prefix)."""
    first = Path(files[0])
    return (first.parent / f"{first.name.split('-')[0]}-*.parquet").as_posix()


def _size_category(n: int) -> str:
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]
    bounds += [(10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
    return next((label for bound, label in bounds if n < bound), "n>1T")


_TEMPLATE = """---
{{ card_data }}
---

# {{ title }}

{{ summary }}

Built with crop-hf (`crop_hf.builders`) from the original files ({{ homepage }}), as part of bringing CROP
(Yang et al., Findings of EMNLP 2022, arXiv:2210.07022) to the Hugging Face ecosystem.

## Usage

```python
from datasets import load_dataset

dataset = load_dataset("{{ repo_id }}", "{{ first_config }}")
```

## Languages and sizes

| config | language | split | examples |{% if entity_types %} tokens |{% for t in entity_types %} {{ t }} |{% endfor %}{% endif %}
|---|---|---|---:|{% if entity_types %}---:|{% for t in entity_types %}---:|{% endfor %}{% endif %}
{% for c in rows %}{% for s in c.splits %}| {{ c.config_name }} | {{ c.language }} | {{ s.split }} | {{ s.examples }} |\
{% if entity_types %} {{ s.tokens }} |{% for t in entity_types %} {{ s.entities.get(t, 0) }} |{% endfor %}{% endif %}
{% endfor %}{% endfor %}
{% if entity_types %}Entity counts are entities (spans), not tagged tokens; tags are BIO over \
{{ entity_types | join(", ") }}.
{% endif %}
## Licence

{{ license_note }}

## Citation

```bibtex
{% for c in citations %}{{ c }}
{% endfor %}```
"""
