"""CropProjectionPipeline, registered with transformers as ``"crop-projection"`` (by ``import crop_hf``).

Two directions:

- ``mode="raw"`` (CROP): raw target sentences -> MT to English -> English NER -> slot wrapping -> labeled
  translation back -> slot parsing -> matching into the *raw* sentence -> filters.
- ``mode="translate-train"``: English examples (``{"tokens": [...], "tags": [...]}``) -> wrapped -> labeled
  translation into ``tgt_lang`` -> target sentences labelled by their slots.

As in CROP, the language filter checks the *translations*: the labeled back-translation (raw mode) or the output
(translate-train) must be in the target language, else a ``wrong_language`` discard whose detail names the text
checked (``"labeled translation: langid says 'it', expected 'es'"``); ``check_language=False`` turns it off. The
raw sentence's language is the caller's ``src_lang``; ``check_raw_language=True`` checks it too, before any model
runs (for web text whose language is not known), a ``raw_language`` discard counted apart from the translations'. ``language_identifier="lingua"`` (``crop-hf[lingua]``) replaces
langid.py with lingua, which drops fewer real sentences (:mod:`crop_hf.core.language_id` has the measurements).

``decoding="constrained"`` (raw mode) replaces the free labeled back-translation by a constrained one: the LST model
may write only the raw sentence's own tokens plus each English entity's slot markers, so the entities are the raw
tokens between the markers (``method="constrained"``, scored by the model; ``min_slot_score`` drops sentences whose
least confident slot scores lower, as ``low_slot_score``) and neither matching nor the translation's language check
can drop them (:mod:`crop_hf.translation.constrained`). ``pipeline(..., decoding="constrained")`` makes it the
pipeline's default, saved with it; translate-train always decodes freely (there is no raw sentence to keep).

Inputs go through transformers' own ``Pipeline.__call__``: one input gives one result; a list or tuple gives a
list; a generator, a ``datasets.Dataset`` (its ``text`` column, or ``tokens``/``tags`` in translate-train), a
``KeyDataset``, a dataset column or any other iterable gives an iterator that streams in constant memory.
``batch_size`` (default 32) and ``num_workers`` work as in every pipeline. Options are checked once, before any
model runs; a misspelt one raises with the closest valid name. An input that cannot be processed (not a string,
a lone surrogate, a tokenizer or langid error on it) becomes a discarded result with its reason and never
stops its batch; a single top-level ``None``, number or ``bytes`` raises ``TypeError`` (a programming error).

Each result is a plain dict, JSON-serialisable as returned::

    {"text": ..., "lang": "es", "kept": True, "reason": None, "detail": None, "tokens": [...], "tags": [...],
     "entities": [{"entity_group": "LOC", "score": 1.0, "word": "Madrid", "start": 13, "end": 19,
                   "method": "exact", "token_start": 3, "token_end": 4}],
     "english": "...", "labeled_translation": "..."}

``entity_group``, ``score``, ``word``, ``start``/``end`` (character offsets into ``text``) mean what they mean in
the token-classification pipeline; ``method``, ``token_start``/``token_end`` are CROP's. ``pipeline.stats``
counts results per discard reason (filter names and the others). ``return_stages=True`` adds the English words and
the tags the English NER model gave them (``"stages"``), so that every step of a projection can be shown.

Migration from crop-hf 0.1 (dataclass results): ``res.kept`` -> ``res["kept"]``, ``res.to_dict()`` -> ``res``;
per entity ``label`` -> ``entity_group``, ``text`` -> ``word``, ``char_start``/``char_end`` -> ``start``/``end``,
and the old token indices ``start``/``end`` -> ``token_start``/``token_end``; ``translation`` -> ``english``;
translate-train takes ``tgt_lang=`` (``src_lang=`` there now raises).

``save_pretrained(dir)`` writes the LST model at the top, the NER and MT models in ``ner/`` and ``mt/`` and
``crop_projection.json`` (:mod:`crop_hf.projection.config`); ``pipeline("crop-projection", model=dir_or_repo, revision=...,
token=...)`` rebuilds the whole pipeline from it, with that revision and token for every part. Name the task:
transformers infers a task only from the Hub's metadata or from remote code, which crop-hf does not ship (loading
never needs ``trust_remote_code``), so ``pipeline(model=dir)`` fails; and ``import crop_hf`` must come first.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from transformers import AutoModelForSeq2SeqLM, AutoModelForTokenClassification, AutoTokenizer, Pipeline
from transformers.pipelines import PIPELINE_REGISTRY

from ..core.filters import RAW_LANGUAGE, WRONG_LANGUAGE, FilterChain, FilterInput, FilterStats, LanguageFilter
from ..core.languages import get_language
from ..core.matching import match_entities
from ..core.projection import (
    EMPTY,
    LANGID_ERROR,
    MODEL_ERROR,
    NO_PLACEMENT,
    NOT_TRANSLATED,
    UNDECODABLE,
    WRONG_TYPE,
    discard,
    label_translation,
    place_into_raw,
    project_into_raw,
)
from ..core.slots import escape_markers, parse_slots, wrap
from ..core.tagging import Span, spans_to_tags, tags_to_spans
from ..core.text import split_tokens, tokens_from_words
from ..training.ner_data import predict_tags
from ..translation import Translator, check_backend, make_translator
from ..translation.constrained import ConstrainedLabeler
from .config import CONFIG_NAME, TASK, CropProjectionConfig, SubModel
from .pipeline_inputs import (
    CALL_FIELDS,
    MODES,
    Item,
    check_call_options,
    check_loader_sizes,
    lone_surrogate,
    normalise_inputs,
)
from .projection_options import DECODINGS, DEFAULTS, ProjectionOptions, choice

__all__ = ["CONFIG_NAME", "MODES", "TASK", "CropProjectionPipeline"]

logger = logging.getLogger(__name__)

# hub arguments (revision, token) of LST models loaded by pipeline(): kept in memory only, for the sub-models
_HUB_ARGS: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


class CropProjectionPipeline(Pipeline):
    """Project English NER labels onto target-language text with a labeled sequence translation model.

    Args:
        model: the LST model (en -> xx with slot markers).
        tokenizer: its tokenizer.
        ner_model: English token classifier (a model, a path or a Hub id); needed for ``mode="raw"``; default:
            the one ``crop_projection.json`` names.
        ner_tokenizer: its tokenizer (default: loaded with it).
        mt_model: xx -> en translation model (a model, a path or a Hub id); defaults to the LST model itself.
        mt_tokenizer: its tokenizer (default: loaded with it).
        revision: for ``crop_projection.json`` and the sub-models of a Hub repository (``pipeline(...)`` passes on
            its own).
        token: the Hub token for them, likewise (never saved).
        backend: generation backend of MT and LST: ``transformers`` (default) or ``ctranslate2``.
        compute_type: CTranslate2's compute type (default: int8 on CPU, float16/bfloat16 on GPU).
        decoding: the labeled back-translation's decoding when a call names none: ``"free"`` (the paper's) or
            ``"constrained"``; default: the saved one, else free.
        **kwargs: passed on to ``transformers.Pipeline`` (``device``, ``batch_size``, ...).
    """

    # transformers' Pipeline declares these None ("not set"); each task pipeline sets them
    _load_tokenizer = True  # type: ignore[assignment]
    _load_processor = False  # type: ignore[assignment]
    _load_image_processor = False  # type: ignore[assignment]
    _load_feature_extractor = False  # type: ignore[assignment]

    def __init__(
        self,
        model: Any,
        tokenizer: Any = None,
        ner_model: Any = None,
        ner_tokenizer: Any = None,
        mt_model: Any = None,
        mt_tokenizer: Any = None,
        revision: str | None = None,
        token: str | bool | None = None,
        backend: str | None = None,
        compute_type: str | None = None,
        decoding: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("batch_size", DEFAULTS.batch_size)
        defaults = {k: kwargs.pop(k) for k in CALL_FIELDS if k in kwargs}  # pipeline(..., strictness="fuzzy")
        self._base_options = ProjectionOptions.from_mapping(defaults)  # the decoding is set below
        super().__init__(model=model, tokenizer=tokenizer, **kwargs)
        check_loader_sizes(self._batch_size, self._num_workers)
        hub = _HUB_ARGS.pop(model, {})
        root = hub.get("name_or_path") or getattr(model, "name_or_path", "") or ""
        self._token = token if token is not None else hub.get("token")
        revision = revision if revision is not None else hub.get("revision")
        self.crop_config = _read_config(root, revision, self._token, given=ner_model is not None)
        self.ner_model, self.ner_tokenizer = self._load(
            ner_model, ner_tokenizer, "ner_model", AutoModelForTokenClassification
        )
        self.mt_model, self.mt_tokenizer = self._load(mt_model, mt_tokenizer, "mt_model", AutoModelForSeq2SeqLM)
        if self.mt_model is None:
            self.mt_model, self.mt_tokenizer = self.model, self.tokenizer
        for extra in (self.ner_model, self.mt_model):
            if extra is not None and extra is not self.model:
                extra.to(self.device)
        self.stats = FilterStats()
        # generation backend: given, else the saved one, else transformers (a saved compute type goes with its backend)
        self.backend = backend or self.crop_config.backend or "transformers"
        same = backend is None or backend == self.crop_config.backend
        self.compute_type = compute_type or (self.crop_config.compute_type if same else None)
        check_backend(self.backend, self.compute_type, self.device)  # a type this device cannot run: one warning
        self.decoding = choice("decoding", decoding or self.crop_config.decoding or "free", DECODINGS)
        self._base_options = ProjectionOptions.from_mapping({"decoding": self.decoding}, self._base_options)
        self._labeler: ConstrainedLabeler | None = None
        self._translators: dict[int, Translator] = {}
        self._chains: dict[tuple[ProjectionOptions, bool], FilterChain] = {}

    # ------------------------------------------------------------------ arguments

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:  # type: ignore[override]  # the options are keywords
        """Project one input, a list of them (a list back) or a stream of them (an iterator back)."""
        check_loader_sizes(kwargs.get("batch_size"), kwargs.get("num_workers"))
        mode = choice("mode", kwargs.get("mode") or self._preprocess_params.get("mode", "raw"), MODES)
        self._check_call(mode, kwargs)
        inputs = normalise_inputs(inputs, mode)
        if isinstance(inputs, list) and not inputs:
            return []  # transformers would look at inputs[0]
        return super().__call__(inputs, **kwargs)

    def _sanitize_parameters(self, **options: Any) -> tuple[dict, dict, dict]:
        pre, post = check_call_options(options, self._base_options)
        return pre, {}, post

    def _check_call(self, mode: str, kwargs: Mapping[str, Any]) -> None:
        """Checks that need the call's mode and the pipeline's models, before any input is read."""
        given = {**self._preprocess_params, **kwargs}
        if mode == "translate-train":
            if kwargs.get("src_lang") is not None:
                raise ValueError(
                    "mode='translate-train' translates English into the target language: pass tgt_lang="
                    f"{kwargs['src_lang']!r} (src_lang is the language of the input, English here)"
                )
            if given.get("tgt_lang") is None and not self.crop_config.default_lang:
                raise ValueError("mode='translate-train' needs the target language: pass tgt_lang='es' (for example)")
            return
        if kwargs.get("tgt_lang") is not None:
            raise ValueError("tgt_lang is for mode='translate-train'; raw sentences take src_lang= (their language)")
        if given.get("src_lang") is None and not self.crop_config.default_lang:
            raise ValueError("pass src_lang= (the language of the raw sentences), e.g. project(texts, src_lang='es')")
        if self.ner_model is None:
            raise ValueError("mode='raw' needs an English NER model: pipeline('crop-projection', ..., ner_model=...)")

    # ------------------------------------------------------------------ the three steps

    def preprocess(  # type: ignore[override]  # the step's parameters are named, as _sanitize_parameters gives them
        self,
        inputs: Any,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        mode: str = "raw",
        settings: ProjectionOptions | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Check one input and run the text filters (length, then the raw sentence's language if asked); never raises.

        ``settings``: the call's :class:`~crop_hf.projection.projection_options.ProjectionOptions`, carried whole by
        the item to the later steps (called directly, ``fields`` over the pipeline's own make one).
        ``check_language`` checks the language of the translations
        (after LST, see :meth:`_check_translation`), as CROP does; ``check_raw_language`` also checks the raw
        sentence before any model runs (for text whose language is not known); ``langid_candidates`` (e.g. the
        languages of the corpus plus ``"en"``) avoids confusing close relatives such as Norwegian and Danish.
        """
        key = settings or ProjectionOptions.from_mapping(fields, self._base_options)
        chain = self._chain(key)
        if mode == "translate-train":
            return {"item": self._preprocess_labeled(inputs, tgt_lang or self.crop_config.default_lang, key)}
        lang = src_lang or self.crop_config.default_lang
        text = inputs.get("text") if isinstance(inputs, Mapping) else inputs
        if not isinstance(text, str):
            what = "a row without a 'text' field" if isinstance(inputs, Mapping) else type(inputs).__name__
            return {
                "item": Item(mode, lang, None, drop=(WRONG_TYPE, f"expected a string, got {what}: {inputs!r:.60}"))
            }
        bad = lone_surrogate(text)
        if bad is not None:
            shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
            return {
                "item": Item(mode, lang, shown, drop=(UNDECODABLE, f"lone surrogate U+{ord(text[bad]):04X} at {bad}"))
            }
        item = Item(mode, lang, text, split_tokens(text, get_language(lang or "").char_level), settings=key)
        if not item.tokens:
            item.drop = (EMPTY, "empty or whitespace-only input")
            return {"item": item}
        try:
            drop = chain.check(FilterInput(text, [t.text for t in item.tokens], lang or ""))
        except Exception as err:  # langid.py on odd text: a discard, never the end of the batch
            item.drop = (LANGID_ERROR, f"{type(err).__name__}: {err}"[:200])
            return {"item": item}
        if drop is not None:
            raw_language = drop.filter == WRONG_LANGUAGE  # counted apart from the translations' language drops
            item.drop = (RAW_LANGUAGE, f"raw sentence: {drop.reason}") if raw_language else (drop.filter, drop.reason)
        return {"item": item}

    def _forward(self, model_inputs: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]  # items, no tensors
        """Run MT, NER and LST for a batch of preprocessed inputs (grouped per language)."""
        batch = model_inputs["item"]
        items = batch if isinstance(batch, list) else [batch]
        raw = [it for it in items if it.drop is None and it.mode == "raw"]
        for lang in sorted({it.lang for it in raw}):
            group = [it for it in raw if it.lang == lang]
            english = _guarded(group, "MT", lambda g, lang=lang: self._translate(
                self.mt_model, self.mt_tokenizer, [it.text for it in g], lang, "en"))  # fmt: skip
            for it, en in zip(group, english):
                if it.drop is None:
                    it.english = en
                    if en is None:
                        it.drop = (NOT_TRANSLATED, "longer than the MT model accepts")
            group = [it for it in group if it.drop is None]
            words = [[t.text for t in split_tokens(escape_markers(it.english), False)] for it in group]
            words_of = {id(it): w for it, w in zip(group, words)}
            tags = _guarded(group, "NER", lambda g, words_of=words_of: predict_tags(
                self.ner_model, self.ner_tokenizer, [words_of[id(it)] for it in g]))  # fmt: skip
            for it, w, t in zip(group, words, tags):
                if it.drop is None:
                    self._tag(it, w, t)
        live = [it for it in items if it.drop is None]
        for lang in sorted({it.lang for it in live}):
            group = [it for it in live if it.lang == lang]
            wrapped = {id(it): wrap(it.en_tokens, it.en_spans) for it in group}
            constrained = [it for it in group if _constrained(it)]
            self._place(constrained, wrapped, lang)
            free = [it for it in group if not _constrained(it)]
            outputs = _guarded(free, "LST", lambda g, lang=lang, wrapped=wrapped: self._translate(
                self.model, self.tokenizer, [wrapped[id(it)] for it in g], "en", lang))  # fmt: skip
            for it, out in zip(free, outputs):
                if it.drop is None:
                    it.labeled_translation = out
                    if out is None:
                        it.drop = (NOT_TRANSLATED, "longer than the LST model accepts")
        for it in live:
            if it.drop is None and not _constrained(it):  # a constrained output is the raw sentence itself
                self._check_translation(it)
        return {"item": batch}

    def _place(self, group: list[Item], wrapped: Mapping[int, str], lang: str) -> None:
        """Constrained decoding: the slots of each item placed into its raw sentence (:class:`ConstrainedLabeler`)."""
        if not group:
            return
        if self._labeler is None:
            self._labeler = ConstrainedLabeler(self.model, self.tokenizer)
        labeler, char_level = self._labeler, get_language(lang).char_level
        labeler.batch_size = len(group)
        placed = _guarded(group, "LST", lambda g: labeler.place(
            [wrapped[id(it)] for it in g], [[t.text for t in it.tokens] for it in g],
            [len(it.en_spans or []) for it in g], lang, char_level, [_anchors(it) for it in g],
            [_capitalized(it) for it in g]))  # fmt: skip
        for it, placement in zip(group, placed):
            if it.drop is not None:
                continue
            it.placement = placement
            if placement is None:
                it.drop = (NO_PLACEMENT, "the slots cannot be placed in the raw sentence (too few words, too few "
                           "capitalized words for the English names, or longer than the LST model accepts)")  # fmt: skip
            else:
                it.labeled_translation = placement.text

    def postprocess(  # type: ignore[override]  # the step's parameters are named, as _sanitize_parameters gives them
        self,
        model_outputs: dict[str, Any],
        return_stages: bool = False,
        settings: ProjectionOptions | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Match (raw mode) or read (translate-train) the entities of one sentence: one JSON-ready dict.

        ``return_stages=True`` adds ``"stages": {"english_tokens": [...], "english_tags": [...]}``, the English
        words the NER model tagged (raw mode) or the given example (translate-train), ``None`` where the sentence
        was discarded before that stage; ``english`` and ``labeled_translation`` are in every result. ``settings``:
        the call's options (called directly, ``fields`` over the pipeline's own make them); the item's own, with
        which it was filtered and decoded, otherwise.
        """
        it: Item = model_outputs["item"]
        options = settings or (ProjectionOptions.from_mapping(fields, it.settings or self._base_options))
        extra = {"english": it.english, "labeled_translation": it.labeled_translation}
        try:
            if it.drop is not None:
                result = discard(it.text, it.lang, it.tokens, it.drop[0], it.drop[1], **extra)
            elif it.placement is not None and it.text is not None:  # constrained: slots already in the raw words
                result = place_into_raw(it.text, it.lang or "", it.tokens, it.en_spans, it.placement,
                                        options.min_slot_score, **extra)  # fmt: skip
            else:
                text, lang, spans, output = _translated(it)
                parsed = parse_slots(output, expected=range(len(spans)))
                if it.mode == "translate-train":
                    result = label_translation(text, lang, spans, parsed, get_language(lang).char_level, **extra)
                else:
                    result = project_into_raw(text, lang, it.tokens, spans, parsed, options.strictness,
                                              options.min_score, **extra)  # fmt: skip
        except Exception as err:  # a bug or odd model output on this sentence: counted, logged, never fatal
            logger.warning("projection failed on %r: %s: %s", (it.text or "")[:60], type(err).__name__, err)
            result = discard(it.text, it.lang, it.tokens, MODEL_ERROR, f"{type(err).__name__}: {err}"[:200], **extra)
        self.stats.add(result.reason)
        out = result.to_dict()
        if return_stages:
            tags = None if it.en_spans is None else spans_to_tags(it.en_spans, len(it.en_tokens or []))
            out["stages"] = {"english_tokens": it.en_tokens, "english_tags": tags}
        return out

    # ------------------------------------------------------------------ persistence and helpers

    def save_pretrained(self, save_directory: str | os.PathLike[str], **kwargs: Any) -> None:
        """Write everything ``pipeline("crop-projection", model=save_directory)`` needs (no remote code)."""
        out = Path(save_directory)
        out.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(out, **kwargs)
        if self.tokenizer is not None:
            self.tokenizer.save_pretrained(out)
        config = CropProjectionConfig(
            languages=list(self.crop_config.languages),
            default_lang=self.crop_config.default_lang,
            backend=None if self.backend == "transformers" else self.backend,
            compute_type=self.compute_type,
            decoding=None if self.decoding == "free" else self.decoding,
            extra=dict(self.crop_config.extra),
        )
        for key, model, tok, sub in (
            ("ner_model", self.ner_model, self.ner_tokenizer, "ner"),
            ("mt_model", self.mt_model, self.mt_tokenizer, "mt"),
        ):
            if model is None or model is self.model:
                setattr(config, key, None if model is None else ".")
                continue
            model.save_pretrained(out / sub, **kwargs)
            tok.save_pretrained(out / sub)
            setattr(config, key, sub)
        config.save_pretrained(out)

    def _translate(self, model: Any, tokenizer: Any, texts: Sequence[str], src: str, tgt: str) -> list[str | None]:
        """Every translation the pipeline makes goes through here (one place for another backend to plug in)."""
        translator = self._translators.get(id(model))
        if translator is None:
            translator = self._translators[id(model)] = make_translator(
                model, tokenizer, self.backend, self.compute_type, batch_size=len(texts) or 1
            )
        translator.batch_size = max(1, len(texts))
        return translator.translate(texts, src, tgt)

    def _tag(self, it: Item, words: list[str], tags: list[str]) -> None:
        it.en_tokens, it.en_spans = words, tags_to_spans(tags)
        if it.settings is None:  # items built without filter settings (wrong input types) never reach NER
            return
        drop = self._chain(it.settings).check(FilterInput(it.english or "", words, it.lang or "", tags=tags))
        if drop is not None:
            it.drop = (drop.filter, f"English NER: {drop.reason}")

    def _check_translation(self, it: Item) -> None:
        """CROP's language filter on translated sentences: the labeled back-translation (raw mode) or the output
        (translate-train), slot markers removed, must be in the item's language; a discard names the text checked."""
        settings = it.settings
        if settings is None or not settings.check_language:
            return
        text = parse_slots(it.labeled_translation or "").text
        what = "labeled translation" if it.mode == "raw" else "translation"
        language_filter = LanguageFilter(settings.langid_candidates, settings.language_identifier)
        try:
            reason = language_filter(FilterInput(text, text.split(), it.lang or ""))
        except Exception as err:  # the identifier on odd model output: a discard, never the end of the batch
            it.drop = (LANGID_ERROR, f"{what}: {type(err).__name__}: {err}"[:200])
            return
        if reason is not None:
            it.drop = (language_filter.name, f"{what}: {reason}")

    def _chain(self, key: ProjectionOptions, english: bool = False) -> FilterChain:
        """The text and tag filters of one set of options, built once per process (the raw-language check in it,
        unless the text is English gold: ``english``)."""
        if (key, english) not in self._chains:
            self._chains[key, english] = FilterChain.default(
                key.max_words, key.check_raw_language and not english, key.langid_candidates, key.max_entities,
                key.language_identifier,
            )  # fmt: skip
        return self._chains[key, english]

    def _preprocess_labeled(self, inputs: Any, tgt_lang: str | None, key: ProjectionOptions) -> Item:
        if not isinstance(inputs, Mapping) or not isinstance(inputs.get("tokens"), Sequence) or "tags" not in inputs:
            detail = f"mode='translate-train' takes {{'tokens': [...], 'tags': [...]}}, got {inputs!r:.60}"
            return Item("translate-train", tgt_lang, None, drop=(WRONG_TYPE, detail), settings=key)
        tokens, tags = [str(t) for t in inputs["tokens"]], [str(t) for t in inputs["tags"]]
        text = " ".join(tokens)
        item = Item("translate-train", tgt_lang, text, tokens_from_words(tokens), english=text, settings=key)
        if len(tokens) != len(tags):
            item.drop = (WRONG_TYPE, f"{len(tokens)} tokens but {len(tags)} tags in {text[:60]!r}")
            return item
        try:
            item.en_tokens, item.en_spans = tokens, tags_to_spans(tags)
        except ValueError as err:  # a tag such as "PER" without its B-/I- prefix
            item.drop = (WRONG_TYPE, str(err))
            return item
        chain = self._chain(key, english=True)  # the same length and entity filters as projection
        drop = chain.check(FilterInput(text, tokens, "en")) or chain.check(FilterInput(text, tokens, "en", tags=tags))
        if drop is not None:
            item.drop = (drop.filter, f"English sentence: {drop.reason}")
        return item

    def _load(self, given: Any, tokenizer: Any, key: str, auto_cls: Any) -> tuple[Any, Any]:
        """A sub-model as given (a model object, a path or Hub id), else as ``crop_projection.json`` names it."""
        if given is not None and not isinstance(given, (str, Path)):
            return given, tokenizer or AutoTokenizer.from_pretrained(given.name_or_path)
        if given is not None:
            spec: SubModel | None = SubModel(str(given))
        else:
            required = key == "ner_model" and self.crop_config.root is not None  # a saved pipeline needs its NER
            spec = self.crop_config.sub_model(key, required=required, token=self._token)
        if spec is None:
            return None, tokenizer
        kwargs = spec.load_kwargs(self._token)
        model = auto_cls.from_pretrained(spec.name_or_path, **kwargs)
        return model, tokenizer or AutoTokenizer.from_pretrained(spec.name_or_path, **kwargs)


