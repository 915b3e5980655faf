"""Recipes: the YAML description of a whole CROP run, loaded into plain dataclasses and checked before any work.

A recipe names the languages, the data of each role, the models of each role, the settings of each stage and
what to publish. ``crop-hf run demo|conll5|xtreme40|FILE`` reads one; the shipped ones live in
``crop_hf/recipes/`` (package data, so an installed wheel has them). Schema, every key optional unless marked::

    name: conll5                   # free text; default: the file's stem
    benchmark: conll5              # conll5 | xtreme40 | masakhaner2 | none: which published table the report
                                   # stands beside (masakhaner2: the later methods' numbers, not CROP's paper)
    label_scheme: conll            # conll (PER LOC ORG MISC) | xtreme (PER LOC ORG)
    seed: 42                       # the data, the alignment and the LST model
    seeds: [42, 43, 44]            # optional: the NER stages (zero-shot, translate-train, self-training) once per
                                   # seed, LST model and projection shared; the report gives mean and std. Default:
                                   # [seed]. The first seed's English NER model serves projection, its CROP model
                                   # is the one the cards describe and push publishes.
    languages: [es, nl, de, no]    # required: target languages (codes of crop_hf.core.languages)
    data:                          # each role: one source (builder | hub | files | builtin)
      english:     {builder: conll5, config: en, data_dir: DIR, split: train}       # English gold NER (required)
                   # any NER source may add label_map: {MISC: O} (a type -> the recipe's type, or O: dropped); a
                   # tag outside the label scheme is an error naming it
      target_raw:  {builder: conll5, config: "{lang}", data_dir: DIR, split: train}  # raw target text (labels
                                   # are removed before projection and kept aside to score it); default: target_test's
                                   # source with split train, as in the paper
      target_test: {builder: conll5, config: "{lang}", data_dir: DIR, split: test}   # required
      parallel:    {builder: ccaligned, config: "sentences-{lang}", data_dir: DIR, limit: 100000}
      lst_test:    {builder: flores, data_dir: DIR, split: devtest}   # optional: FLORES-101/200 as distributed
                                   # (DIR/devtest/<code>.devtest, one sentence a line, aligned across languages)
                   # or {files: {es: pairs-es.tsv, ...}}: TSV "english<TAB>target" or JSON lines with
                   # src_tokens / tgt_tokens (and optionally phrases)
    models:
      lst: facebook/m2m100_418M    # required: LST initialisation (Hub id or local directory)
      ner: xlm-roberta-base        # required: encoder of the English NER and self-trained models
      mt: null                     # separate xx->en model; null: the LST model is also trained xx->en and used
      english_ner: null            # an English NER model already fine-tuned: skips English NER training
    alignment: {max_phrase_len: 4, method: eflomal}   # method: eflomal | gold (gold needs data with alignment)
    lst: {...}                     # fields of LabeledSeq2SeqTrainingArguments (alpha, max_slots, lora_r, ...)
    ner: {...}                     # fields of SelfTrainingArguments for the English NER model
    projection: {...}              # fields of crop_hf.ProjectionOptions (strictness, max_words, check_language,
                                   # batch_size, shard_size, backend, ...); langid_candidates: auto is the run's
                                   # languages and English; max_entities: null is no limit
    selftrain: {...}               # fields of SelfTrainingArguments (iterations, confidence_threshold, ...)
    baselines: [translate_train, translate_test]   # systems evaluated beside CROP; [] for none
    translate_train: {sentences: null}   # English gold sentences translated per language (null: all of them)
    lst_quality: {heldout_pairs: 250, spm_model: null, sentences: null, batch_size: 32}
                                   # pairs per language held out of LST training for the labeled-translation
                                   # measure (paper Table 6); the FLORES SentencePiece model for spBLEU (Table 5)
    publish: {pipeline_repo: null, ner_repo: null, private: false, revision: null, push: false, dry_run: true}

A source's ``config`` may hold ``{lang}``, filled per target language. ``files`` may be one path with ``{lang}``
or a mapping language -> path. Relative paths resolve against the recipe file's folder (shipped recipes: the
working directory), and so does a model given as a relative path to a folder there. The file is read within bounds
(:mod:`crop_hf.run.safe_yaml`: size, UTF-8, nesting, aliases, no key twice). Every unknown key is an error naming the closest known one.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base.errors import CropHfError
from ..core.languages import get_language
from ..projection.projection_options import NULLABLE, OptionError, ProjectionOptions

SHIPPED = ("demo", "conll5", "xtreme40", "masakhaner2")
BENCHMARKS = ("conll5", "xtreme40", "masakhaner2", "none")
ROLES = ("english", "target_raw", "target_test", "parallel", "lst_test")
BUILDERS = ("conll5", "xtreme40", "masakhaner2", "ccaligned", "flores", "builtin")
BASELINES = ("translate_train", "translate_test")
TRANSLATE_TRAIN_TYPES: dict[str, Any] = {"sentences": int | None}
LST_QUALITY_TYPES: dict[str, Any] = {"heldout_pairs": int, "spm_model": str | None, "sentences": int | None,
                                     "batch_size": int}  # fmt: skip
LST_QUALITY_DEFAULTS: dict[str, Any] = {"heldout_pairs": 250, "spm_model": None, "sentences": None, "batch_size": 32}
ALIGNMENT_TYPES: dict[str, Any] = {"max_phrase_len": int, "method": str, "max_tokens": int}
# the training settings that have a floor, and what to give instead (max_steps -1: train by epochs)
LOWEST: dict[str, tuple[float, str]] = {
    "max_steps": (-1, "give a whole number >= 1, or -1 to train by num_train_epochs"),
    "num_train_epochs": (0, "give a number > 0 of epochs"),
    "learning_rate": (0, "give a learning rate >= 0, e.g. 5e-5"),
    "per_device_train_batch_size": (1, "give a batch size >= 1"),
    "per_device_eval_batch_size": (1, "give a batch size >= 1"),
    "gradient_accumulation_steps": (1, "give a whole number >= 1"),
    "iterations": (1, "give a number of self-training rounds >= 1"),
    "warmup_steps": (0, "give a number >= 0 (a fraction below 1 is a share of the steps)"),
    "save_steps": (0, "give a number >= 0"),
    "logging_steps": (0, "give a number >= 0"),
}
SECTIONS = ("alignment", "lst", "ner", "projection", "selftrain", "publish", "translate_train", "lst_quality")


class RecipeError(CropHfError, ValueError):
    """A recipe that cannot run: the message names the file, the key and what to do."""


@dataclass
class DataSource:
    """Where one role's data comes from: a crop-hf builder, a Hub dataset, local files or the built-in corpus."""

    builder: str | None = None
    config: str | None = None
    data_dir: str | None = None
    hub: str | None = None
    files: str | dict[str, str] | None = None
    split: str | None = None
    limit: int | None = None
    options: dict[str, Any] = field(default_factory=dict)  # extra builder config fields, or built-in corpus sizes
    label_map: dict[str, str] = field(default_factory=dict)  # entity type -> the recipe's type, or O to drop it

    @property
    def kind(self) -> str:
        return "builder" if self.builder else "hub" if self.hub else "files"

    def config_for(self, lang: str) -> str | None:
        return self.config.replace("{lang}", lang) if self.config else None

    def file_for(self, lang: str) -> str:
        if isinstance(self.files, Mapping):
            if lang not in self.files:
                raise RecipeError(f"data files: no file for language {lang!r}; add '{lang}: PATH' under files")
            return self.files[lang]
        return str(self.files).replace("{lang}", lang)

    def file_paths(self, languages: Sequence[str]) -> list[str]:
        """The local files of a ``files`` source: the mapping's values, or the ``{lang}`` pattern per language."""
        if not self.files:
            return []
        return list(self.files.values()) if isinstance(self.files, Mapping) else [self.file_for(x) for x in languages]

    def describe(self) -> str:
        if self.builder == "builtin":
            return "built-in synthetic corpus (crop_hf.demo)"
        if self.builder:
            missing = " (not found)" if self.data_dir and not Path(self.data_dir).is_dir() else ""
            where = f" from {self.data_dir}{missing}" if self.data_dir else ""
            return f"builder {self.builder}({self.config or '-'}, split={self.split or '-'}){where}"
        if self.hub:
            return f"Hub dataset {self.hub}({self.config or '-'}, split={self.split or '-'})"
        return f"files {self.files}"


