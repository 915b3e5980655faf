"""NER data for token classifiers: words and BIO tags in, model inputs out, and word-level predictions back.

- :class:`NerExample` is one sentence: ``tokens``, ``tags`` (``None`` for unlabelled sentences), ``lang``, ``id``.
- :func:`encode_examples` aligns tags with sub-words through ``word_ids``: the first sub-word of a word carries
  the word's label id, the other sub-words and the special tokens carry -100 (ignored by the loss).
- Long sentences are never truncated: :func:`windows` cuts a sentence into consecutive word ranges whose
  sub-words fit ``max_length``, each window becomes one model input, and :func:`merge_windows` puts the
  per-window word predictions back together into one list for the whole sentence.
- :func:`predict` / :func:`predict_tags` label words with a model (first sub-word's prediction, windows merged).

Works with any fast tokenizer (``word_ids`` is needed) and any :class:`~crop_hf.core.tagging.LabelScheme`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..base.errors import InputError
from ..core.bio_decoding import is_bio_label_set, viterbi_bio
from ..core.examples import NerExample, WordPrediction  # noqa: F401  (part of this module's interface)
from ..core.tagging import LabelScheme

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100
DEFAULT_MAX_LENGTH = 128
T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """Words ``[start, end)`` of sentence ``row``: one model input."""

    row: int
    start: int
    end: int


@dataclass
class EncodedExamples:
    """Model inputs (``input_ids``, ``attention_mask``, ``labels`` when tagged), one per window."""

    features: list[dict[str, list[int]]]
    windows: list[Window]
    word_ids: list[list[int | None]]
    n_rows: int


def validate_examples(
    examples: Sequence[NerExample], scheme: LabelScheme, split: str = "train", labelled: bool = True
) -> None:
    """Raise ``ValueError`` naming the split and row of the first bad example.

    Checks: the split is not empty, every sentence has words and none is empty, and (when ``labelled``) there is
    one tag per word and every tag belongs to ``scheme``.
    """
    if not examples:
        raise InputError(f"{split}: no examples; pass at least one sentence (check the file, filters and --langs)")
    for i, ex in enumerate(examples):
        where = f"{split} row {i}" + (f" (id {ex.id!r})" if ex.id else "")
        if not ex.tokens:
            raise InputError(f"{where}: the sentence has no tokens; drop it or give it words")
        empty = [j for j, tok in enumerate(ex.tokens) if not isinstance(tok, str) or not tok.strip()]
        if empty:
            raise InputError(f"{where}: token {empty[0]} is empty or whitespace; tokens must be words")
        if not labelled:
            continue
        if ex.tags is None:
            raise InputError(f"{where}: no tags; labelled data needs one tag per token")
        if len(ex.tags) != len(ex.tokens):
            raise InputError(f"{where}: {len(ex.tags)} tags for {len(ex.tokens)} tokens; give one tag per token")
        scheme.validate(ex.tags, where=where)


def align_labels(word_ids: Sequence[int | None], word_labels: Sequence[int]) -> list[int]:
    """Label ids per sub-word: the first sub-word of word ``w`` gets ``word_labels[w]``, the rest -100."""
    labels: list[int] = []
    previous = None
    for word in word_ids:
        labels.append(IGNORE_INDEX if word is None or word == previous else word_labels[word])
        previous = word
    return labels


def word_windows(subword_counts: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """Cut words into consecutive ranges whose sub-word counts sum to at most ``budget``.

    A single word longer than ``budget`` gets a window of its own (its first sub-word, which carries its label,
    is kept; the model input cuts the word's tail). An empty sentence has no window.
    """
    if budget < 1:
        raise ValueError(f"the window budget must be >= 1 sub-word, got {budget}")
    spans: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, count in enumerate(subword_counts):
        if i > start and used + count > budget:
            spans.append((start, i))
            start, used = i, 0
        used += count
    if len(subword_counts) > start:
        spans.append((start, len(subword_counts)))
    return spans


def windows(tokens: Sequence[str], tokenizer: Any, max_length: int = DEFAULT_MAX_LENGTH) -> list[tuple[int, int]]:
    """Word ranges of ``tokens`` whose sub-words, with the special tokens, fit ``max_length``."""
    counts = _subword_counts(tokenizer, [list(tokens)])[0]
    return word_windows(counts, _budget(tokenizer, max_length))


def merge_windows(windows_: Sequence[Window], per_window: Sequence[Sequence[T]], n_rows: int) -> list[list[T]]:
    """Put per-window word values back into one list per sentence (windows are in sentence order)."""
    if len(windows_) != len(per_window):
        raise ValueError(f"{len(windows_)} windows but {len(per_window)} window predictions")
    merged: list[list[T]] = [[] for _ in range(n_rows)]
    for window, values in zip(windows_, per_window):
        if len(values) != window.end - window.start:
            raise ValueError(f"window {window} has {window.end - window.start} words but {len(values)} predictions")
        if len(merged[window.row]) != window.start:
            raise ValueError(f"window {window} is out of order (sentence has {len(merged[window.row])} words so far)")
        merged[window.row].extend(values)
    return merged


def encode_examples(
    examples: Sequence[NerExample],
    tokenizer: Any,
    scheme: LabelScheme | None = None,
    max_length: int = DEFAULT_MAX_LENGTH,
) -> EncodedExamples:
    """Tokenize words (``is_split_into_words``), one feature per window; ``labels`` when ``scheme`` is given."""
    if scheme is not None:
        validate_examples(examples, scheme, "encode")
    label2id = scheme.label2id if scheme is not None else None
    words = [list(ex.tokens) for ex in examples]
    budget = _budget(tokenizer, max_length)
    all_windows: list[Window] = []
    for row, counts in enumerate(_subword_counts(tokenizer, words)):
        for start, end in word_windows(counts, budget):
            all_windows.append(Window(row, start, end))
    features: list[dict[str, list[int]]] = []
    word_ids: list[list[int | None]] = []
    long_rows = len({a.row for a, b in zip(all_windows, all_windows[1:]) if a.row == b.row})
    if long_rows:
        logger.info("%d sentence(s) longer than %d sub-words were split into windows of words", long_rows, max_length)
    for start in range(0, len(all_windows), 1000):
        chunk = all_windows[start : start + 1000]
        enc = tokenizer(
            [words[w.row][w.start : w.end] for w in chunk],
            is_split_into_words=True,
            truncation=True,
            max_length=max_length,
        )
        for i, w in enumerate(chunk):
            feature = {"input_ids": enc["input_ids"][i], "attention_mask": enc["attention_mask"][i]}
            word_ids.append(enc.word_ids(i))
            if label2id is not None:
                tags = examples[w.row].tags or []
                feature["labels"] = align_labels(word_ids[-1], [label2id[t] for t in tags[w.start : w.end]])
            features.append(feature)
    return EncodedExamples(features, all_windows, word_ids, len(examples))


def predict(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    batch_size: int = 32,
    max_length: int = DEFAULT_MAX_LENGTH,
    valid_bio: bool = True,
) -> list[WordPrediction]:
    """Tag each word from the probabilities at its first sub-word; long sentences go through windows and merge back.

    With ``valid_bio`` (and a model whose labels are BIO) the tags are the most probable valid BIO sequence
    (:func:`~crop_hf.core.bio_decoding.viterbi_bio`: no ``I-ORG`` right after ``B-PER``); otherwise each word's
    most probable tag. A word's score is its tag's probability. A word the tokenizer turns into no sub-word at all
    gets ``O`` with score 1.0; an empty sentence gets ``[]``.
    """
    import torch
    from transformers import DataCollatorWithPadding

    examples = [NerExample(list(s)) for s in sentences]
    encoded = encode_examples(examples, tokenizer, None, min(max_length, model_max_length(model.config)))
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    labels = [id2label[i] for i in range(len(id2label))]
    valid_bio = valid_bio and is_bio_label_set(labels)
    collate = DataCollatorWithPadding(tokenizer)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    order = sorted(range(len(encoded.features)), key=lambda i: len(encoded.features[i]["input_ids"]))
    per_window: list[WordPrediction | None] = [None] * len(order)
    for start in range(0, len(order), batch_size):
        batch_ids = order[start : start + batch_size]
        batch = collate([encoded.features[i] for i in batch_ids])
        with torch.no_grad():
            logits = model(**{k: v.to(device) for k, v in batch.items()}).logits
        probs = logits.float().softmax(-1).tolist()
        for b, i in enumerate(batch_ids):
            w = encoded.windows[i]
            firsts = _first_subwords(encoded.word_ids[i])
            word_probs = [probs[b][pos] for pos in firsts.values()]
            if valid_bio:
                best = viterbi_bio(word_probs, labels)  # each window on its own, as it was encoded
            else:
                best = [max(range(len(labels)), key=p.__getitem__) for p in word_probs]
            tags, scores = ["O"] * (w.end - w.start), [1.0] * (w.end - w.start)
            for word, label_id, p in zip(firsts, best, word_probs):
                tags[word], scores[word] = labels[label_id], p[label_id]
            per_window[i] = WordPrediction(tags, scores)
    model.train(was_training)
    done = [p for p in per_window if p is not None]  # every window was predicted above
    merged_tags = merge_windows(encoded.windows, [p.tags for p in done], len(examples))
    merged_scores = merge_windows(encoded.windows, [p.scores for p in done], len(examples))
    return [WordPrediction(t, s) for t, s in zip(merged_tags, merged_scores)]


def predict_tags(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    batch_size: int = 32,
    max_length: int = DEFAULT_MAX_LENGTH,
    valid_bio: bool = True,
) -> list[list[str]]:
    """One tag per word of each sentence (see :func:`predict`)."""
    return [p.tags for p in predict(model, tokenizer, sentences, batch_size, max_length, valid_bio)]


def _first_subwords(word_ids: Sequence[int | None]) -> dict[int, int]:
    """Each word's first sub-word position, in word order."""
    firsts: dict[int, int] = {}
    for pos, word in enumerate(word_ids):
        if word is not None and word not in firsts:
            firsts[word] = pos
    return firsts


def model_max_length(config: Any) -> int:
    """Longest input the encoder's position embeddings allow (RoBERTa-style models offset positions by 2)."""
    positions = getattr(config, "max_position_embeddings", None) or 10**9
    model_type = str(getattr(config, "model_type", ""))
    roberta_like = "roberta" in model_type or model_type == "camembert"
    return positions - 2 if roberta_like else positions


def predict_sharded(
    model: Any,
    tokenizer: Any,
    sentences: Sequence[Sequence[str]],
    batch_size: int = 32,
    max_length: int = DEFAULT_MAX_LENGTH,
    autocast: str | None = None,
) -> list[WordPrediction]:
    """:func:`predict` under ``accelerate launch``: each process tags its share, every process gets the whole list.

    ``autocast`` (``"bf16"``/``"fp16"``) runs the forward passes in that precision on CUDA.
    """
    import torch
    from accelerate import PartialState
    from accelerate.utils import gather_object

    state = PartialState()
    mine = list(range(state.process_index, len(sentences), state.num_processes))
    device_type = next(model.parameters()).device.type
    dtype = torch.bfloat16 if autocast == "bf16" else torch.float16
    with torch.autocast(device_type, dtype=dtype, enabled=autocast is not None and device_type == "cuda"):
        preds = predict(model, tokenizer, [sentences[i] for i in mine], batch_size, max_length)
    if state.num_processes == 1:
        return preds
    gathered = sorted(gather_object(list(zip(mine, preds))), key=lambda pair: pair[0])
    return [pred for _, pred in gathered]


def read_examples(path: str | Path, default_lang: str = "en") -> list[NerExample]:
    """Read NER rows from JSONL or Parquet (columns ``tokens``, ``tags``; optional ``lang``, ``id``).

    JSONL lines end at ``\n`` only (a ``\r\n`` ending is stripped, other line separators stay inside their
    string), a UTF-8 byte-order mark is dropped, blank lines are skipped, and a line that is not a JSON object is
    an error naming the file and line.
    """
    path = Path(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        rows: Iterable[dict[str, Any]] = pq.read_table(path).to_pylist()
    elif path.suffix in (".jsonl", ".json"):
        rows = list(_jsonl_rows(path))
    else:
        raise InputError(f"{path}: unknown format {path.suffix!r}; give a .jsonl or .parquet file")
    return examples_from_rows(rows, default_lang, str(path))


def examples_from_rows(
    rows: Iterable[dict[str, Any]], default_lang: str = "en", source: str = "rows"
) -> list[NerExample]:
    """NerExamples from dict rows (``tokens`` required; ``tags``, ``lang``, ``id``, ``expected_entities`` optional)."""
    out: list[NerExample] = []
    for i, row in enumerate(rows):
        if "tokens" not in row:
            raise InputError(f"{source} row {i}: no 'tokens' column (columns: {sorted(row)})")
        out.append(
            NerExample(
                tokens=list(row["tokens"]),
                tags=list(row["tags"]) if row.get("tags") is not None else None,
                lang=row.get("lang") or default_lang,
                id=str(row.get("id") or f"{source}-{i}"),
                expected_entities=row.get("expected_entities"),
            )
        )
    return out


def write_examples(examples: Iterable[NerExample], path: str | Path) -> Path:
    """Write NerExamples as JSONL (the format :func:`read_examples` reads)."""
    from ..base.resumable import atomic_text

    path = Path(path)
    with atomic_text(path) as f:
        for ex in examples:
            f.write(json.dumps(ex.to_dict(), ensure_ascii=False) + "\n")
    return path


# ----------------------------------------------------------------------------------------------------------
# helpers


def _jsonl_rows(path: Path) -> Iterable[dict[str, Any]]:
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8").removesuffix("\n").removesuffix("\r")
            except UnicodeDecodeError as err:
                raise InputError(f"{path.name} line {number}: not valid UTF-8 at byte {err.start}") from None
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as err:
                raise InputError(f"{path.name} line {number}: invalid JSON ({err})") from None
            if not isinstance(row, dict):
                raise InputError(f"{path.name} line {number}: expected a JSON object, got {type(row).__name__}")
            yield row


def _budget(tokenizer: Any, max_length: int) -> int:
    limit = min(max_length, getattr(tokenizer, "model_max_length", max_length) or max_length)
    return limit - tokenizer.num_special_tokens_to_add(pair=False)


def _subword_counts(tokenizer: Any, words: Sequence[list[str]]) -> list[list[int]]:
    """Sub-words per word for each sentence (no truncation)."""
    if not getattr(tokenizer, "is_fast", False):
        raise ValueError(f"{type(tokenizer).__name__} is a slow tokenizer; NER alignment needs word_ids (a fast one)")
    counts: list[list[int]] = []
    for start in range(0, len(words), 1000):
        chunk = words[start : start + 1000]
        enc = tokenizer(chunk, is_split_into_words=True, add_special_tokens=False, truncation=False)
        for i, sentence in enumerate(chunk):
            row = [0] * len(sentence)
            for word in enc.word_ids(i):
                if word is not None:
                    row[word] += 1
            counts.append(row)
    return counts
