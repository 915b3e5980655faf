"""One projection result as the app shows it: each stage as a highlighted text, the entities as a table.

Plain functions from a pipeline result (or a shard row, which has the same keys) to the values gradio's
``HighlightedText`` takes (``{"text": ..., "entities": [{"entity", "start", "end"}]}``), so they are tested without
gradio. A result from ``pipeline(..., return_stages=True)`` also has the English words and their NER tags; a shard row
has only the English sentence, shown without highlights.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.slots import parse_slots
from ..core.tagging import tags_to_spans

ENTITY_HEADERS = ["word", "type", "method", "score", "start", "end"]
_BRACKETED = re.compile(r"\[([A-Z][A-Za-z0-9_-]*)\s+([^\[\]]+?)\]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def md_text(text: Any) -> str:
    """``text`` from data (a sentence, a detail, a recipe name) as Markdown that shows it literally: every Markdown
    and HTML character escaped, so that an image, a link or a tag in the data is shown, never fetched or followed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def status_markdown(result: Mapping[str, Any]) -> str:
    """One line: kept with its entity count, or the discard reason and its detail."""
    lang = md_text(result.get("lang"))
    if result.get("kept"):
        n = len(result.get("entities") or [])
        return f"**kept** ({lang}): {n} entit{'y' if n == 1 else 'ies'} in the raw sentence"
    detail = f": {md_text(result['detail'])}" if result.get("detail") else ""
    return f"**discarded** ({lang}), reason **{md_text(result.get('reason'))}**{detail}"


def english_view(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The English sentence with the English NER model's entities (when the result carries its stages)."""
    stages = result.get("stages") or {}
    tokens, tags = stages.get("english_tokens"), stages.get("english_tags")
    if tokens is None or tags is None:
        return None if result.get("english") is None else {"text": result["english"], "entities": []}
    return tokens_view(tokens, [(s.start, s.end, s.label) for s in tags_to_spans(tags)])


def slots_view(result: Mapping[str, Any]) -> dict[str, Any] | None:
    """The labeled back-translation, markers removed, each slot highlighted as ``TYPE (slot i)``."""
    output = result.get("labeled_translation")
    if output is None:
        return None
    labels = _english_labels(result)
    parsed = parse_slots(output)
    spans = []
    for span in parsed.spans:
        label = labels.get(span.slot_id)
        spans.append((span.start, span.end, f"{label} (slot {span.slot_id})" if label else f"slot {span.slot_id}"))
    return tokens_view(parsed.tokens, spans)


def raw_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """The raw sentence with the entities found in it, at the result's own character offsets."""
    entities = [{"entity": e["entity_group"], "start": e["start"], "end": e["end"]}
                for e in result.get("entities") or []]  # fmt: skip
    return {"text": result.get("text") or "", "entities": entities}


def entity_rows(result: Mapping[str, Any]) -> list[list[Any]]:
    """[word, type, method, score, start, end] per entity of the raw sentence."""
    return [[e["word"], e["entity_group"], e["method"], e["score"], e["start"], e["end"]]
            for e in result.get("entities") or []]  # fmt: skip


def tokens_view(tokens: Sequence[str], spans: Sequence[tuple[int, int, str]]) -> dict[str, Any]:
    """Words joined by spaces, with token spans ``(start, end, label)`` turned into character spans."""
    starts, pos = [], 0
    for token in tokens:
        starts.append(pos)
        pos += len(token) + 1
    entities = [{"entity": label, "start": starts[a], "end": starts[b - 1] + len(tokens[b - 1])}
                for a, b, label in spans if 0 <= a < b <= len(tokens)]  # fmt: skip
    return {"text": " ".join(tokens), "entities": entities}


def parse_bracketed(text: str) -> dict[str, list[str]]:
    """An English example for translate-train, typed as ``[PER Ana Ruiz] works in [LOC Madrid] .``.

    Words outside brackets are ``O``; each bracket is ``[TYPE words]``. Raises ``ValueError`` on an unclosed bracket.
    """
    tokens: list[str] = []
    tags: list[str] = []
    pos = 0
    for match in _BRACKETED.finditer(text):
        _plain(text[pos : match.start()], tokens, tags)
        words = match.group(2).split()
        tokens.extend(words)
        tags.extend([f"B-{match.group(1)}"] + [f"I-{match.group(1)}"] * (len(words) - 1))
        pos = match.end()
    _plain(text[pos:], tokens, tags)
    return {"tokens": tokens, "tags": tags}


def _plain(text: str, tokens: list[str], tags: list[str]) -> None:
    if "[" in text or "]" in text:
        raise ValueError(f"{text.strip()!r}: write an entity as [TYPE words], e.g. [PER Ana Ruiz]")
    words = text.split()
    tokens.extend(words)
    tags.extend(["O"] * len(words))


def _english_labels(result: Mapping[str, Any]) -> dict[int, str]:
    """Slot id -> entity type: slot *i* wraps the *i*-th English entity (known when the result has its stages)."""
    tags = (result.get("stages") or {}).get("english_tags")
    return {i: span.label for i, span in enumerate(tags_to_spans(tags))} if tags else {}