@dataclass
class Models:
    lst: str
    ner: str
    mt: str | None = None
    english_ner: str | None = None


@dataclass
class Publish:
    pipeline_repo: str | None = None
    ner_repo: str | None = None
    private: bool = False
    revision: str | None = None
    push: bool = False
    dry_run: bool = True


@dataclass
class Recipe:
    """A loaded, checked recipe. ``lst``, ``ner``, ``selftrain`` hold argument-dataclass fields as given."""

    name: str
    languages: list[str]
    data: dict[str, DataSource]
    models: Models
    benchmark: str = "none"
    label_scheme: str = "conll"
    seed: int = 42
    seeds: list[int] = field(default_factory=list)  # the NER stages' seeds; empty: [seed]
    alignment: dict[str, Any] = field(default_factory=lambda: {"max_phrase_len": 4, "method": "eflomal"})
    lst: dict[str, Any] = field(default_factory=dict)
    ner: dict[str, Any] = field(default_factory=dict)
    projection: dict[str, Any] = field(default_factory=dict)
    selftrain: dict[str, Any] = field(default_factory=dict)
    baselines: list[str] = field(default_factory=list)
    translate_train: dict[str, Any] = field(default_factory=dict)
    lst_quality: dict[str, Any] = field(default_factory=dict)
    publish: Publish = field(default_factory=Publish)
    source: str = ""  # the file it was read from

    @property
    def builtin(self) -> bool:
        """Whether the run uses the built-in corpus and tiny models (the demo)."""
        return any(src.builder == "builtin" for src in self.data.values())

    def projection_options(self) -> ProjectionOptions:
        """The ``projection`` section over the defaults; ``langid_candidates: auto`` becomes the identifier's codes
        for the run's languages and English (which keeps close relatives such as no / da apart)."""
        given = {k: v for k, v in self.projection.items() if v is not None or k in NULLABLE}  # null: the default
        if given.get("langid_candidates") == "auto":
            from ..core.language_id import auto_candidates

            identifier = given.get("language_identifier", ProjectionOptions.language_identifier)
            given["langid_candidates"] = auto_candidates(self.languages, identifier)
        return ProjectionOptions.from_mapping(given)

    @property
    def ner_seeds(self) -> list[int]:
        """The seeds the NER stages run with: ``seeds``, else ``[seed]``."""
        return list(self.seeds) or [self.seed]

    def lst_quality_options(self) -> dict[str, Any]:
        return {**LST_QUALITY_DEFAULTS, **self.lst_quality}


