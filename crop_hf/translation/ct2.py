"""CTranslate2 generation backend: the :class:`~crop_hf.translation.Translator` on a converted copy of the model.

``pip install 'crop-hf[ct2]'``; loaded through :func:`crop_hf.translation.make_translator` (``backend="ctranslate2"``).

CTranslate2 runs M2M100 / NLLB several times faster than ``generate`` on CPU (int8 weights, fused kernels).
:class:`CT2Translator` keeps everything else of the transformers backend: the Hugging Face tokenizer encodes and
decodes, inputs are length-sorted and batched the same way, too-long inputs are counted and ``None``, and the
decoding settings are the same (beams, the maximum and minimum number of new tokens, the target-language code
forced first through ``target_prefix``, the model's length and repetition penalties).

**Conversion.** The model object is converted once with ``ctranslate2.converters.TransformersConverter`` into a
cache directory named by a hash of its content: every weight tensor, its config and its vocabulary. A retrained
or resized model (slot markers added) hashes differently and is converted again; the same checkpoint loaded
twice, from a directory or the Hub, is converted once. The cache lives in ``$CROP_HF_CT2_CACHE``, else
``$HF_HOME/crop_hf/ct2``, else ``~/.cache/crop_hf/ct2`` (or ``cache_dir=``).

**Vocabulary.** The converter builds its vocabulary from ``tokenizer.get_vocab()``. M2M100 tokenizers leave their
language codes out of it (they are numbered after the SentencePiece vocabulary), and crop-hf places slot markers
after the model's vocabulary (:mod:`crop_hf.training.tokenizer_prep`), so the converter's list is shorter than the
embedding matrix and the conversion fails. Here the converter gets exactly one token per embedding row, id ``i``
named by ``tokenizer.convert_ids_to_tokens(i)`` (rows no token maps to, and repeated names, get placeholder
names); crop-hf passes CTranslate2 the names of the ids the Hugging Face tokenizer produced and reads back ids,
so both backends see the same ids.

**Compute type.** ``compute_type=None`` is the device's default (:func:`default_compute_type`). A CTranslate2
compute type this device cannot run (``float16`` saved with a pipeline on a GPU, loaded on a CPU) falls back to the
device's default with one warning; a value that is no CTranslate2 compute type at all is refused when the pipeline
loads (:func:`check_compute_type`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.errors import InputError
from ..base.extras import require
from .base import GenerationSettings, Translator

logger = logging.getLogger(__name__)

CACHE_ENV = "CROP_HF_CT2_CACHE"
# every compute type CTranslate2 knows; which of them a device runs, ctranslate2.get_supported_compute_types says
COMPUTE_TYPES = ("default", "auto", "int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16",
                 "bfloat16", "float32")  # fmt: skip
_KEY_VERSION = "crop-hf-ct2-1"  # bump when the conversion itself changes
_METADATA = "crop_hf_conversion.json"
_WARNED: set[tuple[str, str]] = set()  # (compute type, device) fallbacks already told in this process


def require_ctranslate2() -> Any:
    """The ``ctranslate2`` module, or :class:`~crop_hf.base.extras.MissingExtraError` naming the ``ct2`` extra."""
    return require("ctranslate2", "the CTranslate2 backend", "ct2")


def check_compute_type(compute_type: str | None) -> None:
    """A one-line :class:`~crop_hf.base.errors.InputError` for a value that is no CTranslate2 compute type."""
    if compute_type is not None and compute_type not in COMPUTE_TYPES:
        raise InputError(
            f"compute_type={compute_type!r} is not a CTranslate2 compute type: use one of {', '.join(COMPUTE_TYPES)} "
            "(or none: the device's default)"
        )


def usable_compute_type(compute_type: str | None, device: str, dtype: Any = None) -> str:
    """``compute_type`` if ``device`` runs it, else the device's default (one warning per type and device).

    ``None`` is the device's default (:func:`default_compute_type` of the model's ``dtype``).
    """
    check_compute_type(compute_type)
    default = default_compute_type(device, dtype)
    if compute_type is None:
        return default
    supported = require_ctranslate2().get_supported_compute_types(device)
    if compute_type in supported or compute_type in ("default", "auto"):
        return compute_type
    if (compute_type, device) not in _WARNED:
        _WARNED.add((compute_type, device))
        logger.warning(
            "compute_type=%r cannot run on this %s (it runs %s): using %r, its default",
            compute_type, device, ", ".join(sorted(supported)), default,
        )  # fmt: skip
    return default


def ct2_device(device: Any) -> str:
    """CTranslate2's name for a torch device (or its name): ``"cuda"`` for a GPU, else ``"cpu"``."""
    return "cuda" if str(getattr(device, "type", device)).startswith("cuda") else "cpu"


