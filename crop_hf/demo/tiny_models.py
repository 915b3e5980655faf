"""Tiny models for the offline demo and the tests, built from scratch on the built-in corpus.

Each is saved as a normal Hugging Face directory with the layout of the real checkpoint it stands in for,
so the loading code that serves facebook/m2m100_418M and xlm-roberta-large is the code that runs here:

- a SentencePiece model trained on the corpus, with the slot markers as user-defined symbols (one piece each,
  inside the SentencePiece vocabulary, so they never collide with M2M100's language-code ids);
- a tiny M2M100 (``vocab.json`` + ``sentencepiece.bpe.model``, the 100 M2M100 language codes after the
  vocabulary, 8 made-up words, as in facebook/m2m100_418M);
- a tiny XLM-R token classifier (``sentencepiece.bpe.model`` layout: ``<s> <pad> </s> <unk>`` first);
- a tiny NLLB-200 (facebook/nllb-200-distilled-600M's layout: an ``NllbTokenizer``, a BPE vocabulary with the 202
  FLORES-200 language codes after it, an M2M100 architecture), for the recipes whose languages M2M100 lacks.

Models are randomly initialised here; training happens through the package's own trainers.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..core.languages import get_language
from ..core.slots import DEFAULT_MAX_SLOTS, slot_markers
from .synthetic import SYNTHETIC_LANGUAGES, NoiseConfig, generate_corpus

M2M100_SPECIALS = ("<s>", "<pad>", "</s>", "<unk>")
M2M100_MADEUP_WORDS = 8


def corpus_texts(langs: Sequence[str] = SYNTHETIC_LANGUAGES, n_per_lang: int = 400, seed: int = 0) -> list[str]:
    """English and target sentences of the built-in corpus, the text a tiny tokenizer is trained on.

    Sentences of character-level languages (zh) are given as their characters apart, so that no piece spans two
    of them: on the corpus's few sentence frames SentencePiece would otherwise learn whole clauses as one piece
    (``西班牙将于明年举办``), which a slot marker around ``西班牙`` must break apart into pieces the model never reads.
    """
    texts: list[str] = []
    for ex in generate_corpus(langs, n_per_lang, seed=seed, noise=NoiseConfig(), split="tokenizer"):
        target = " ".join(ex.tgt_tokens) if get_language(ex.lang).char_level else ex.tgt_text
        texts.extend((ex.src_text, target))
    return texts


def train_sentencepiece(
    texts: Iterable[str],
    output_path: str | Path,
    vocab_size: int = 2000,
    max_slots: int = DEFAULT_MAX_SLOTS,
    model_type: str = "unigram",
) -> Path:
    """Train a SentencePiece model (``model_type`` ``"unigram"`` or ``"bpe"``) whose vocabulary holds every slot
    marker as one piece. The model is written from memory, so it records no path of this machine (a file prefix
    would be kept in its trainer spec).

    On the built-in corpus a unigram model stops near 1,300 pieces whatever ``vocab_size`` asks and cuts even
    frequent words into letters (``следующем`` -> ``с ле ду ю щ ем``); BPE keeps them whole, about half as many
    pieces per sentence. A BPE model needs ``vocab_size`` at least the texts' distinct characters."""
    import io

    import sentencepiece as spm

    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(texts)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type=model_type,
        character_coverage=1.0,
        user_defined_symbols=slot_markers(max_slots),
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        hard_vocab_limit=False,
        minloglevel=2,
        num_threads=2,
    )
    output_path.write_bytes(model.getvalue())
    return output_path


def make_tiny_m2m100(
    output_dir: str | Path,
    spm_file: str | Path,
    d_model: int = 128,
    layers: int = 2,
    heads: int = 4,
    ffn_dim: int = 256,
    max_positions: int = 256,
    seed: int = 0,
    num_beams: int = 1,
) -> Path:
    """A randomly initialised M2M100 with facebook/m2m100_418M's tokenizer layout, saved to ``output_dir``;
    ``num_beams`` is its generation default (facebook/m2m100_418M's is 5)."""
    from transformers import M2M100Tokenizer

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    vocab = {tok: i for i, tok in enumerate([*M2M100_SPECIALS, *(piece for piece, _ in _pieces(spm_file))])}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
        shutil.copy(spm_file, Path(tmp) / "sentencepiece.bpe.model")
        tokenizer = M2M100Tokenizer(
            vocab_file=str(Path(tmp) / "vocab.json"), spm_file=str(Path(tmp) / "sentencepiece.bpe.model")
        )
        tokenizer.save_pretrained(output_dir)
    vocab_size = len(vocab) + len(tokenizer.lang_code_to_id) + M2M100_MADEUP_WORDS
    shape = {"d_model": d_model, "layers": layers, "heads": heads, "ffn_dim": ffn_dim, "max_positions": max_positions}
    return _save_random_m2m100(output_dir, vocab_size, shape, (1, 0, 2), seed, num_beams)