def load_recipe(name_or_path: str | Path, overrides: Sequence[str] = ()) -> Recipe:
    """Read a shipped recipe (``demo``, ``conll5``, ``xtreme40``) or a YAML file, apply ``key=value`` overrides."""
    import yaml

    from .safe_yaml import YamlLimitError, load_yaml

    path = recipe_path(name_or_path)
    try:
        raw = load_yaml(path.read_bytes(), str(path)) or {}
    except YamlLimitError as err:
        raise RecipeError(str(err) if str(err).startswith(str(path)) else f"{path}: {err}") from None
    except yaml.YAMLError as err:
        raise RecipeError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from err
    if not isinstance(raw, dict):
        raise RecipeError(f"{path}: expected a mapping of recipe keys at the top, got {type(raw).__name__}")
    for item in overrides:
        apply_override(raw, item)
    base = Path.cwd() if str(name_or_path) in SHIPPED else path.parent
    return parse_recipe(raw, source=str(path), base_dir=base)


def recipe_path(name_or_path: str | Path) -> Path:
    if str(name_or_path) in SHIPPED:
        from importlib.resources import files

        return Path(str(files("crop_hf") / "recipes" / f"{name_or_path}.yaml"))
    path = Path(name_or_path)
    if not path.is_file():
        raise RecipeError(
            f"recipe {str(name_or_path)!r}: no such file; give a YAML file or one of {', '.join(SHIPPED)}"
        )
    return path