@dataclass
class Conversion:
    """Where a model's CTranslate2 copy lives, its content key, and whether this call converted it."""

    path: Path
    key: str
    converted: bool


class CT2Translator(Translator):
    """:class:`~crop_hf.translation.Translator` whose generation step runs in CTranslate2.

    Args:
        model, tokenizer: the Hugging Face model (converted on first use, then read from the cache) and tokenizer.
        settings: how to generate (:class:`~crop_hf.translation.GenerationSettings`), as for
            :class:`~crop_hf.translation.Translator`; single fields may be given by keyword (``batch_size=8``).
        compute_type: CTranslate2 compute type; default ``"int8"`` on CPU, ``"bfloat16"`` on GPU for a bfloat16
            model and ``"float16"`` otherwise. ``"float32"`` reproduces ``generate`` token for token (greedy). A type
            the device cannot run falls back to its default with one warning.
        device: ``"cpu"`` or ``"cuda"`` (default: where ``model`` is).
        intra_threads: CPU threads (default: torch's thread count, as the transformers backend uses).
        cache_dir: where converted models are kept (see the module docstring for the default).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        settings: GenerationSettings | None = None,
        *,
        compute_type: str | None = None,
        device: str | None = None,
        intra_threads: int | None = None,
        cache_dir: str | Path | None = None,
        **overrides: Any,
    ) -> None:
        ct2 = require_ctranslate2()
        super().__init__(model, tokenizer, settings, **overrides)
        import torch

        model_device = next(model.parameters()).device
        self.device = device or ct2_device(model_device)
        self.compute_type = usable_compute_type(compute_type, self.device, next(model.parameters()).dtype)
        self.vocabulary = ct2_vocabulary(model, tokenizer)
        self._ids = {name: i for i, name in enumerate(self.vocabulary)}
        self.conversion = convert_model(model, tokenizer, cache_dir, self.vocabulary)
        self.ct2 = ct2.Translator(
            str(self.conversion.path),
            device=self.device,
            device_index=(model_device.index or 0) if model_device.type == "cuda" else 0,
            compute_type=self.compute_type,
            intra_threads=intra_threads if intra_threads is not None else torch.get_num_threads(),
        )
        config = getattr(model, "generation_config", None)
        self._penalties = {
            "length_penalty": float(getattr(config, "length_penalty", None) or 1.0),
            "repetition_penalty": float(getattr(config, "repetition_penalty", None) or 1.0),
            "no_repeat_ngram_size": int(getattr(config, "no_repeat_ngram_size", None) or 0),
        }

    def _generate(self, inputs: list[list[int]], tgt_lang: str, max_new: int) -> list[list[int]]:
        """Generated ids for one batch, through ``ctranslate2.Translator.translate_batch``."""
        source = [[self.vocabulary[i] for i in seq] for seq in inputs]
        forced = self._target_lang_id(tgt_lang)
        prefix = [[self.vocabulary[forced]] for _ in inputs] if forced is not None else None
        results = self.ct2.translate_batch(
            source,
            target_prefix=prefix,
            beam_size=self.settings.num_beams,
            max_batch_size=0,
            max_input_length=0,  # too-long inputs are counted and skipped before this point
            max_decoding_length=max_new,
            min_decoding_length=self.settings.min_new_tokens or 0,
            return_end_token=True,  # as generate does: the same ids, end token included
            **self._penalties,
        )
        return [[self._ids[token] for token in r.hypotheses[0]] for r in results]


def default_compute_type(device: str, dtype: Any = None) -> str:
    """What users of CTranslate2 expect: int8 on CPU; on GPU, bfloat16 for a bfloat16 model, float16 otherwise."""
    if device == "cpu":
        return "int8"
    return "bfloat16" if str(dtype) == "torch.bfloat16" else "float16"


def ct2_vocabulary(model: Any, tokenizer: Any) -> list[str]:
    """One distinct token name per row of the model's embedding matrix, row ``i`` named as the tokenizer names id i.

    Rows the tokenizer never produces (M2M100's made-up words) and names already taken get placeholder names.
    """
    rows = model.get_input_embeddings().weight.shape[0]
    known = len(tokenizer) + len(getattr(tokenizer, "lang_code_to_id", {}) or {})
    decoder = getattr(tokenizer, "added_tokens_decoder", {}) or {}
    names: list[str] = []
    seen: set[str] = set()
    for i in range(rows):
        name = tokenizer.convert_ids_to_tokens(i) if (i < known or i in decoder) else None
        if not name or name in seen:
            name = f"<crop_hf_unused_{i}>"
        seen.add(name)
        names.append(name)
    return names


def convert_model(
    model: Any, tokenizer: Any, cache_dir: str | Path | None = None, vocabulary: list[str] | None = None
) -> Conversion:
    """The CTranslate2 copy of ``model`` (its weights' own type), converted unless the cache holds it."""
    ct2 = require_ctranslate2()
    vocabulary = vocabulary or ct2_vocabulary(model, tokenizer)
    key = content_key(model, vocabulary, ct2.__version__)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = root / key
    if (target / "model.bin").is_file() and (target / _METADATA).is_file():
        return Conversion(target, key, converted=False)
    root.mkdir(parents=True, exist_ok=True)
    logger.info("converting %s to CTranslate2 in %s", getattr(model, "name_or_path", "") or "the model", target)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
    try:
        _converter(model, tokenizer, vocabulary, staging / "config").convert(str(staging / "model"), force=True)
        (staging / "model" / _METADATA).write_text(
            json.dumps({"source": str(getattr(model, "name_or_path", "")), "key": key, "rows": len(vocabulary)})
        )
        try:
            os.rename(staging / "model", target)
        except OSError:  # another process converted the same model meanwhile
            if not (target / "model.bin").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Conversion(target, key, converted=True)


def content_key(model: Any, vocabulary: list[str], version: str = "") -> str:
    """A hash of every weight tensor (names, shapes, dtypes, bytes), the config and the vocabulary."""
    import torch

    digest = hashlib.blake2b(digest_size=16)
    for text in (_KEY_VERSION, version, model.config.to_json_string(use_diff=False), json.dumps(vocabulary)):
        digest.update(text.encode())
    seen: dict[tuple[int, int], str] = {}
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        ident = (tensor.data_ptr(), tensor.numel())
        if ident in seen:  # tied weights (shared embeddings, lm_head): hash the tie, not the bytes again
            digest.update(seen[ident].encode())
            continue
        seen[ident] = name
        digest.update(tensor.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """``$CROP_HF_CT2_CACHE``, else ``$HF_HOME/crop_hf/ct2``, else ``~/.cache/crop_hf/ct2``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "crop_hf" / "ct2"
    return Path.home() / ".cache" / "crop_hf" / "ct2"


class _VocabularyView:
    """The tokenizer as the converter should see it: ``get_vocab()`` names every embedding row, once."""

    def __init__(self, tokenizer: Any, vocabulary: list[str]) -> None:
        self._tokenizer = tokenizer
        self._vocab = {name: i for i, name in enumerate(vocabulary)}
        self.num_madeup_words = 0  # already named in the vocabulary
        self.special_tokens_map = {
            k: v for k, v in tokenizer.special_tokens_map.items() if k != "additional_special_tokens"
        }
        # the converter appends these when missing from the vocabulary; every one of them already names its row
        # (older transformers' M2M100Tokenizer has no such attribute)
        self.additional_special_tokens = list(getattr(tokenizer, "additional_special_tokens", None) or [])

    def get_vocab(self) -> dict[str, int]:
        return dict(self._vocab)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)


def _converter(model: Any, tokenizer: Any, vocabulary: list[str], config_dir: Path) -> Any:
    """A ``TransformersConverter`` fed the model object in memory and the one-name-per-row vocabulary."""
    base = require_ctranslate2().converters.TransformersConverter

    class InMemoryConverter(base):
        def load_model(self, model_class: Any, name_or_path: str, **kwargs: Any) -> Any:
            return _cpu_view(model)

        def load_tokenizer(self, tokenizer_class: Any, name_or_path: str, **kwargs: Any) -> Any:
            return _VocabularyView(tokenizer, vocabulary)

    model.config.save_pretrained(config_dir)  # the converter picks its loader from the saved config's class
    return InMemoryConverter(str(config_dir))


def _cpu_view(model: Any) -> Any:
    """A copy the converter may annotate (it sets config attributes) whose tensors are on the CPU."""
    if next(model.parameters()).device.type != "cpu":
        return copy.deepcopy(model).to("cpu").eval()
    view = copy.copy(model)
    view.config = copy.deepcopy(model.config)
    return view
