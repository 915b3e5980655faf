"""Checks of a run's metrics.json shared by the tests that read one (the demo's, the recorded demo runs)."""

from __future__ import annotations

from crop_hf.run.scores import PERCENT_KEYS, SCALE_NOTE


def score_values(metrics: dict) -> dict[str, list[float]]:
    """Every number of ``metrics`` under a score key (:data:`PERCENT_KEYS`), by key: a number's key is the nearest
    one above it that is not a language or a seed (the paper's published block aside)."""
    found: dict[str, list[float]] = {}
    langs = set(metrics["languages"])

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, key if k in langs or k.isdigit() else k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and key in PERCENT_KEYS:
            found.setdefault(key, []).append(node)

    walk({k: v for k, v in metrics.items() if k not in ("stages", "paper")})
    return found


def check_scale(metrics: dict, report: str) -> None:
    """Every score of a full demo run's metrics.json is in percent, and the report's table prints those numbers."""
    found = score_values(metrics)
    assert {"precision", "recall", "f1", "kept_percent", "accuracy", "well_formed", "entity_accuracy", "zero_shot",
            "crop", "translate_train", "translate_test", "bleu", "chrf++"} <= set(found), sorted(found)  # fmt: skip
    for key, values in found.items():
        assert all(0.0 <= v <= 100.0 and round(v, 2) == v for v in values), (key, values)
    # a fraction would read at most 1: on the demo, the F1 and kept shares of some language lie above it
    assert max(found["crop"]) > 1.0 and max(found["kept_percent"]) > 1.0 and max(found["f1"]) > 1.0
    assert metrics["scale"] == SCALE_NOTE and SCALE_NOTE in report
    for lang, systems in metrics["evaluation"].items():
        row = next(line for line in report.splitlines() if line.startswith(f"| {lang} | "))
        for value in filter(None.__ne__, systems.values()):
            assert f" {value:.1f} |" in row or f" {value:.1f} ± " in row, (lang, value, row)