def apply_override(raw: dict[str, Any], item: str) -> None:
    """``lst.max_steps=200`` sets ``raw["lst"]["max_steps"] = 200``; the value is read as YAML (``[es,nl]``, ``null``)."""
    import yaml

    from .safe_yaml import YamlLimitError, load_yaml

    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise RecipeError(f"--set {item!r}: expected KEY=VALUE, e.g. --set lst.max_steps=200")
    node = raw
    parts = key.strip().split(".")
    for part in parts[:-1]:
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise RecipeError(f"--set {item!r}: {part!r} is not a section of the recipe")
        node = child
    try:
        node[parts[-1]] = load_yaml(value, f"--set {key.strip()}") if value.strip() else None
    except YamlLimitError as err:
        raise RecipeError(str(err)) from None
    except yaml.YAMLError as err:
        raise RecipeError(f"--set {item!r}: the value is not valid YAML ({str(err).splitlines()[0]})") from err


def parse_recipe(raw: Mapping[str, Any], source: str = "<recipe>", base_dir: Path | None = None) -> Recipe:
    """Check every key and value of a recipe mapping; relative data paths resolve against ``base_dir``."""
    top = {f.name for f in dataclasses.fields(Recipe)} - {"source"}
    _check_keys(raw, top, source, "")
    for key in SECTIONS:
        if raw.get(key) is not None and not isinstance(raw[key], Mapping):
            raise RecipeError(f"{source}: '{key}' must be a mapping of settings, got {raw[key]!r:.60}; "
                              f"e.g. --set {key}.<field>=<value>")  # fmt: skip
    seed = raw.get("seed", 42)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise RecipeError(f"{source}: seed={seed!r}: give a whole number, e.g. seed: 42")
    for key in ("languages", "data", "models"):
        if not raw.get(key):
            raise RecipeError(f"{source}: '{key}' is required (see crop_hf.run.recipe for the schema)")
    languages = raw["languages"]
    if isinstance(languages, str):
        languages = [x.strip() for x in languages.split(",") if x.strip()]
    if not isinstance(languages, list):
        raise RecipeError(f"{source}: languages={languages!r}: give a list of target language codes, e.g. [es, nl]")
    # YAML 1.1 reads an unquoted ``no`` as false: in a language list it can only mean Norwegian
    languages = ["no" if lang is False else lang for lang in languages]
    for lang in languages:
        try:
            get_language(str(lang))
        except (KeyError, ValueError) as err:
            raise RecipeError(f"{source}: languages: {err}") from err
    if "en" in languages:
        raise RecipeError(f"{source}: languages lists 'en': list the target languages only (English is the source)")
    twice = sorted({str(x) for x in languages if languages.count(x) > 1})
    if twice:
        raise RecipeError(f"{source}: languages lists {', '.join(twice)} more than once: list each language once")
    data = _data(raw["data"], source, base_dir)
    models = _section(Models, raw["models"], source, "models")
    for role, value in dataclasses.asdict(models).items():  # a relative folder beside the recipe, not a Hub id
        if base_dir is not None and value and not Path(value).is_absolute() and (base_dir / value).is_dir():
            setattr(models, role, str(base_dir / value))
    publish = _section(Publish, raw.get("publish") or {}, source, "publish")
    recipe = Recipe(
        name=str(raw.get("name") or Path(source).stem),
        languages=[str(x) for x in languages],
        data=data,
        models=models,
        benchmark=str(raw.get("benchmark", "none")),
        label_scheme=str(raw.get("label_scheme", "conll")),
        seed=seed,
        seeds=_seeds(raw.get("seeds"), source),
        alignment={"max_phrase_len": 4, "method": "eflomal", **(raw.get("alignment") or {})},
        lst=dict(raw.get("lst") or {}),
        ner=dict(raw.get("ner") or {}),
        projection=dict(raw.get("projection") or {}),
        selftrain=dict(raw.get("selftrain") or {}),
        baselines=_baselines(raw.get("baselines"), source),
        translate_train=dict(raw.get("translate_train") or {}),
        lst_quality=dict(raw.get("lst_quality") or {}),
        publish=publish,
        source=source,
    )
    _check_values(recipe)
    if recipe.lst_quality.get("spm_model") and base_dir is not None:
        recipe.lst_quality["spm_model"] = _resolve(recipe.lst_quality["spm_model"], base_dir)
    return recipe