def make_tiny_nllb(
    output_dir: str | Path,
    texts: Iterable[str],
    vocab_size: int = 800,
    d_model: int = 32,
    layers: int = 1,
    heads: int = 2,
    ffn_dim: int = 64,
    max_positions: int = 128,
    seed: int = 0,
) -> Path:
    """A randomly initialised NLLB-200-layout model whose BPE vocabulary is trained on ``texts``, saved to
    ``output_dir``. The slot markers are not in its vocabulary: LST training adds them, as for the real checkpoint."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import NllbTokenizer

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(M2M100_SPECIALS), show_progress=False)
    bpe.train_from_iterator(list(texts), trainer)
    model_json = json.loads(bpe.to_str())["model"]
    # pairs, as the BPE model takes them (transformers' hint says strings; tokenizers refuses those)
    merges: Any = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in model_json["merges"]]
    tokenizer = NllbTokenizer(vocab=model_json["vocab"], merges=merges)
    tokenizer.save_pretrained(output_dir)
    shape = {"d_model": d_model, "layers": layers, "heads": heads, "ffn_dim": ffn_dim, "max_positions": max_positions}
    ids = (tokenizer.pad_token_id, tokenizer.bos_token_id, tokenizer.eos_token_id)
    return _save_random_m2m100(output_dir, len(tokenizer), shape, ids, seed, num_beams=1)


def _save_random_m2m100(
    output_dir: Path, vocab_size: int, shape: dict[str, int], ids: tuple[int, int, int], seed: int, num_beams: int
) -> Path:
    """A randomly initialised M2M100 (the architecture of M2M100 and NLLB-200) of ``shape`` saved beside its
    tokenizer; ``ids`` are the pad, bos and eos ids (decoding starts from eos, as in both)."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration

    pad, bos, eos = ids
    config = M2M100Config(
        vocab_size=vocab_size,
        d_model=shape["d_model"],
        encoder_layers=shape["layers"],
        decoder_layers=shape["layers"],
        encoder_attention_heads=shape["heads"],
        decoder_attention_heads=shape["heads"],
        encoder_ffn_dim=shape["ffn_dim"],
        decoder_ffn_dim=shape["ffn_dim"],
        max_position_embeddings=shape["max_positions"],
        dropout=0.1,
        pad_token_id=pad,
        bos_token_id=bos,
        eos_token_id=eos,
        decoder_start_token_id=eos,
        scale_embedding=True,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config)
    model.generation_config.num_beams = num_beams
    model.save_pretrained(output_dir)
    return output_dir


def make_tiny_xlmr(
    output_dir: str | Path,
    spm_file: str | Path,
    labels: Sequence[str],
    hidden_size: int = 128,
    layers: int = 2,
    heads: int = 4,
    intermediate_size: int = 256,
    seed: int = 0,
) -> Path:
    """A randomly initialised XLM-R token classifier with xlm-roberta's tokenizer layout."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForTokenClassification, XLMRobertaTokenizer

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), *_pieces(spm_file), ("<mask>", 0.0)]
    tokenizer = XLMRobertaTokenizer(vocab=vocab)
    tokenizer.save_pretrained(output_dir)
    shutil.copy(spm_file, output_dir / "sentencepiece.bpe.model")
    config = XLMRobertaConfig(
        vocab_size=len(vocab),
        hidden_size=hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=intermediate_size,
        max_position_embeddings=258,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
    )
    torch.manual_seed(seed)
    XLMRobertaForTokenClassification(config).save_pretrained(output_dir)
    return output_dir


def _pieces(spm_file: str | Path) -> list[tuple[str, float]]:
    """(piece, score) of a SentencePiece model, without its control and unknown symbols."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(spm_file))
    return [
        (sp.id_to_piece(i), sp.get_score(i))
        for i in range(sp.get_piece_size())
        if not (sp.is_control(i) or sp.is_unknown(i))
    ]
