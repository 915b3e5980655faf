"""Where the slot markers may go when the labeled back-translation must write the raw sentence itself.

Free labeled back-translation (the paper's) lets the LST model write any sentence; matching then looks for each
slotted phrase in the raw sentence and fails whenever the model rewrote it (``Alemania`` -> ``Germany``).
Constrained decoding (as CODEC does for marker-based projection, Le et al., ICLR 2024) lets the decoder write only
the raw sentence's own tokens, in order, plus the open and close marker of every English entity, each exactly once,
at token boundaries; beam search over the LST model's scores picks where the markers go, and the entities are the raw
tokens between them: nothing is left to match.

This module is the model-free half: :class:`PlacementAutomaton` is a small nondeterministic automaton over the
*characters* of the raw sentence as the LST model was trained to write it (``join_tokens``: spaces between words, none
between the characters of a character-level script, markers always standing apart). Working on characters rather
than on one tokenisation makes it independent of how the tokenizer cuts the sentence: a SentencePiece model that
holds the markers as user-defined symbols writes ``▁ __SLOT0__ ▁Juan``, one that has them as added tokens writes
``__SLOT0__ ▁Juan``, and a word may come as ``▁en`` or as ``▁`` + ``en``; every way is allowed and the model's scores
choose. :meth:`PlacementAutomaton.allowed` gives the token ids allowed after a prefix, :meth:`PlacementAutomaton.step`
advances, and :meth:`PlacementAutomaton.placement` reads the slot spans (in raw-token indices) off a finished output.

The rules, beyond "the raw sentence in order": a slot opens before and closes after a whole raw token; a slot holds at
least one token; slots neither nest nor cross; a slot never starts or ends with a token that is only punctuation (the
model's habit of closing after the final period) or, in a language written with spaces, with a lowercase word of one
or two letters (the prepositions and articles a weak model pulls in: ``en``, ``в``, ``de``, ``la``; inside an entity
they stay, as in ``Banco de España``); a slot whose English entity starts with a capital letter does not start on
a word that starts with a lowercase one (``van Rode Kruis`` for ``Red Cross``; ``van der Heijden Media`` stays
possible when the English is ``van der Heijden Media`` too); and no prefix is allowed from which the remaining slots can no
longer fit, so every beam can finish. ``anchors`` pin a slot to a span known in advance (the pipeline pins an entity
whose English words stand verbatim in the raw sentence, a name copied through translation): the model then places
only the others, around it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .slots import slot_markers
from .text import is_punctuation

NORMAL, PRE, POST = 0, 1, 2  # reading the sentence; a space written before a marker; a marker written, space due


class _State(NamedTuple):
    """A position in the sentence's characters, the mode, and the markers placed so far.

    ``spans``: per slot id placed, ``(slot_id, start_gap, end_gap)`` with ``end_gap`` -1 while the slot is open.
    """

    pos: int
    mode: int
    spans: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class TokenTable:
    """What the automaton needs to know of a tokenizer: the text of each ordinary piece (``▁`` as a space), the id of
    each slot marker, the unknown id and the end-of-sequence id; ``chars``, the characters that are pieces alone (any
    other is written as the unknown token, so that every sentence can be spelt)."""

    pieces: Mapping[str, int]
    markers: tuple[int, ...]
    eos_id: int
    unk_id: int | None
    longest: int
    chars: frozenset[str]

    @classmethod
    def from_tokenizer(cls, tokenizer: object, max_slots: int) -> TokenTable:
        """The table of a Hugging Face tokenizer (SentencePiece pieces; special tokens, language codes and added
        tokens are not pieces)."""
        vocab: dict[str, int] = dict(tokenizer.get_vocab())  # type: ignore[attr-defined]
        special = set(getattr(tokenizer, "all_special_ids", []))
        special |= set((getattr(tokenizer, "lang_code_to_id", {}) or {}).values())
        special |= set(getattr(tokenizer, "added_tokens_encoder", {}).values())
        markers = tuple(int(tokenizer.convert_tokens_to_ids(m)) for m in slot_markers(max_slots))  # type: ignore
        special |= set(markers)
        return cls.from_vocab(vocab, markers, tokenizer.eos_token_id, tokenizer.unk_token_id, special)  # type: ignore

    @classmethod
    def from_vocab(
        cls,
        vocab: Mapping[str, int],
        markers: Sequence[int],
        eos_id: int,
        unk_id: int | None,
        skip: Iterable[int] = (),
    ) -> TokenTable:
        """A table from ``piece -> id`` (``▁`` for a space); ids in ``skip`` are not pieces."""
        skipped = set(skip) | set(markers) | {eos_id, unk_id}
        pieces: dict[str, int] = {}
        for piece, token_id in vocab.items():
            if token_id in skipped or not piece:
                continue
            pieces.setdefault(unicodedata.normalize("NFKC", piece.replace("▁", " ")), int(token_id))
        longest = max((len(p) for p in pieces), default=1)
        chars = frozenset(p for p in pieces if len(p) == 1)  # what is not a piece alone is written as unknown
        return cls(pieces, tuple(markers), int(eos_id), None if unk_id is None else int(unk_id), longest, chars)


class PlacementAutomaton:
    """The outputs allowed when ``n_slots`` entity slots are placed into the raw sentence ``words``.

    Args:
        words: the raw sentence's tokens (:func:`~crop_hf.core.text.split_tokens`), in order.
        n_slots: how many slots (the English entities) must be placed, each exactly once.
        table: the tokenizer's :class:`TokenTable`.
        char_level: the language is written without spaces (its tokens are joined with none).
        anchors: slot id -> the word span ``[start, end)`` that slot must take.
        capitalized: slot ids whose English entity starts with a capital letter: such a slot does not start on a
            word that starts with a lowercase letter (``van Rode Kruis`` for ``Red Cross``, ``hoofdkantoor`` for
            ``United Nations``); a sentence with fewer such words than such slots is not :attr:`feasible`.
    """

    def __init__(
        self,
        words: Sequence[str],
        n_slots: int,
        table: TokenTable,
        char_level: bool = False,
        anchors: Mapping[int, tuple[int, int]] | None = None,
        capitalized: Collection[int] = (),
    ) -> None:
        if not words:
            raise ValueError("no words to place slots in")
        if n_slots > len(table.markers):
            raise ValueError(f"{n_slots} slots but the tokenizer has {len(table.markers)} slot markers")
        self.words = [unicodedata.normalize("NFKC", w) for w in words]
        self.n_slots = n_slots
        self.table = table
        # the sentence as the LST model writes it: a leading space (SentencePiece's dummy prefix), then the words
        text, gaps = " ", [0]
        for k, word in enumerate(self.words):
            if k:
                gaps.append(len(text))
                text += "" if char_level else " "
            text += word
        gaps.append(len(text))
        self.text = text
        self.gaps = gaps  # gaps[k]: where the gap before word k starts (gaps[-1]: the end)
        self._gap_at: dict[int, int] = {}  # a position -> the gap it stands in (before word k is started)
        for k, g in enumerate(gaps):
            self._gap_at[g] = k
            if g < len(text) and text[g] == " ":
                self._gap_at[g + 1] = k
        self._eligible = [can_edge(w, char_level) for w in self.words]
        self.anchors = dict(anchors or {})
        self._reserved = {k for start, end in self.anchors.values() for k in range(start, end)}
        self._eligible_from = [0] * (len(self.words) + 1)  # words from word k on that a free slot may take
        self._capital_from = [0] * (len(self.words) + 1)  # ... that a capitalized slot may start on
        for k in range(len(self.words) - 1, -1, -1):
            free = self._eligible[k] and k not in self._reserved
            self._eligible_from[k] = self._eligible_from[k + 1] + int(free)
            self._capital_from[k] = self._capital_from[k + 1] + int(free and not _starts_lowercase(self.words[k]))
        self.capitalized = frozenset(capitalized) - set(self.anchors)
        self._start = frozenset({_State(0, NORMAL, ())})
        self._memo: dict[_State, list[tuple[int, _State]]] = {}

    # ------------------------------------------------------------------ the automaton

    @property
    def start(self) -> frozenset[_State]:
        """The states before anything is written."""
        return self._start

    @property
    def feasible(self) -> bool:
        """Whether the slots can be placed at all: enough words that are not punctuation, and enough that do not start
        lowercase for the ``capitalized`` slots."""
        return self._fits(_State(0, NORMAL, ()))

    def step(self, states: frozenset[_State], token_id: int) -> frozenset[_State]:
        """The states after writing ``token_id`` (empty: the output left the sentence)."""
        out: set[_State] = set()
        for state in states:
            out.update(self._step(state, token_id))
        return frozenset(out)

    def allowed(self, states: frozenset[_State]) -> set[int]:
        """The token ids that may come next (the end-of-sequence id once every slot is placed)."""
        out: set[int] = set()
        for state in states:
            out.update(self._allowed(state))
        return out

    def accepting(self, states: frozenset[_State]) -> _State | None:
        """A finished state among ``states`` (the whole sentence written, every slot placed and closed), or None."""
        return next((s for s in sorted(states) if self._done(s)), None)

    def run(self, ids: Iterable[int]) -> frozenset[_State]:
        """The states after writing ``ids`` from the start."""
        states = self.start
        for token_id in ids:
            states = self.step(states, token_id)
            if not states:
                break
        return states

    def placement(self, ids: Iterable[int]) -> list[tuple[int, int]] | None:
        """Word spans ``[start, end)`` per slot id of a finished output (end-of-sequence excluded), or None when the
        output does not place every slot."""
        final = self.accepting(self.run(ids))
        if final is None:
            return None
        return [(start, end) for _, start, end in sorted(final.spans)]

    # ------------------------------------------------------------------ one state

    def _done(self, state: _State) -> bool:
        return (
            state.mode != PRE
            and state.pos == len(self.text)
            and len(state.spans) == self.n_slots
            and all(end >= 0 for _, _, end in state.spans)
        )

    def _open(self, state: _State) -> tuple[int, int, int] | None:
        return next((s for s in state.spans if s[2] < 0), None)

    def _next_word(self, pos: int) -> int:
        """The first word not started at ``pos``."""
        gap = self._gap_at.get(pos)
        if gap is not None:
            return gap
        return next(k for k in range(len(self.words)) if self.gaps[k + 1] > pos) + 1  # inside word k

    def _fits(self, state: _State) -> bool:
        """Whether the slots not yet placed (and the open one) can still be placed after ``state``: each needs a word
        that is not punctuation."""
        used = {s for s, _, _ in state.spans}
        need = sum(1 for slot in range(self.n_slots) if slot not in used and slot not in self.anchors)
        current = self._open(state)
        nxt = self._next_word(state.pos)
        if (
            current is not None
            and current[0] not in self.anchors
            and (current[1] == nxt or not self._eligible[nxt - 1])
        ):
            need += 1  # the open slot holds nothing yet, or ends on punctuation: it needs one more word
        if current is not None and current[0] not in self.anchors and (nxt - 1) in self._reserved and nxt > current[1]:
            return False  # a free slot ran into an anchored one's words
        if current is not None and current[0] in self.anchors and nxt > self.anchors[current[0]][1]:
            return False  # an anchored slot ran past its end
        if any(slot not in used and start < nxt for slot, (start, _) in self.anchors.items()):
            return False  # an anchored slot's start went by
        need_capital = sum(1 for slot in self.capitalized if slot not in used)
        return need <= self._eligible_from[nxt] and need_capital <= self._capital_from[nxt]

    def _markers(self, state: _State, gap: int) -> list[tuple[int, _State]]:
        """The markers that may be written at ``gap`` and the state each leads to."""
        gap_pos = self.gaps[gap]
        no_space = gap_pos < len(self.text) and self.text[gap_pos] != " "  # a marker between characters
        after = _State(gap_pos, POST if no_space else NORMAL, ())
        current = self._open(state)
        out: list[tuple[int, _State]] = []
        if current is not None:
            slot, start, _ = current
            if slot in self.anchors and gap != self.anchors[slot][1]:
                return out
            if gap > start and self._eligible[gap - 1]:
                spans = tuple((s, a, gap if s == slot else b) for s, a, b in state.spans)
                out.append((self.table.markers[slot], after._replace(spans=spans)))
            return out
        if gap < len(self.words) and self._eligible[gap]:
            used = {s for s, _, _ in state.spans}
            for slot in range(self.n_slots):
                if slot in self.anchors and gap != self.anchors[slot][0]:
                    continue
                if slot not in self.anchors and gap in self._reserved:
                    continue
                if slot in self.capitalized and _starts_lowercase(self.words[gap]):
                    continue
                if slot not in used:
                    opened = after._replace(spans=(*state.spans, (slot, gap, -1)))
                    if self._fits(opened):
                        out.append((self.table.markers[slot], opened))
        return out

    def _read(self, state: _State, prefix: str) -> list[tuple[int, _State]]:
        """The pieces that write the sentence on from ``state.pos`` (after ``prefix``, a due space), with the states
        they lead to."""
        out: list[tuple[int, _State]] = []
        rest = prefix + self.text[state.pos : state.pos + self.table.longest]
        for length in range(1, len(rest) + 1):
            token_id = self.table.pieces.get(rest[:length])
            if token_id is None:
                continue
            moved = _State(state.pos + length - len(prefix), NORMAL, state.spans)
            if moved.pos > state.pos and self._fits(moved):
                out.append((token_id, moved))
        unk = self.table.unk_id
        if unk is not None and not prefix:  # characters that are no piece alone: one unknown token for 1..all of them
            length = 0
            while state.pos + length < len(self.text) and self.text[state.pos + length] not in self.table.chars:
                length += 1
                moved = _State(state.pos + length, NORMAL, state.spans)
                if self._fits(moved):
                    out.append((unk, moved))
        return out

    def _transitions(self, state: _State) -> list[tuple[int, _State]]:
        """The tokens that may follow ``state`` and where each leads (computed once per state)."""
        if state not in self._memo:
            self._memo[state] = self._compute_transitions(state)
        return self._memo[state]

    def _compute_transitions(self, state: _State) -> list[tuple[int, _State]]:
        gap = self._gap_at.get(state.pos)
        if state.mode == PRE:
            return self._markers(state, gap) if gap is not None else []
        out: list[tuple[int, _State]] = []
        if state.mode == POST:
            space = self.table.pieces.get(" ")
            if space is not None:
                out.append((space, _State(state.pos, NORMAL, state.spans)))
            out.extend((t, s) for t, s in self._read(state, " ") if s.pos > state.pos)
            out.extend(self._markers(state, gap) if gap is not None else [])
            return out
        out.extend(self._read(state, ""))
        if gap is not None:
            markers = self._markers(state, gap)
            out.extend(markers)
            at_space = state.pos < len(self.text) and self.text[state.pos] == " "
            space = self.table.pieces.get(" ")
            if markers and space is not None and not at_space and state.pos == self.gaps[gap]:
                out.append((space, _State(state.pos, PRE, state.spans)))  # the space a marker stands apart by
        return out

    def _step(self, state: _State, token_id: int) -> list[_State]:
        if token_id == self.table.eos_id:
            return [state] if self._done(state) else []
        return [s for t, s in self._transitions(state) if t == token_id]

    def _allowed(self, state: _State) -> set[int]:
        out = {t for t, _ in self._transitions(state)}
        if self._done(state):
            out.add(self.table.eos_id)
        return out


def can_edge(word: str, char_level: bool = False) -> bool:
    """Whether a slot may start or end with ``word``: not punctuation alone, nor (words with spaces) a lowercase word
    of one or two letters."""
    if is_punctuation(word) or all(is_punctuation(c) for c in word):
        return False
    return char_level or not (len(word) <= 2 and word.isalpha() and word.islower())


def _starts_lowercase(word: str) -> bool:
    return word[:1].islower()


def insertion_tokens(ids: Sequence[int], table: TokenTable) -> dict[int, list[int]]:
    """For each marker of ``ids``, the positions of the tokens that insert it: the marker, and a lone space piece
    written just before it (``▁ __SLOT0__``); keyed by the marker's position."""
    space = table.pieces.get(" ")
    marker_ids = set(table.markers)
    out: dict[int, list[int]] = {}
    for i, token_id in enumerate(ids):
        if token_id in marker_ids:
            positions = [i]
            if i > 0 and ids[i - 1] == space:
                positions.insert(0, i - 1)
            out[i] = positions
    return out
