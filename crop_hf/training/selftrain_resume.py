"""Self-training runs that resume only what they can verify.

``run_manifest.json`` in a run's folder records what its rounds depend on: the model, a fingerprint of each data split
(rows and SHA-256 of their content) and the settings that shape a trained model (the arguments' fields marked
``run_setting``, :func:`~crop_hf.training.training_args.run_settings`). A rerun whose manifest differs refuses with one line
naming the differences, or starts over with ``overwrite_output_dir``. A round resumed from a Trainer checkpoint
reports the mean loss over the whole round (:func:`round_loss`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..base.errors import InputError
from ..base.resumable import manifest_problem, read_manifest, write_json
from .ner_data import NerExample
from .training_args import run_settings

logger = logging.getLogger(__name__)

RUN_FILE = "run_manifest.json"


def selftrain_manifest(
    model_name_or_path: str,
    data: Mapping[str, Sequence[NerExample]],
    eval_sets: Mapping[str, Sequence[NerExample]] | None,
    args: Any,
) -> dict[str, Any]:
    """What a run's rounds depend on: the model, each data split's rows and fingerprint, and the run settings."""
    splits = {**data, **{f"eval[{lang}]": examples for lang, examples in (eval_sets or {}).items()}}
    settings = {name: getattr(args, name) for name in run_settings(args)}
    return {
        "format": 1,
        "model": str(model_name_or_path),
        "data": {name: {"rows": len(rows), "sha256": _fingerprint(rows)} for name, rows in splits.items()},
        "settings": json.loads(json.dumps(settings, default=str)),
    }


def log_at_save() -> Any:
    """A callback that logs the loss at every checkpoint, so a resumed round knows the loss of the steps before it."""
    from transformers import TrainerCallback

    class LogAtSave(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            if control.should_save:
                control.should_log = True
            return control

    return LogAtSave()


def round_loss(trainer: Any, tail_loss: float, checkpoint: str | None) -> float:
    """Mean training loss over the whole round; after a resume the Trainer reports only the steps it ran itself.

    ``tail_loss`` is ``TrainOutput.training_loss``: the sum over the steps this call ran, divided by their number
    in recent transformers (which note ``_initial_global_step``) and by the round's ``global_step`` in older ones.
    """
    state = trainer.state
    if checkpoint is None:
        return tail_loss
    resumed_at = json.loads((Path(checkpoint) / "trainer_state.json").read_text())["global_step"]
    total, covered = 0.0, 0
    for entry in state.log_history:
        if "loss" in entry and covered < entry["step"] <= resumed_at:
            total += entry["loss"] * (entry["step"] - covered)
            covered = entry["step"]
    if covered != resumed_at:
        logger.warning("the checkpoint logged the loss of %d of its %d steps; train_loss covers those", covered,
                       resumed_at)  # fmt: skip
    after = state.global_step - resumed_at
    tail_total = tail_loss * (after if hasattr(trainer, "_initial_global_step") else state.global_step)
    return (total + tail_total) / max(covered + after, 1)


def prepare_output(out: Path, manifest: dict[str, Any], args: Any, run_paths: Callable[[], list[Path]]) -> None:
    """Refuse (or, with ``overwrite_output_dir``, clear) a folder holding a run with another model, data or settings.

    Every process decides from the same files before the main process changes any, so all raise or none does.
    """
    from accelerate import PartialState

    state = PartialState()
    old = read_manifest(out / RUN_FILE)
    existing = [p for p in run_paths() if p.exists()]
    problem = manifest_problem(
        out / RUN_FILE, old, manifest, [p.name for p in existing], "self-training", _selftrain_differences
    )
    start_over = False
    if problem is not None:
        if not args.overwrite_output_dir:
            raise InputError(
                f"{out} {problem}; rerun with the same model, data and settings, pass --overwrite_output_dir to "
                "start over, or choose another --output_dir"
            )
        logger.warning("%s %s: starting over (overwrite_output_dir)", out, problem)
        start_over = True
    state.wait_for_everyone()
    if state.is_main_process:
        if start_over:
            for path in existing:
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        out.mkdir(parents=True, exist_ok=True)
        write_json(out / RUN_FILE, manifest)
    state.wait_for_everyone()


def _selftrain_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    parts = []
    if old.get("model") != new["model"]:
        parts.append(f"model ({old.get('model')}, now {new['model']})")
    for section in ("data", "settings"):
        o, n = old.get(section) or {}, new[section]
        for key in sorted(set(o) | set(n)):
            if o.get(key) == n.get(key):
                continue
            if section == "data":
                before = f"{o[key]['rows']} rows" if key in o else "none"
                now = f"{n[key]['rows']} rows" if key in n else "none"
                parts.append(f"data {key} ({before}, now {now}{', other content' * (key in o and key in n)})")
            else:
                parts.append(f"setting {key} ({o.get(key)!r}, now {n.get(key)!r})")
    return "; ".join(parts) or "manifest"


def _fingerprint(examples: Sequence[NerExample]) -> str:
    digest = hashlib.sha256()
    for ex in examples:
        digest.update(json.dumps(ex.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass"))
        digest.update(b"\n")
    return digest.hexdigest()[:16]
