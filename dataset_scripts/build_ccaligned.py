"""Build CCAligned English-X sentence pairs and raw target segments as Parquet with a card; push them to the Hub.

    python dataset_scripts/build_ccaligned.py --data_dir ~/data/cc-aligned --languages es de --dry_run out/cca
    python dataset_scripts/build_ccaligned.py --data_dir ~/data/cc-aligned --languages es --kinds sentences \\
        --repo_id my-org/crop-ccaligned

--data_dir mirrors https://www.statmt.org/cc-aligned/: document-aligned en_XX-<code>.tsv.xz in it, sentence-aligned
files in its sentence-aligned/ folder (see crop_hf.builders.ccaligned). Configs are sentences-<lang> (parallel
data with LASER scores) and documents-<lang> (raw target-language segments). The xz files are streamed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from _publish import CardInfo, run
from _publish import make_parser as base_parser

from crop_hf.builders import CCALIGNED_LANGUAGES, CCAligned
from crop_hf.builders.ccaligned import KINDS


def card_for(config_names: Sequence[str]) -> CardInfo:
    return CardInfo(
        pretty_name="CCAligned English-X for CROP",
        summary=(
            "English-X web text from CCAligned for cross-lingual NER projection with CROP: `sentences-<lang>` "
            "configs hold sentence pairs (`translation` with `en` and the target language, `laser_score`) for "
            "training labeled sequence translation; `documents-<lang>` configs hold raw target-language segments "
            "(`text`, `url`, `domain`) from the document-aligned pages, the raw sentences CROP projects labels onto."
        ),
        license_id="unknown",
        extra_languages=("en",),
        task="translation",
        languages={name: name.split("-", 1)[1] for name in config_names},
    )


def make_parser() -> argparse.ArgumentParser:
    parser = base_parser(__doc__, CCALIGNED_LANGUAGES, all_by_default=False)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS, help="default: both")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    config_names = [f"{kind}-{lang}" for kind in args.kinds for lang in args.languages]
    run(args, CCAligned, config_names, card_for(config_names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
