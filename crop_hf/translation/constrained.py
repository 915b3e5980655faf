"""Constrained labeled back-translation: the LST model places the slot markers into the raw sentence itself.

:class:`ConstrainedLabeler` runs ``generate`` (beam search) with a logits processor that allows, at every step, only
what :class:`~crop_hf.core.placement.PlacementAutomaton` allows after the prefix: the raw sentence's own characters, in
order, in any of the tokenizer's pieces, and the open and close marker of each English entity once each, at token
boundaries. Of the beams that come back it keeps the best one that places every slot, and scores each slot
(:func:`slot_scores`) by the model's (unconstrained) probabilities, as the processor saw them during the search: of the
tokens that inserted its two markers (a marker, and the lone ``▁`` a SentencePiece model with the markers as
user-defined symbols writes before it), and of the raw words it wraps. A slot the model would rather not have put
there, or around words it does not take for the entity's translation, scores low;
:class:`~crop_hf.projection.projection_options.ProjectionOptions`' ``min_slot_score`` drops such sentences.

It always runs on the transformers weights of the LST model, whatever the pipeline's backend: CTranslate2 has no hook
that masks the next token by a function of the prefix (``benchmarks/bench_decoding.py`` measures what that costs
against free decoding on either backend).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.placement import PlacementAutomaton, TokenTable, insertion_tokens
from ..core.slots import DEFAULT_MAX_SLOTS, join_tokens, wrap_tokens
from .base import Translator, pad_batch

DEFAULT_CONSTRAINED_BEAMS = 2  # on the demo 2 beams placed as well as 4 (F1 within 0.02), 1 beam 0.01-0.17 worse


@dataclass
class SlotPlacement:
    """Where the slots of one sentence went: ``spans[i]`` = raw-token span ``[start, end)`` of slot ``i``,
    ``scores[i]`` its score (0-1), ``text`` the constrained labeled back-translation: the raw words with the markers
    in place, written as the LST model was trained to write them."""

    spans: list[tuple[int, int]]
    scores: list[float]
    text: str
    anchored: list[bool]  # slot i's span was pinned in advance (see place())


class ConstrainedLabeler(Translator):
    """Place the slots of wrapped English sentences into raw target sentences with an LST model: a
    :class:`~crop_hf.translation.base.Translator` (its encoding, language codes, input limit and batches) whose
    :meth:`place` searches under the placement constraints instead of translating freely.

    Args:
        model: the LST model (transformers).
        tokenizer: its tokenizer (the markers are single tokens of it).
        num_beams: beams of the constrained search.
        batch_size: sentences per ``generate`` call.
    """

    def __init__(
        self, model: Any, tokenizer: Any, num_beams: int = DEFAULT_CONSTRAINED_BEAMS, batch_size: int = 32
    ) -> None:
        super().__init__(model, tokenizer, batch_size=batch_size, num_beams=num_beams)
        self.table = TokenTable.from_tokenizer(tokenizer, _marker_count(tokenizer))

    def place(
        self,
        english: Sequence[str],
        raw_words: Sequence[Sequence[str]],
        n_slots: Sequence[int],
        tgt_lang: str,
        char_level: bool = False,
        anchors: Sequence[Mapping[int, tuple[int, int]]] | None = None,
        capitalized: Sequence[Collection[int]] | None = None,
    ) -> list[SlotPlacement | None]:
        """For each wrapped English sentence, its slots placed into the raw words of ``tgt_lang`` (None: the slots
        cannot be placed, or the input is longer than the model accepts). ``anchors``: per sentence, slots whose
        span is known in advance (slot id -> ``(start, end)``), which the search keeps; ``capitalized``: per
        sentence, slots whose English entity starts with a capital letter (see
        :class:`~crop_hf.core.placement.PlacementAutomaton`)."""
        pins = list(anchors) if anchors is not None else [{} for _ in english]
        capitals = list(capitalized) if capitalized is not None else [() for _ in english]
        automata = [PlacementAutomaton(w, n, self.table, char_level, pin, caps)
                    for w, n, pin, caps in zip(raw_words, n_slots, pins, capitals)]  # fmt: skip
        self._set_languages("en")
        encoded = [self.tokenizer(t, add_special_tokens=True)["input_ids"] for t in english]
        limit = self.input_limit
        todo = [i for i in range(len(english)) if automata[i].feasible and len(encoded[i]) <= limit]
        todo.sort(key=lambda i: -len(encoded[i]))
        results: list[SlotPlacement | None] = [None] * len(english)
        size = self.settings.batch_size
        for k in range(0, len(todo), size):
            batch = todo[k : k + size]
            for i, placed in zip(batch, self._place_batch([encoded[i] for i in batch], [automata[i] for i in batch],
                                                          tgt_lang)):  # fmt: skip
                if placed is not None:
                    spans, scores = placed
                    text = join_tokens(wrap_tokens(raw_words[i], spans, len(spans)), char_level)
                    results[i] = SlotPlacement(spans, scores, text, [k in pins[i] for k in range(len(spans))])
        return results

    # ------------------------------------------------------------------ one batch

    def _place_batch(
        self, inputs: list[list[int]], automata: list[PlacementAutomaton], tgt_lang: str
    ) -> list[tuple[list[tuple[int, int]], list[float]] | None]:
        import torch
        from transformers import LogitsProcessorList

        model = self.model
        beams = max(1, self.settings.num_beams or 1)
        ids, mask = pad_batch(inputs, self.tokenizer.pad_token_id)
        device = next(model.parameters()).device
        header = [int(model.generation_config.decoder_start_token_id or model.config.decoder_start_token_id)]
        forced = self._target_lang_id(tgt_lang)
        if forced is not None:
            header.append(int(forced))
        processor = _PlacementProcessor(automata, beams, header, self.table.eos_id)
        longest = max(len(a.text) + 4 * a.n_slots + 4 for a in automata)
        model.eval()
        with torch.no_grad():
            out = model.generate(
                input_ids=ids.to(device), attention_mask=mask.to(device), num_beams=beams,
                num_return_sequences=beams, max_new_tokens=longest + len(header), do_sample=False,
                logits_processor=LogitsProcessorList([processor]), length_penalty=1.0, early_stopping=True,
                **self._generate_kwargs(tgt_lang),
            )  # fmt: skip
        rows = out.tolist()
        chosen: list[tuple[list[int], list[tuple[int, int]]] | None] = []
        for i, automaton in enumerate(automata):
            pick = None
            for row in rows[i * beams : (i + 1) * beams]:
                body = _body(row, len(header), self.table.eos_id)
                spans = automaton.placement(body)
                if spans is not None:
                    pick = (body, spans)
                    break
            chosen.append(pick)
        return [None if c is None else (c[1], self._scores(processor, i, c[0])) for i, c in enumerate(chosen)]

    def _scores(self, processor: _PlacementProcessor, i: int, body: list[int]) -> list[float]:
        return slot_scores(body, self.table, lambda p: processor.logprob(i, body[:p], body[p]))


def slot_scores(body: Sequence[int], table: TokenTable, logprob: Callable[[int], float]) -> list[float]:
    """Each slot's score in ``body`` (a constrained output's tokens, header left out), in slot order: the lower of two
    geometric means of the model's probabilities (``logprob(position)``, as generation saw them): of the tokens that
    wrote the slot's two markers (does the model want a slot here?) and of the raw tokens between them (does it
    take these words for the English entity's translation?). The second one catches a slot forced onto words that
    translate something else: a pronoun where the English (a machine translation) has a name, a name the English
    got wrong."""
    marker_slot = {token_id: slot for slot, token_id in enumerate(table.markers)}
    inserted = insertion_tokens(body, table)
    writing = {p for positions in inserted.values() for p in positions}
    markers: dict[int, list[float]] = {}
    inside: dict[int, list[float]] = {}
    opened: dict[int, int] = {}
    for position in sorted(inserted):
        slot = marker_slot[body[position]]
        markers.setdefault(slot, []).extend(logprob(p) for p in inserted[position])
        if slot in opened:
            words = range(opened.pop(slot) + 1, inserted[position][0])
            inside[slot] = [logprob(p) for p in words if p not in writing]
        else:
            opened[slot] = position

    def mean(logprobs: list[float]) -> float:
        return math.exp(sum(logprobs) / len(logprobs)) if logprobs else 1.0

    return [round(min(mean(markers[slot]), mean(inside.get(slot, []))), 4) for slot in sorted(markers)]


class _PlacementProcessor:
    """A logits processor: -inf for every token the automaton of the row's sentence does not allow after its prefix,
    and the allowed ones' log-probabilities conditioned on not writing a refused marker.

    Beam search adds the processed log-probabilities up, so without the conditioning a path pays for every step
    where the model would have written a marker the sentence has no use for (``__SLOT1__`` after the one slot was
    closed): ``__SLOT0__ 世界银行 __SLOT0__ 的股价...`` lost to ``世界银行 __SLOT0__ 的股价 __SLOT0__`` on the demo's
    Chinese, whose LST model wanted a second slot there. Renormalising over all allowed tokens instead also
    forgave the steps where the model would rather write other words, and placed worse in German, Dutch and
    Russian (docs/decoding.md).

    The decoder's prefix starts with ``header`` (the decoder start token and the forced target-language code); the
    automaton reads what follows. States are cached per sentence by prefix, so each step costs one transition; the
    model's log-probabilities of the allowed tokens are kept beside them (:meth:`logprob`), so that scoring the
    chosen output needs no second pass of the model.
    """

    def __init__(self, automata: list[PlacementAutomaton], beams: int, header: list[int], eos_id: int) -> None:
        self.automata, self.beams, self.header, self.eos_id = automata, beams, header, eos_id
        table = automata[0].table
        self.marker_like = [*table.markers, *([table.pieces[" "]] if " " in table.pieces else [])]
        self.cache: list[dict[tuple[int, ...], frozenset]] = [{(): a.start} for a in automata]
        self.seen: list[dict[tuple[int, ...], dict[int, float]]] = [{} for _ in automata]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        allowed_mask = torch.full_like(scores, -math.inf)
        logprobs = torch.log_softmax(scores.float(), dim=-1)  # beam search passes log-probs already: unchanged
        width = len(self.header)
        for row, prefix in enumerate(input_ids.tolist()):
            i = row // self.beams
            if len(prefix) < width:  # the header is still being written
                allowed: list[int] = [self.header[len(prefix)]]
            else:
                body = tuple(prefix[width:])
                states = self._states(i, body)
                allowed = sorted(self.automata[i].allowed(states)) if states else []
                allowed = allowed or [self.eos_id]
                if body not in self.seen[i]:
                    self.seen[i][body] = dict(zip(allowed, logprobs[row, allowed].tolist()))
            allowed_mask[row, allowed] = 0.0
        # condition on not writing the markers the automaton refuses here (a slot the sentence does not have, one
        # already placed, or the lone space written before a marker): the model's wish for one is no evidence against
        # the raw words, while the mass it gives to words other than the raw ones still counts against the path
        marker_like = self.marker_like
        refused = torch.where(allowed_mask[:, marker_like] < 0, logprobs[:, marker_like].exp(), 0.0).sum(-1)
        kept_mass = torch.log1p(-refused.clamp(max=1.0 - 1e-6)).unsqueeze(-1)
        return (scores.float() + allowed_mask - kept_mass).to(scores.dtype)

    def logprob(self, i: int, body: Sequence[int], token_id: int) -> float:
        """The model's log-probability of ``token_id`` after ``body`` in sentence ``i``, as generation saw it."""
        return self.seen[i][tuple(body)][token_id]

    def _states(self, i: int, body: tuple[int, ...]) -> frozenset:
        cache = self.cache[i]
        if body in cache:
            return cache[body]
        before = self._states(i, body[:-1]) if body[:-1] not in cache else cache[body[:-1]]
        states = self.automata[i].step(before, body[-1]) if before else frozenset()
        cache[body] = states
        return states


def _body(row: Sequence[int], header: int, eos_id: int) -> list[int]:
    """The generated tokens after the header, up to (not with) the end-of-sequence token."""
    body = list(row[header:])
    return body[: body.index(eos_id)] if eos_id in body else body


def _marker_count(tokenizer: Any) -> int:
    """How many slot markers (``__SLOT0__``, ``__SLOT1__``, ...) are single tokens of ``tokenizer``."""
    from ..core.slots import slot_marker

    unk = tokenizer.unk_token_id
    count = 0
    while count < DEFAULT_MAX_SLOTS and tokenizer.convert_tokens_to_ids(slot_marker(count)) not in (None, unk):
        count += 1
    return count
