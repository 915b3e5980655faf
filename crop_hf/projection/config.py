"""``crop_projection.json``: what a saved crop-projection pipeline holds, and where each of its models lives.

:class:`CropProjectionConfig` is the one owner of that file: it reads it (from a folder or a Hub repository, at a
revision, with a token), writes it, and resolves the sub-model entries into the arguments of ``from_pretrained``.
The file, as :meth:`~crop_hf.projection.pipeline.CropProjectionPipeline.save_pretrained` writes it::

    {"task": "crop-projection", "lst_model": ".", "ner_model": "ner", "mt_model": null,
     "languages": ["es", "de"], "default_lang": "es"}

- ``lst_model`` is always ``"."``: the LST model is the checkpoint itself.
- ``ner_model`` (required) and ``mt_model`` (``null`` or ``"."``: the LST model translates both ways) are either a
  folder *inside* the checkpoint (``"ner"``) or a Hub id (``"org/name"``, at the revision recorded under
  ``revisions`` if any). Sub-models in the checkpoint's own folders load at the checkpoint's revision.

Loading is confined: absolute paths, ``..``, ``~``, backslashes, ``::`` and folders (or links) that resolve outside
the checkpoint are refused with one line naming the key and the file, so a crafted file cannot make the pipeline
load models from elsewhere on disk. Keys this class does not know (``slot_markers``, ``metrics``, ...) are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..base import hub
from ..base.errors import CropHfError
from .projection_options import DECODINGS

CONFIG_NAME = "crop_projection.json"
TASK = "crop-projection"
SUB_MODELS = ("ner_model", "mt_model")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
_KNOWN = {
    "task",
    "lst_model",
    "ner_model",
    "mt_model",
    "languages",
    "default_lang",
    "revisions",
    "backend",
    "compute_type",
    "decoding",
}


class ConfigError(CropHfError, ValueError):
    """A ``crop_projection.json`` that cannot be used as it is; the message names the file and the key."""


@dataclass(frozen=True)
class SubModel:
    """Where one sub-model loads from: ``from_pretrained(name_or_path, **kwargs)`` with :meth:`load_kwargs`."""

    name_or_path: str
    subfolder: str | None = None
    revision: str | None = None

    def load_kwargs(self, token: str | bool | None = None) -> dict[str, Any]:
        """``subfolder``, ``revision`` and ``token`` for ``from_pretrained``, only those that are set."""
        kwargs = {"subfolder": self.subfolder, "revision": self.revision, "token": token}
        return {k: v for k, v in kwargs.items() if v is not None}


@dataclass
class CropProjectionConfig:
    """The contents of ``crop_projection.json`` and where it was read from (``root``, ``revision``; not saved).

    Args:
        ner_model: The English NER model: a folder inside the checkpoint (``"ner"``) or a Hub id.
        mt_model: The xx -> en model: a folder inside the checkpoint, a Hub id, or ``None`` / ``"."`` (the LST model).
        languages: The target languages the pipeline was trained for.
        default_lang: The language used when a call names none.
        revisions: Revision of each sub-model given as a Hub id (``{"ner_model": "v1"}``).
        backend: Generation backend for MT and LST: ``None`` (transformers) or ``"ctranslate2"``.
        compute_type: CTranslate2's compute type (``None``: int8 on CPU, float16/bfloat16 on GPU).
        decoding: How the labeled back-translation is decoded: ``None`` (``"free"``, the paper's) or
            ``"constrained"`` (the raw sentence's own tokens plus the slot markers).
        extra: Keys of the file this class does not know, kept as they are.
        root: The folder or Hub id it was read from (not saved).
        revision: The revision it was read at (not saved).
    """

    ner_model: str | None = None
    mt_model: str | None = None
    languages: list[str] = field(default_factory=list)
    default_lang: str | None = None
    revisions: dict[str, str] = field(default_factory=dict)
    backend: str | None = None  # generation backend for MT and LST: transformers (None) or ctranslate2
    compute_type: str | None = None  # CTranslate2 compute type (None: int8 on CPU, float16/bfloat16 on GPU)
    decoding: str | None = None  # labeled back-translation: free (None) or constrained
    extra: dict[str, Any] = field(default_factory=dict)
    root: str | None = None
    revision: str | None = None

    @classmethod
    def from_pretrained(
        cls, name_or_path: str | Path, revision: str | None = None, token: str | bool | None = None
    ) -> CropProjectionConfig | None:
        """Read ``crop_projection.json`` from a folder or a Hub repository; ``None`` when it has none.

        Raises :class:`ConfigError` for a file that is not valid JSON or whose entries break the rules above, and
        :class:`~crop_hf.base.hub.HubUnavailableError` for a repository that is neither cached nor reachable.
        """
        root = str(name_or_path)
        if Path(root).is_dir():
            path = Path(root) / CONFIG_NAME
            local = str(path) if path.is_file() else None
        elif _HUB_ID.match(root) or (re.fullmatch(r"[\w.-]+", root) and not Path(root).exists()):
            local = hub.download_file(root, CONFIG_NAME, revision=revision, token=token)
        else:
            raise FileNotFoundError(f"{root}: no such folder, and not a Hub id (org/name)")
        if local is None:
            return None
        shown = f"{root}/{CONFIG_NAME}"
        try:
            data = json.loads(Path(local).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise ConfigError(
                f"{shown}: not valid JSON ({err}); save the pipeline again with save_pretrained"
            ) from None
        except RecursionError:  # thousands of nested brackets: not a config crop-hf wrote
            raise ConfigError(
                f"{shown}: nested too deeply to read; save the pipeline again with save_pretrained"
            ) from None
        config = cls.from_dict(data, source=shown)
        config.root, config.revision = root, revision
        return config

    @classmethod
    def from_dict(cls, data: Any, source: str = CONFIG_NAME) -> CropProjectionConfig:
        """Check the entries of a parsed ``crop_projection.json`` (``source`` names it in errors)."""
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: expected a JSON object, got {type(data).__name__}")
        if data.get("task", TASK) != TASK:
            raise ConfigError(f"{source}: task={data['task']!r}, expected {TASK!r}")
        if data.get("lst_model", ".") != ".":
            raise ConfigError(f"{source}: lst_model={data['lst_model']!r}; it must be '.' (the checkpoint itself)")
        for key in SUB_MODELS:
            _check_entry(data.get(key), key, source)
        languages, revisions = data.get("languages") or [], data.get("revisions") or {}
        if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
            raise ConfigError(f"{source}: languages={languages!r}; expected a list of language codes")
        if not isinstance(revisions, dict) or not all(isinstance(v, str) for v in revisions.values()):
            raise ConfigError(f"{source}: revisions={revisions!r}; expected {{'ner_model': 'a revision', ...}}")
        return cls(
            ner_model=data.get("ner_model"),
            mt_model=data.get("mt_model"),
            languages=list(languages),
            default_lang=data.get("default_lang"),
            revisions=dict(revisions),
            backend=data.get("backend"),
            compute_type=data.get("compute_type"),
            decoding=_decoding(data.get("decoding"), source),
            extra={k: v for k, v in data.items() if k not in _KNOWN},
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"task": TASK, "lst_model": ".", "ner_model": self.ner_model, "mt_model": self.mt_model}
        if self.languages:
            data["languages"] = list(self.languages)
        if self.default_lang:
            data["default_lang"] = self.default_lang
        if self.revisions:
            data["revisions"] = dict(self.revisions)
        if self.backend:
            data["backend"], data["compute_type"] = self.backend, self.compute_type
        if self.decoding and self.decoding != "free":
            data["decoding"] = self.decoding
        return {**data, **self.extra}

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``crop_projection.json`` into ``directory``; return its path."""
        for key in SUB_MODELS:
            _check_entry(getattr(self, key), key, f"{directory}/{CONFIG_NAME}")
        path = Path(directory) / CONFIG_NAME
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    def sub_model(self, key: str, required: bool = False, token: str | bool | None = None) -> SubModel | None:
        """Where ``key`` (``"ner_model"`` or ``"mt_model"``) loads from; ``None`` for the LST model itself.

        ``required`` refuses a null entry (the pipeline needs that model and was not given one); ``token`` is
        used to look into a Hub repository for a folder named like a Hub id.
        """
        value, source = getattr(self, key), f"{self.root}/{CONFIG_NAME}"
        if value is None or value == ".":
            if required:
                raise ConfigError(
                    f"{source}: {key} is {value!r}, but the pipeline needs that model: pass {key}=... to "
                    "pipeline(...) or save the pipeline with one"
                )
            return None
        if self.root is None:
            raise ConfigError(
                f"{CONFIG_NAME}: {key}={value!r} cannot be resolved: the config was not read from a folder"
            )
        if Path(self.root).is_dir():
            root = Path(self.root).resolve()
            target = (root / value).resolve()
            if target != root and root not in target.parents:
                raise ConfigError(f"{source}: {key}={value!r} resolves outside the checkpoint folder; refused")
            if target.is_dir():
                return SubModel(str(target))
        elif "/" not in value or self._repo_has_folder(value, token):
            return SubModel(self.root, subfolder=value, revision=self.revision)
        if _HUB_ID.match(value):
            return SubModel(value, revision=self.revisions.get(key))
        raise ConfigError(f"{source}: {key}={value!r} is neither a folder of the checkpoint nor a Hub id (org/name)")

    def local_dir(self, key: str) -> Path | None:
        """The folder of ``key`` inside a local checkpoint, or ``None`` (the LST model itself, or a Hub id)."""
        spec = self.sub_model(key)
        return Path(spec.name_or_path) if spec is not None and Path(spec.name_or_path).is_dir() else None

    def _repo_has_folder(self, value: str, token: str | bool | None) -> bool:
        found = hub.download_file(str(self.root), f"{value}/config.json", revision=self.revision, token=token)
        return found is not None


def _decoding(value: Any, source: str) -> str | None:
    if value is not None and value not in DECODINGS:
        raise ConfigError(f"{source}: decoding={value!r}; expected one of {', '.join(map(repr, DECODINGS))}")
    return value


def _check_entry(value: Any, key: str, source: str) -> None:
    """Refuse entries that could point outside the checkpoint (see the module docstring)."""
    if key == "ner_model" and value == ".":
        raise ConfigError(f"{source}: ner_model='.' names the LST model, not a token classifier")
    if value is None or value == ".":
        return
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: {key}={value!r}; expected a folder of the checkpoint, a Hub id or null")
    path = PurePosixPath(value)
    if path.is_absolute() or value.startswith("~") or "\\" in value or ":" in value or ".." in path.parts:
        raise ConfigError(
            f"{source}: {key}={value!r} is refused: sub-models are folders inside the checkpoint (e.g. 'ner') or "
            "Hub ids (org/name), never absolute paths, '..', '~' or '::'"
        )
