"""The run's ``data`` stage: each role's source, read once into JSON-lines files under ``<output_dir>/data``.

What the later stages read, whatever the source (a builder over the files as distributed, a Hub dataset, local
files or the built-in corpus):

- ``english.jsonl``: English gold NER, ``tokens`` + BIO ``tags``;
- ``raw/<lang>.jsonl``: the raw target text, ``text`` (what projection sees) and, where the source has labels,
  ``tokens`` + ``tags`` kept aside to score the projection (the paper projects the training split with its labels
  removed);
- ``test/<lang>.jsonl``: the target test sets, ``tokens`` + ``tags``;
- ``parallel.jsonl``: LST training pairs, ``src_tokens`` / ``tgt_tokens`` / ``tgt_lang`` (+ ``phrases`` or the
  gold entity ``alignment`` where the source has them);
- ``lst_test/<lang>.jsonl`` (when the recipe has an ``lst_test`` source): the translation test set, ``en`` and
  ``xx`` sentences aligned (FLORES-101/200 devtest in the paper's recipes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from ..base.resumable import atomic_text
from ..core.languages import get_language
from ..core.text import split_tokens, token_separator
from .recipe import DataSource, Recipe, RecipeError
from .results import DataResult

ENGLISH = "data/english.jsonl"
PARALLEL = "data/parallel.jsonl"


def raw_file(lang: str) -> str:
    return f"data/raw/{lang}.jsonl"


def test_file(lang: str) -> str:
    return f"data/test/{lang}.jsonl"


def lst_test_file(lang: str) -> str:
    return f"data/lst_test/{lang}.jsonl"


def prepare_data(recipe: Recipe, out: Path) -> DataResult:
    """Write every role's data; return the counts per role and language."""
    if recipe.builtin:
        from ..demo.corpus import builtin_rows
    cache = out / "cache" / "datasets"
    counts: dict[str, Any] = {}
    english = recipe.data["english"]
    rows = builtin_rows("english", english, recipe) if english.builder == "builtin" else ner_rows(english, "en", cache)
    rows = in_scheme(rows, english, recipe.label_scheme, f"{recipe.source}: data.english")
    counts["english"] = write_jsonl(out / ENGLISH, islice(rows, english.limit))
    for role, name in (("target_raw", raw_file), ("target_test", test_file)):
        src = recipe.data[role]
        counts[role] = {}
        for lang in recipe.languages:
            if src.builder == "builtin":
                rows = builtin_rows(role, src, recipe, lang)
            else:
                rows = ner_rows(src, lang, cache)
            rows = in_scheme(rows, src, recipe.label_scheme, f"{recipe.source}: data.{role} ({lang})")
            if role == "target_raw":  # the sentence as written (Chinese: its characters without spaces)
                sep = token_separator(lang)
                rows = ({**r, "text": r.get("text") or sep.join(r["tokens"])} for r in rows)
            counts[role][lang] = write_jsonl(out / name(lang), islice(rows, src.limit))
    src = recipe.data["parallel"]
    empty = [f"{role} {lang}" for role in ("target_raw", "target_test") for lang, n in counts[role].items() if not n]
    pairs: list[Iterable[dict[str, Any]]] = []
    for lang in recipe.languages:
        rows = (
            builtin_rows("parallel", src, recipe, lang)
            if src.builder == "builtin"
            else parallel_rows(src, lang, cache)
        )
        pairs.append(islice(rows, src.limit))
    counts["parallel"] = write_jsonl(out / PARALLEL, (r for group in pairs for r in group))
    if "lst_test" in recipe.data:
        src = recipe.data["lst_test"]
        counts["lst_test"] = {}
        for lang in recipe.languages:
            rows = (
                builtin_rows("lst_test", src, recipe, lang) if src.builder == "builtin" else lst_test_rows(src, lang)
            )
            counts["lst_test"][lang] = write_jsonl(out / lst_test_file(lang), islice(rows, src.limit))
        empty += [f"lst_test {lang}" for lang, n in counts["lst_test"].items() if not n]
    if not counts["english"] or not counts["parallel"] or empty:
        raise RecipeError(f"{recipe.source}: no sentences for {', '.join(empty) or 'english or parallel'}: check data")
    return DataResult(**counts)


def ner_rows(src: DataSource, lang: str, cache: Path) -> Iterator[dict[str, Any]]:
    """``{"id", "tokens", "tags"}`` (BIO) of one language from a builder, a Hub dataset or a JSON-lines file."""
    if src.kind == "files":
        yield from read_jsonl(Path(src.file_for(lang)), required=("tokens", "tags"))
        return
    dataset = _builder_dataset(src, lang, cache) if src.kind == "builder" else _hub_dataset(src, lang)
    names = dataset.features["ner_tags"].feature.names
    for i, row in enumerate(dataset):
        tags = [names[t] for t in row["ner_tags"]]
        yield {"id": str(row.get("id", i)), "lang": lang, "tokens": list(row["tokens"]), "tags": tags}