def _translated(it: Item) -> tuple[str, str, list[Span], str]:
    """The text, language, English entities and labeled translation of an item the models went through (a
    ``RuntimeError``, counted as a ``model_error`` discard, if one is missing)."""
    if it.text is None or it.lang is None or it.en_spans is None or it.labeled_translation is None:
        raise RuntimeError("the item reached matching without its text, language, entities or translation")
    return it.text, it.lang, it.en_spans, it.labeled_translation


def _anchors(it: Item) -> dict[int, tuple[int, int]]:
    """The English entities of ``it`` whose words stand verbatim in its raw sentence (a name that translation copied):
    their slots are pinned there and constrained decoding places only the others."""
    spans, words = it.en_spans or [], it.en_tokens or []
    entities = [(words[s.start : s.end], s.label, i) for i, s in enumerate(spans)]
    return {m.slot_id: (m.start, m.end) for m in match_entities(it.tokens, entities, it.lang or "", "exact").matches}


def _capitalized(it: Item) -> set[int]:
    """The slots of ``it`` whose English entity starts with a capital letter (placed on a word that does too)."""
    words = it.en_tokens or []
    return {i for i, s in enumerate(it.en_spans or []) if words[s.start][:1].isupper()}


def _constrained(it: Item) -> bool:
    """Whether the item's labeled back-translation is decoded under constraints (raw mode only)."""
    return it.mode == "raw" and it.settings is not None and it.settings.decoding == "constrained"