def check_stage_fields(recipe: Recipe) -> None:
    """Every key under ``lst``, ``ner`` and ``selftrain`` is a field of that stage's arguments dataclass, and its
    value fits the field's type (``3e-4`` read as text becomes the number; ``abc`` for a number is an error)."""
    from ..training.selftrain import SelfTrainingArguments
    from ..training.trainer import SLOT_PHRASES, LabeledSeq2SeqTrainingArguments
    from .values import field_types

    for section, cls in (("lst", LabeledSeq2SeqTrainingArguments), ("ner", SelfTrainingArguments),
                         ("selftrain", SelfTrainingArguments)):  # fmt: skip
        types = field_types(cls)
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        settings = getattr(recipe, section)
        _check_keys(settings, set(types) - {"output_dir"}, recipe.source, section + ".")
        for key, value in settings.items():
            if value is None and defaults.get(key) is None:
                continue
            settings[key] = _typed(recipe.source, f"{section}.{key}", value, types[key])
            low = LOWEST.get(key)
            if low is not None and isinstance(settings[key], (int, float)) and settings[key] < low[0]:
                raise RecipeError(f"{recipe.source}: {section}.{key}={settings[key]!r}: {low[1]}")
    slot_phrases = recipe.lst.get("slot_phrases", "all")
    if slot_phrases not in SLOT_PHRASES:
        raise RecipeError(f"{recipe.source}: lst.slot_phrases={slot_phrases!r}: use {' or '.join(SLOT_PHRASES)}")


def check_paths(recipe: Recipe) -> None:
    """Every local folder and file the recipe names exists (checked before a run writes anything)."""
    for role, src in recipe.data.items():
        if src.data_dir and not Path(src.data_dir).is_dir():
            raise RecipeError(f"{recipe.source}: data.{role}.data_dir {src.data_dir}: no such folder; check the path")
        for path in src.file_paths(recipe.languages):
            if not Path(path).is_file():
                raise RecipeError(f"{recipe.source}: data.{role}.files {path}: no such file; check the path")
    for role, value in dataclasses.asdict(recipe.models).items():
        if not value or value == "builtin":
            continue
        local = value.startswith((".", "/", "~")) or Path(value).exists()
        if local and not (Path(value).expanduser() / "config.json").is_file():
            raise RecipeError(f"{recipe.source}: models.{role} {value}: not a saved model folder (no config.json) "
                              "and not a Hub id")  # fmt: skip
    spm = recipe.lst_quality.get("spm_model")
    if spm:
        import sentencepiece

        where = f"{recipe.source}: lst_quality.spm_model {spm}"
        if not Path(spm).is_file():
            raise RecipeError(
                f"{where}: no such file; give a local copy of FLORES-101's flores101_sacrebleu_spm.model"
            )
        try:
            sentencepiece.SentencePieceProcessor(model_file=str(spm))
        except (OSError, RuntimeError):
            raise RecipeError(
                f"{where}: not a SentencePiece model; give FLORES-101's flores101_sacrebleu_spm.model"
            ) from None