def in_scheme(rows: Iterable[dict[str, Any]], src: DataSource, scheme: str, where: str) -> Iterator[dict[str, Any]]:
    """``rows`` with the source's ``label_map`` applied to their tags, each tag checked against the recipe's label
    scheme: a tag outside it stops the data stage naming the role, the tag and the map that would fix it."""
    from ..core.tagging import get_scheme, map_types

    labels = set(get_scheme(scheme).labels)
    for row in rows:
        if "tags" not in row:
            yield row
            continue
        tags = map_types(row["tags"], src.label_map) if src.label_map else row["tags"]
        unknown = next((t for t in tags if t not in labels), None)
        if unknown is not None:
            kind = unknown.partition("-")[2]
            raise RecipeError(f"{where}: tag {unknown!r} (sentence {row.get('id', '?')}) is not in the recipe's "
                              f"label scheme {scheme} ({', '.join(get_scheme(scheme).entity_types)}): map it, e.g. "
                              f"label_map: {{{kind}: O}} under that data source")  # fmt: skip
        yield {**row, "tags": tags}


def parallel_rows(src: DataSource, lang: str, cache: Path) -> Iterator[dict[str, Any]]:
    """English-target pairs of one language, tokenised as projection tokenises (characters for zh, ja, th...)."""
    char_level = get_language(lang).char_level
    if src.kind == "files":
        path = Path(src.file_for(lang))
        if path.suffix == ".jsonl":
            for row in read_jsonl(path, required=("src_tokens", "tgt_tokens")):
                yield {**row, "src_lang": "en", "tgt_lang": lang}
            return
        texts = _tsv_pairs(path)
    else:
        dataset = _builder_dataset(src, lang, cache) if src.kind == "builder" else _hub_dataset(src, lang)
        texts = ((row["translation"]["en"], row["translation"][lang]) for row in dataset)
    for en, xx in texts:
        src_tokens = [t.text for t in split_tokens(en, False)]
        tgt_tokens = [t.text for t in split_tokens(xx, char_level)]
        if src_tokens and tgt_tokens:
            yield {"src_tokens": src_tokens, "tgt_tokens": tgt_tokens, "src_lang": "en", "tgt_lang": lang}


def lst_test_rows(src: DataSource, lang: str) -> Iterator[dict[str, str]]:
    """``{"en", "xx"}`` sentence pairs of the translation test set: FLORES files, a TSV file or a Hub dataset."""
    if src.builder == "flores":
        from ..builders.flores import flores_pairs

        texts: Iterable[tuple[str, str]] = flores_pairs(src.data_dir or ".", lang, src.split or "devtest")
    elif src.kind == "files":
        texts = _tsv_pairs(Path(src.file_for(lang)))
    elif src.kind == "hub":  # one config per language, a "text" (FLORES+) or "sentence" (FLORES) column
        english, target = (_hub_dataset(src, x) for x in ("en", lang))
        column = "text" if "text" in target.column_names else "sentence"
        texts = zip(english[column], target[column])
    else:
        raise RecipeError(f"data.lst_test: builder {src.builder!r} gives no translation test set; use builder: "
                          "flores with the FLORES-101/200 folder as data_dir, files (TSV) or a Hub dataset")  # fmt: skip
    for en, xx in texts:
        yield {"en": en, "xx": xx}


def read_jsonl(path: Path, required: tuple[str, ...] = ()) -> Iterator[dict[str, Any]]:
    """Rows of a JSON-lines file; a row that is not an object with the ``required`` keys names file and line."""
    if not path.is_file():
        raise RecipeError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise RecipeError(f"{path} line {number}: not valid JSON ({err.msg})") from err
            missing = [k for k in required if not isinstance(row, dict) or k not in row]
            if missing:
                raise RecipeError(f"{path} line {number}: missing {', '.join(missing)}")
            yield row


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_text(path) as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def _tsv_pairs(path: Path) -> Iterator[tuple[str, str]]:
    if not path.is_file():
        raise RecipeError(f"{path}: no such file")
    with path.open(encoding="utf-8-sig", newline="\n") as f:
        for number, line in enumerate(f, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                raise RecipeError(f"{path} line {number}: expected 'english<TAB>target', got {len(cols)} column")
            yield cols[0], cols[1]


def _builder_dataset(src: DataSource, lang: str, cache: Path) -> Any:
    from ..builders import CCAligned, Conll5, MasakhaNER2, Xtreme40

    cls = {"conll5": Conll5, "xtreme40": Xtreme40, "masakhaner2": MasakhaNER2, "ccaligned": CCAligned}[
        src.builder or ""
    ]
    config = src.config_for(lang) or (f"sentences-{lang}" if src.builder == "ccaligned" else lang)
    builder = cls(config_name=config, data_dir=src.data_dir, cache_dir=str(cache), **src.options)
    builder.download_and_prepare()
    return builder.as_dataset(split=src.split or "train")


def _hub_dataset(src: DataSource, lang: str) -> Any:
    from datasets import load_dataset

    return load_dataset(src.hub, src.config_for(lang), split=src.split or "train", **src.options)