def _guarded(group: list[Item], what: str, run: Any) -> list[Any]:
    """``run(group)``; if it fails, each item alone, and an item that fails alone is discarded (``model_error``)."""
    if not group:
        return []
    try:
        return list(run(group))
    except Exception as err:
        if len(group) > 1:
            logger.info("%s failed on a batch of %d (%s); retrying one by one", what, len(group), err)
    outputs: list[Any] = []
    for it in group:
        try:
            outputs.extend(run([it]))
        except Exception as err:
            logger.warning("%s failed on %r: %s: %s", what, (it.text or "")[:60], type(err).__name__, err)
            it.drop = (MODEL_ERROR, f"{what}: {type(err).__name__}: {err}"[:200])
            outputs.append(None)
    return outputs


def _read_config(root: str, revision: str | None, token: Any, given: bool) -> CropProjectionConfig:
    """The checkpoint's ``crop_projection.json``, or an empty config for a bare LST model."""
    from ..base.hub import HubUnavailableError

    if not root:
        return CropProjectionConfig()
    try:
        config = CropProjectionConfig.from_pretrained(root, revision=revision, token=token)
    except HubUnavailableError:
        if not given:
            raise
        logger.warning("%s: crop_projection.json cannot be read (offline); using the models given", root)
        config = None
    return config if config is not None else CropProjectionConfig()  # a bare LST model: nothing saved


class _LSTModel(AutoModelForSeq2SeqLM):
    """What ``pipeline("crop-projection", model=...)`` loads the LST model with: ``AutoModelForSeq2SeqLM``, noting
    the repository, revision and token (in memory only) so that the sub-models load from the same place."""

    @classmethod
    def from_pretrained(cls, pretrained_model_name_or_path: Any, *args: Any, **kwargs: Any) -> Any:
        model = AutoModelForSeq2SeqLM.from_pretrained(pretrained_model_name_or_path, *args, **kwargs)
        hub = {"revision": kwargs.get("revision"), "token": kwargs.get("token")}
        _HUB_ARGS[model] = {"name_or_path": str(pretrained_model_name_or_path), **hub}
        return model


def register_pipeline() -> None:
    """Register ``"crop-projection"`` with transformers (this module does it when imported)."""
    if PIPELINE_REGISTRY.supported_tasks.get(TASK, {}).get("impl") is not CropProjectionPipeline:
        PIPELINE_REGISTRY.register_pipeline(TASK, pipeline_class=CropProjectionPipeline, pt_model=_LSTModel)


register_pipeline()