def _data(raw: Any, source: str, base_dir: Path | None) -> dict[str, DataSource]:
    if not isinstance(raw, Mapping):
        raise RecipeError(f"{source}: 'data' must map roles ({', '.join(ROLES)}) to sources")
    _check_keys(raw, set(ROLES), source, "data.")
    data: dict[str, DataSource] = {}
    for role in ROLES:
        if raw.get(role) is None:
            continue
        src = _section(DataSource, raw[role], source, f"data.{role}")
        if sum(x is not None for x in (src.builder, src.hub, src.files)) != 1:
            raise RecipeError(f"{source}: data.{role}: give exactly one of builder, hub, files")
        if src.builder and src.builder not in BUILDERS:
            raise RecipeError(f"{source}: data.{role}.builder={src.builder!r}: use one of {', '.join(BUILDERS)}")
        if base_dir is not None:
            src.data_dir = _resolve(src.data_dir, base_dir)
            if isinstance(src.files, Mapping):
                src.files = {k: _resolve(v, base_dir) for k, v in src.files.items()}
            elif src.files is not None:
                src.files = _resolve(src.files, base_dir)
        data[role] = src
    for role in ("english", "target_test", "parallel"):
        if role not in data:
            raise RecipeError(f"{source}: data.{role} is required (see crop_hf.run.recipe for the schema)")
    if "target_raw" not in data:  # the paper: the targets' training split, labels removed
        data["target_raw"] = dataclasses.replace(
            data["target_test"], split="train", options=dict(data["target_test"].options)
        )
    return data


def _section(cls: type, raw: Any, source: str, where: str) -> Any:
    if not isinstance(raw, Mapping):
        raise RecipeError(f"{source}: '{where}' must be a mapping, got {raw!r:.60}")
    known = {f.name for f in dataclasses.fields(cls)}
    _check_keys(raw, known, source, where + ".")
    try:
        return cls(**raw)
    except TypeError as err:
        raise RecipeError(f"{source}: {where}: {err}") from err


def _check_keys(raw: Mapping[str, Any], known: set[str], source: str, prefix: str) -> None:
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(str(key), sorted(known), n=1)
            hint = f"did you mean '{prefix}{close[0]}'?" if close else f"known: {', '.join(sorted(known))}"
            raise RecipeError(f"{source}: unknown key '{prefix}{key}'; {hint}")


