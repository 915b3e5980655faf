"""Make every slot marker one token of a real M2M100 / NLLB checkpoint, without moving its language codes.

facebook/m2m100_418M numbers its 100 language codes right after the SentencePiece vocabulary
(``__af__`` = ``len(vocab.json)``), outside ``get_vocab()``. ``tokenizer.add_tokens`` therefore hands the first
new token the id of ``__af__``: both strings then map to one id and the model reads every slot marker as
Afrikaans. :func:`prepare_tokenizer_for_slots` adds the markers after the *model's* vocabulary instead (past the
language codes and the made-up words), resizes the embeddings to match, and checks that no language id moved.
Each added marker's rows start as the mean of the rows of the pieces its text was written in before
(:func:`_start_from_pieces`). Tokenizers that already hold the markers (the tiny models, whose SentencePiece model
has them as user-defined symbols) are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.slots import DEFAULT_MAX_SLOTS, slot_markers

MARKER_NOISE = 0.1  # of the embedding rows' standard deviation, added to each new marker row


@dataclass
class SlotTokenReport:
    """What :func:`prepare_tokenizer_for_slots` did."""

    added: list[str]
    first_id: int | None
    vocab_size: int


def prepare_tokenizer_for_slots(tokenizer: Any, model: Any, max_slots: int = DEFAULT_MAX_SLOTS) -> SlotTokenReport:
    """Give each ``__SLOT{i}__`` (i < max_slots) a single id past the model's vocabulary; resize the model."""
    from tokenizers import AddedToken

    lang_ids_before = _language_ids(tokenizer)
    missing = [m for m in slot_markers(max_slots) if not _is_single_token(tokenizer, m)]
    vocab_size = model.get_input_embeddings().weight.shape[0]
    if not missing:
        return SlotTokenReport([], None, vocab_size)
    pieces = {m: tokenizer(m, add_special_tokens=False)["input_ids"] for m in missing}  # before they are tokens
    used = [*lang_ids_before.values(), *getattr(tokenizer, "added_tokens_decoder", {}).keys(), len(tokenizer) - 1]
    first = max(vocab_size, max(used) + 1)
    if hasattr(tokenizer, "_added_tokens_decoder") and hasattr(tokenizer, "_update_trie"):
        # Python tokenizers (M2M100): place the ids explicitly, add_tokens would reuse language-code ids
        for offset, marker in enumerate(missing):
            token = AddedToken(marker, lstrip=False, rstrip=False, normalized=False, special=False)
            tokenizer._added_tokens_decoder[first + offset] = token
            tokenizer._added_tokens_encoder[marker] = first + offset
        tokenizer._update_trie()
        tokenizer._update_total_vocab_size()
    else:  # tokenizers-backed (NLLB): the language codes are inside the vocabulary, new ids come after them
        tokenizer.add_tokens([AddedToken(m, lstrip=False, rstrip=False, normalized=False) for m in missing])
        first = tokenizer.convert_tokens_to_ids(missing[0])
    new_size = max(vocab_size, first + len(missing))
    model.resize_token_embeddings(new_size)
    _start_from_pieces(model, tokenizer, pieces)
    if _language_ids(tokenizer) != lang_ids_before:
        raise RuntimeError("adding slot markers moved language-code ids; please report this tokenizer class")
    clashes = [m for m in missing if tokenizer.convert_tokens_to_ids(m) in lang_ids_before.values()]
    if clashes:
        raise RuntimeError(f"slot markers {clashes} collide with language codes")
    return SlotTokenReport(missing, first, new_size)


def _start_from_pieces(model: Any, tokenizer: Any, pieces: dict[str, list[int]]) -> None:
    """Each new marker's embedding row (and output row, where the head is not tied) starts as the mean of the rows
    of the pieces its text was written in before it was a token (``▁__``, ``SL``, ``OT``, ``3``, ``__``): a string
    the model has read and copied, instead of a random draw. A tenth of the rows' spread is added as noise (from
    torch's generator, so ``set_seed`` fixes it): the markers start apart even where the slot ids' digits are one
    unknown piece."""
    import torch

    rows = [model.get_input_embeddings().weight]
    head = model.get_output_embeddings()
    if head is not None and head.weight.data_ptr() != rows[0].data_ptr():
        rows.append(head.weight)
    with torch.no_grad():
        for weight in rows:
            spread = MARKER_NOISE * weight.float().std().item()
            for marker, ids in pieces.items():
                known = [i for i in ids if i < weight.shape[0]]
                if known:
                    target = tokenizer.convert_tokens_to_ids(marker)
                    mean = weight[known].float().mean(dim=0)
                    weight[target] = (mean + spread * torch.randn_like(mean)).to(weight.dtype)


def _is_single_token(tokenizer: Any, marker: str) -> bool:
    ids = tokenizer(marker, add_special_tokens=False)["input_ids"]
    pieces = [p for p in tokenizer.convert_ids_to_tokens(ids) if p not in ("▁", "")]
    return pieces == [marker]


def _language_ids(tokenizer: Any) -> dict[str, int]:
    codes = getattr(tokenizer, "lang_code_to_id", None)
    if codes:
        return dict(codes)
    special = getattr(tokenizer, "additional_special_tokens", None) or []
    return {tok: tokenizer.convert_tokens_to_ids(tok) for tok in special}
