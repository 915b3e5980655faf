"""Presets for the paper's real settings, and the early checks that they can run here.

``crop-hf demo --preset conll5`` / ``--preset xtreme40`` take the paper's checkpoints and hyper-parameters.
They need the Hub (model weights, datasets) and a GPU; without them the demo stops before doing any work,
saying which is missing, instead of failing an hour in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .languages import CONLL5_LANGUAGES, XTREME40_LANGUAGES


@dataclass(frozen=True)
class Preset:
    name: str
    languages: tuple[str, ...]
    lst_model: str = "facebook/m2m100_418M"
    ner_model: str = "xlm-roberta-large"
    label_scheme: str = "conll"
    # labeled sequence translation (paper: lr 1e-4, 4000 warm-up steps, Adam betas 0.9/0.98, alpha 0.5)
    lst: dict = field(
        default_factory=lambda: {
            "learning_rate": 1e-4,
            "warmup_steps": 4000,
            "adam_beta1": 0.9,
            "adam_beta2": 0.98,
            "alpha": 0.5,
            "label_smoothing_factor": 0.1,
        }  # fmt: skip
    )
    # NER (paper: batch 32, 10 epochs, 10 % warm-up)
    ner: dict = field(
        default_factory=lambda: {
            "per_device_train_batch_size": 32,
            "num_train_epochs": 10,
            "warmup_steps": 0.1,
            "learning_rate": 2e-5,
        }  # fmt: skip
    )


PRESETS: dict[str, Preset] = {
    "conll5": Preset("conll5", CONLL5_LANGUAGES),
    "xtreme40": Preset("xtreme40", XTREME40_LANGUAGES, label_scheme="xtreme"),
}


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {', '.join(PRESETS)} (and 'tiny' for the offline demo)")
    return PRESETS[name]


def check_real_preset(name: str) -> Preset:
    """Raise ``RuntimeError`` naming what is missing (Hub access, GPU) for a real preset."""
    import torch

    preset = get_preset(name)
    problems = []
    try:
        from huggingface_hub import model_info

        model_info(preset.lst_model)
    except Exception as err:  # offline, proxy, DNS: all mean the same to the user
        problems.append(f"the Hub is not reachable ({type(err).__name__}): {preset.lst_model} cannot be downloaded")
    if not torch.cuda.is_available():
        problems.append("no CUDA GPU: training m2m100_418M and xlm-roberta-large on a CPU takes days")
    if problems:
        raise RuntimeError(
            f"--preset {name} cannot run here: " + "; ".join(problems) + ". Run `crop-hf demo` (preset tiny) offline."
        )
    return preset
