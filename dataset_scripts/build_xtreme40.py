"""Build XTREME-40 (PAN-X / WikiANN in the 40 XTREME languages) as Parquet with a dataset card; push it to the Hub.

    python dataset_scripts/build_xtreme40.py --data_dir ~/data/panx_dataset --dry_run out/xtreme40
    python dataset_scripts/build_xtreme40.py --data_dir ~/data/panx_dataset --repo_id my-org/crop-xtreme40

--data_dir holds PAN-X as XTREME distributes it: <lang>.tar.gz (read without extracting), or <lang>/train|dev|test,
<lang>-train|dev|test, train|dev|test-<lang>.tsv (see crop_hf.builders.xtreme40).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from _publish import CardInfo, run
from _publish import make_parser as base_parser

from crop_hf.builders import Xtreme40
from crop_hf.core.languages import XTREME40_LANGUAGES
from crop_hf.core.tagging import XTREME

CARD = CardInfo(
    pretty_name="XTREME-40 PAN-X / WikiANN (CROP benchmark)",
    summary=(
        "Named entity recognition in the 40 XTREME languages (English plus 39 targets) from PAN-X / WikiANN, with "
        "XTREME's train / dev / test splits (dev is the validation split) and labels PER, LOC, ORG (BIO tags): the "
        "XTREME benchmark of the CROP paper."
    ),
    license_id="other",
    entity_types=XTREME.entity_types,
    labels=XTREME.labels,
)


def make_parser() -> argparse.ArgumentParser:
    return base_parser(__doc__, XTREME40_LANGUAGES)


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    run(args, Xtreme40, args.languages, CARD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