def _check_values(recipe: Recipe) -> None:
    src = recipe.source
    if recipe.benchmark not in BENCHMARKS:
        raise RecipeError(f"{src}: benchmark={recipe.benchmark!r}: use one of {', '.join(BENCHMARKS)}")
    if recipe.label_scheme not in ("conll", "xtreme"):
        raise RecipeError(f"{src}: label_scheme={recipe.label_scheme!r}: use conll or xtreme")
    if recipe.alignment.get("method") not in ("eflomal", "gold"):
        raise RecipeError(f"{src}: alignment.method={recipe.alignment.get('method')!r}: use eflomal or gold")
    for section, types in (("alignment", ALIGNMENT_TYPES), ("projection", _projection_types()),
                           ("translate_train", TRANSLATE_TRAIN_TYPES), ("lst_quality", LST_QUALITY_TYPES)):  # fmt: skip
        settings = getattr(recipe, section)
        _check_keys(settings, set(types), src, f"{section}.")
        for key, value in settings.items():
            settings[key] = _typed(src, f"{section}.{key}", value, types[key])
    for name in ("max_phrase_len", "max_tokens"):
        if recipe.alignment.get(name, 1) < 1:
            raise RecipeError(f"{src}: alignment.{name}={recipe.alignment[name]!r}: give a whole number >= 1")
    for section in ("translate_train", "lst_quality"):
        for key, value in getattr(recipe, section).items():
            if isinstance(value, int) and value < (0 if key == "heldout_pairs" else 1):
                raise RecipeError(f"{src}: {section}.{key}={value!r}: give a whole number >= 1 (heldout_pairs >= 0)")
    candidates = recipe.projection.get("langid_candidates")
    if isinstance(candidates, str) and candidates != "auto" or candidates == []:
        raise RecipeError(f"{src}: projection.langid_candidates={candidates!r}: give a list of langid codes "
                          "(e.g. [es, en]), auto (the run's languages and English) or null (all)")  # fmt: skip
    for key in ("private", "push", "dry_run"):
        _typed(src, f"publish.{key}", getattr(recipe.publish, key), bool)
    for role, data_src in recipe.data.items():
        if not isinstance(data_src.label_map, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in data_src.label_map.items()):  # fmt: skip
            raise RecipeError(f"{src}: data.{role}.label_map={data_src.label_map!r}: give entity types, e.g. "
                              "label_map: {MISC: O, DATE: O}")  # fmt: skip
        if data_src.limit is not None:
            limit = _typed(src, f"data.{role}.limit", data_src.limit, int)
            if limit < 1:
                raise RecipeError(f"{src}: data.{role}.limit={limit!r}: give a whole number >= 1, or null for all")
            data_src.limit = limit
    try:
        recipe.projection_options()
    except OptionError as err:
        raise RecipeError(f"{src}: projection.{err}") from None
    _check_lst_languages(recipe)
    if recipe.publish.push and not (recipe.publish.pipeline_repo or recipe.publish.ner_repo):
        raise RecipeError(f"{src}: publish.push is true but no repository is named: set publish.pipeline_repo")


def _seeds(raw: Any, source: str) -> list[int]:
    seeds = [] if raw is None else raw
    if not isinstance(seeds, list) or any(isinstance(s, bool) or not isinstance(s, int) for s in seeds):
        raise RecipeError(f"{source}: seeds={raw!r}: give a list of whole numbers, e.g. seeds: [42, 43, 44]")
    if len(set(seeds)) != len(seeds):
        raise RecipeError(f"{source}: seeds={raw!r}: list each seed once")
    return seeds


def _baselines(raw: Any, source: str) -> list[str]:
    names = [] if raw is None else [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or any(name not in BASELINES for name in names):
        raise RecipeError(f"{source}: baselines={raw!r}: give a list of {', '.join(BASELINES)}, or [] for none")
    return list(dict.fromkeys(names))


def _projection_types() -> dict[str, Any]:
    """The type each ``projection`` value is read as: its field's; ``min_score: null`` is its default, and
    ``langid_candidates`` may be ``auto``."""
    from .values import field_types

    return {**field_types(ProjectionOptions), "min_score": float | None, "langid_candidates": str | list | None}


def _typed(source: str, key: str, value: Any, hint: Any) -> Any:
    from .values import ValueProblem, coerce

    try:
        return coerce(value, hint)
    except ValueProblem as err:
        raise RecipeError(f"{source}: {key}={value!r}: {err}") from None


def _check_lst_languages(recipe: Recipe) -> None:
    """An M2M100 LST model cannot translate into a language M2M100 lacks (eu, te): say so before any work."""
    model = recipe.models.lst
    config = Path(model) / "config.json"
    is_m2m = "m2m100" in model.lower() or (config.is_file() and '"m2m_100"' in config.read_text(encoding="utf-8"))
    missing = [lang for lang in recipe.languages if is_m2m and get_language(lang).m2m100_code is None]
    if missing:
        raise RecipeError(
            f"{recipe.source}: models.lst={model!r} is an M2M100 model, which has no {', '.join(missing)}: use an "
            "NLLB-200 model (models.lst=facebook/nllb-200-distilled-600M) or leave those languages out"
        )


def _resolve(path: str | None, base_dir: Path) -> str | None:
    if path is None:
        return None
    p = Path(str(path)).expanduser()
    return str(p if p.is_absolute() else (base_dir / p))
