"""CropProjectionPipeline, registered with transformers as ``"crop-projection"`` by ``import crop_hf``.

Two directions:

- ``mode="raw"`` (CROP): raw target sentences -> MT to English -> English NER -> slot wrapping -> labeled
  translation back -> slot parsing -> matching into the *raw* sentence -> filters. One
  :class:`~crop_hf.projection.ProjectionResult` per input, ``kept`` or discarded with a reason.
- ``mode="translate-train"``: English sentences with tags (``{"tokens": [...], "tags": [...]}``) -> wrapped ->
  labeled translation -> target sentences labelled by their slots.

``save_pretrained(dir)`` writes the LST model at the top, the NER and MT models in ``ner/`` and ``mt/``
(or just their names when they are Hub ids), and ``crop_projection.json``; ``pipeline("crop-projection",
model=dir)`` then rebuilds the whole pipeline from that directory (or Hub repository) alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from transformers import (
    AutoModelForSeq2SeqLM,
    AutoModelForTokenClassification,
    AutoTokenizer,
    Pipeline,
)
from transformers.pipelines import PIPELINE_REGISTRY

from .filters import FilterInput, LanguageFilter, LengthFilter, NoEntityFilter
from .languages import get_language
from .matching import DEFAULT_MIN_SCORE, STRICTNESS_LEVELS
from .ner_data import predict_tags
from .projection import EMPTY, NOT_TRANSLATED, ProjectionResult, discard, label_translation, project_into_raw
from .slots import escape_markers, parse_slots, wrap
from .tagging import tags_to_spans
from .text import split_tokens, tokens_from_words
from .translation import Translator, check_backend, make_translator

logger = logging.getLogger(__name__)

TASK = "crop-projection"
CONFIG_NAME = "crop_projection.json"
MODES = ("raw", "translate-train")


class CropProjectionPipeline(Pipeline):
    """Project English NER labels onto target-language text with a labeled sequence translation model.

    Args:
        model: the LST model (en -> xx with slot markers); ``tokenizer`` its tokenizer.
        ner_model: English token classifier (a model, a path or a Hub id); needed for ``mode="raw"``.
        mt_model: xx -> en translation model (a model, a path or a Hub id); defaults to the LST model itself.
        backend: generation backend for MT and LST, ``"transformers"`` or ``"ctranslate2"`` (default: the saved
            one, else transformers); ``compute_type`` the CTranslate2 compute type (default: int8 on CPU).
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        ner_model: Any = None,
        ner_tokenizer: Any = None,
        mt_model: Any = None,
        mt_tokenizer: Any = None,
        backend: str | None = None,
        compute_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(model=model, tokenizer=tokenizer, **kwargs)
        saved = _read_config(getattr(model, "name_or_path", "") or "")
        self.crop_config = saved
        self.ner_model, self.ner_tokenizer = _load(
            ner_model or _sub(saved, "ner_model"), ner_tokenizer, AutoModelForTokenClassification
        )
        mt = mt_model or _sub(saved, "mt_model")
        self.mt_model, self.mt_tokenizer = (
            _load(mt, mt_tokenizer, AutoModelForSeq2SeqLM) if mt is not None else (self.model, self.tokenizer)
        )
        for extra in (self.ner_model, self.mt_model):
            if extra is not None:
                extra.to(self.device)
        self._translators: dict[int, Translator] = {}
        # --- generation backend (issue 15): given, else saved in crop_projection.json, else transformers
        self.backend = backend or saved.get("backend") or "transformers"
        same = backend is None or backend == saved.get("backend")
        self.compute_type = compute_type or (saved.get("compute_type") if same else None)
        check_backend(self.backend, self.compute_type)
        # --- end generation backend

    # ------------------------------------------------------------------ the four pipeline methods

    def _sanitize_parameters(
        self,
        src_lang: str | None = None,
        mode: str | None = None,
        strictness: str | None = None,
        min_score: float | None = None,
        max_words: int | None = None,
        check_language: bool | None = None,
        langid_candidates: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> tuple[dict, dict, dict]:
        pre: dict[str, Any] = {}
        if src_lang is not None:
            get_language(src_lang)  # unknown codes fail here, before any work
            pre["src_lang"] = src_lang
        if mode is not None:
            if mode not in MODES:
                raise ValueError(f"mode={mode!r}: use one of {MODES}")
            pre["mode"] = mode
        if max_words is not None:
            pre["max_words"] = max_words
        if check_language is not None:
            pre["check_language"] = check_language
        if langid_candidates is not None:
            pre["langid_candidates"] = tuple(langid_candidates)
        post: dict[str, Any] = {}
        if strictness is not None:
            if strictness not in STRICTNESS_LEVELS:
                raise ValueError(f"strictness={strictness!r}: use one of {STRICTNESS_LEVELS}")
            post["strictness"] = strictness
        if min_score is not None:
            post["min_score"] = min_score
        return pre, {}, post

    def preprocess(
        self,
        inputs: Any,
        src_lang: str | None = None,
        mode: str = "raw",
        max_words: int = 128,
        check_language: bool = True,
        langid_candidates: tuple[str, ...] | None = None,
    ) -> dict[str, Any]:
        """Validate one input and run the model-free filters (length, then language by langid.py).

        ``langid_candidates`` restricts langid.py to those codes (e.g. the languages of the corpus plus
        ``"en"``), which avoids confusing close relatives such as Norwegian and Danish.
        """
        if mode == "translate-train":
            return self._preprocess_labeled(inputs, src_lang)
        lang = src_lang or self.crop_config.get("default_lang")
        if lang is None:
            raise ValueError("pass src_lang= (the language of the raw sentences), e.g. project(texts, src_lang='es')")
        if not isinstance(inputs, str):
            raise TypeError(f"mode='raw' takes strings, got {type(inputs).__name__}: {inputs!r:.80}")
        tokens = split_tokens(inputs, get_language(lang).char_level)
        item = {"mode": mode, "text": inputs, "lang": lang, "tokens": tokens}
        if not tokens:
            item["drop"] = (EMPTY, "empty or whitespace-only input")
            return item
        checks = [LengthFilter(max_words)] + ([LanguageFilter(langid_candidates)] if check_language else [])
        for check in checks:
            reason = check(FilterInput(inputs, [t.text for t in tokens], lang))
            if reason is not None:
                item["drop"] = (check.name, reason)
                break
        return item

    def _forward(self, model_inputs: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Run MT, NER and LST for a group of preprocessed inputs (batched per language)."""
        items = model_inputs if isinstance(model_inputs, list) else [model_inputs]
        live = [it for it in items if "drop" not in it]
        raw = [it for it in live if it["mode"] == "raw"]
        for lang in sorted({it["lang"] for it in raw}):
            group = [it for it in raw if it["lang"] == lang]
            english = self._translate(self.mt_model, self.mt_tokenizer, [it["text"] for it in group], lang, "en")
            for it, en in zip(group, english):
                it["translation"] = en
                if en is None:
                    it["drop"] = (NOT_TRANSLATED, "longer than the MT model accepts")
            group = [it for it in group if "drop" not in it]
            words = [[t.text for t in split_tokens(escape_markers(it["translation"]), False)] for it in group]
            tags = predict_tags(self.ner_model, self.ner_tokenizer, words) if group else []
            for it, w, t in zip(group, words, tags):
                it["en_tokens"], it["en_spans"] = w, tags_to_spans(t)
                if not it["en_spans"]:
                    it["drop"] = (NoEntityFilter.name, "the English NER model found no entity")
        for lang in sorted({it["lang"] for it in live}):
            group = [it for it in live if it["lang"] == lang and "drop" not in it]
            wrapped = [wrap(it["en_tokens"], it["en_spans"]) for it in group]
            outputs = self._translate(self.model, self.tokenizer, wrapped, "en", lang)
            for it, w, out in zip(group, wrapped, outputs):
                it["wrapped"], it["labeled_translation"] = w, out
                if out is None:
                    it["drop"] = (NOT_TRANSLATED, "longer than the LST model accepts")
        return items

    def postprocess(
        self, model_outputs: dict[str, Any], strictness: str = "crop", min_score: float = DEFAULT_MIN_SCORE
    ) -> ProjectionResult:
        """Match (raw mode) or read (translate-train) the entities of one sentence."""
        it = model_outputs
        extra = {"translation": it.get("translation"), "labeled_translation": it.get("labeled_translation")}
        if "drop" in it:
            return discard(it["text"], it["lang"], it["tokens"], it["drop"][0], it["drop"][1], **extra)
        spans = it["en_spans"]
        parsed = parse_slots(it["labeled_translation"], expected=range(len(spans)))
        if it["mode"] == "translate-train":
            extra["translation"] = it["text"]
            return label_translation(
                it["text"], it["lang"], spans, parsed, get_language(it["lang"]).char_level, **extra
            )
        return project_into_raw(it["text"], it["lang"], it["tokens"], spans, parsed, strictness, min_score, **extra)

    # ------------------------------------------------------------------ batching and persistence

    def __call__(self, inputs: Any, batch_size: int | None = None, **kwargs: Any) -> Any:
        """Project one input or a list; inputs are grouped in batches of ``batch_size`` for the models."""
        single = isinstance(inputs, (str, dict))
        items = [inputs] if single else list(inputs)
        pre, _, post = self._sanitize_parameters(**kwargs)
        pre = {**self._preprocess_params, **pre}
        post = {**self._postprocess_params, **post}
        size = batch_size or self._batch_size or 32
        results: list[ProjectionResult] = []
        for start in range(0, len(items), size):
            group = [self.preprocess(x, **pre) for x in items[start : start + size]]
            results.extend(self.postprocess(out, **post) for out in self._forward(group))
        return results[0] if single else results

    def save_pretrained(self, save_directory: str | Path, **kwargs: Any) -> None:
        """Write everything ``pipeline("crop-projection", model=save_directory)`` needs (no remote code)."""
        out = Path(save_directory)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out, **kwargs)
        self.tokenizer.save_pretrained(out)
        config: dict[str, Any] = {"task": TASK, "lst_model": "."}
        for key, model, tok, sub in (
            ("ner_model", self.ner_model, self.ner_tokenizer, "ner"),
            ("mt_model", self.mt_model, self.mt_tokenizer, "mt"),
        ):
            if model is None or (key == "mt_model" and model is self.model):
                config[key] = None if model is None else "."
                continue
            model.save_pretrained(out / sub, **kwargs)
            tok.save_pretrained(out / sub)
            config[key] = sub
        config["backend"], config["compute_type"] = self.backend, self.compute_type  # generation backend (issue 15)
        for key in ("languages", "default_lang", "slot_markers", "metrics"):
            if key in self.crop_config:
                config[key] = self.crop_config[key]
        (out / CONFIG_NAME).write_text(json.dumps(config, indent=2, ensure_ascii=False))

    def _translate(self, model, tokenizer, texts: Sequence[str], src: str, tgt: str) -> list[str | None]:
        translator = self._translators.get(id(model))
        if translator is None:
            translator = self._translators[id(model)] = make_translator(
                model, tokenizer, self.backend, self.compute_type, batch_size=len(texts) or 1
            )
        translator.batch_size = max(1, len(texts))
        return translator.translate(texts, src, tgt)

    def _preprocess_labeled(self, inputs: Any, tgt_lang: str | None) -> dict[str, Any]:
        if tgt_lang is None:
            raise ValueError("translate-train needs the target language: project(examples, src_lang='es', ...)")
        if not isinstance(inputs, dict) or "tokens" not in inputs or "tags" not in inputs:
            raise TypeError(f"mode='translate-train' takes {{'tokens': [...], 'tags': [...]}}, got {inputs!r:.80}")
        tokens, tags = list(inputs["tokens"]), list(inputs["tags"])
        if len(tokens) != len(tags):
            raise ValueError(f"{len(tokens)} tokens but {len(tags)} tags in {' '.join(tokens)[:80]!r}")
        text = " ".join(tokens)
        item = {"mode": "translate-train", "text": text, "lang": tgt_lang, "tokens": tokens_from_words(tokens)}
        item["en_tokens"], item["en_spans"] = tokens, tags_to_spans(tags)
        if not item["en_spans"]:
            item["drop"] = (NoEntityFilter.name, "the English sentence has no entity")
        return item


def register_pipeline() -> None:
    """Register ``"crop-projection"`` with transformers (done by ``import crop_hf``)."""
    PIPELINE_REGISTRY.register_pipeline(TASK, pipeline_class=CropProjectionPipeline, pt_model=AutoModelForSeq2SeqLM)


def _read_config(name_or_path: str) -> dict[str, Any]:
    path = Path(name_or_path) / CONFIG_NAME
    if path.is_file():
        return {**json.loads(path.read_text()), "_root": str(Path(name_or_path))}
    if not name_or_path or Path(name_or_path).exists():
        return {}
    from .hub import download_file

    local = download_file(name_or_path, CONFIG_NAME)
    return {**json.loads(Path(local).read_text()), "_root": name_or_path} if local else {}


def _sub(config: dict[str, Any], key: str) -> str | None:
    value = config.get(key)
    if value is None or value == ".":  # none saved, or the LST model itself
        return None
    root = config["_root"]
    return str(Path(root) / value) if Path(root).exists() else f"{root}::{value}"


def _load(spec: Any, tokenizer: Any, auto_cls: Any) -> tuple[Any, Any]:
    if spec is None:
        return None, tokenizer
    if not isinstance(spec, (str, Path)):  # a model object: its tokenizer is given or sits beside its weights
        return spec, tokenizer or AutoTokenizer.from_pretrained(spec.name_or_path)
    spec = str(spec)
    kwargs: dict[str, Any] = {}
    if "::" in spec:  # a subfolder of a Hub repository
        spec, kwargs["subfolder"] = spec.split("::", 1)
    model = auto_cls.from_pretrained(spec, **kwargs)
    return model, tokenizer or AutoTokenizer.from_pretrained(spec, **kwargs)
