"""Build CoNLL-5 (CoNLL-2003 en/de, CoNLL-2002 es/nl, NorNE no) as Parquet with a dataset card; push it to the Hub.

    python dataset_scripts/build_conll5.py --data_dir ~/data/conll --dry_run out/conll5
    python dataset_scripts/build_conll5.py --data_dir ~/data/conll --repo_id my-org/crop-conll5

--data_dir is searched recursively for eng.train/testa/testb, deu.*, esp.*, ned.* and no_bokmaal-ud-*.conllu (see
crop_hf.builders.conll5 for the formats and where to get them). The CoNLL-2003 texts are licensed (Reuters, ECI):
the repository is private unless --public.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from _publish import CardInfo, run
from _publish import make_parser as base_parser

from crop_hf.builders import Conll5
from crop_hf.core.languages import CONLL5_LANGUAGES
from crop_hf.core.tagging import CONLL

CARD = CardInfo(
    pretty_name="CoNLL-5 (CROP benchmark)",
    summary=(
        "Named entity recognition in English, German, Spanish, Dutch and Norwegian with one label set (PER, LOC, ORG, "
        "MISC; BIO tags): the CoNLL benchmark of the CROP paper. English and German come from CoNLL-2003 (IOB1 in "
        "the original files, converted to BIO), Spanish and Dutch from CoNLL-2002, Norwegian from NorNE Bokmål with "
        "its types mapped: GPE_LOC to LOC, GPE_ORG to ORG, PROD, EVT and DRV to MISC. Splits: train, validation "
        "(testa / dev), test (testb / test)."
    ),
    license_id="other",
    entity_types=CONLL.entity_types,
    labels=CONLL.labels,
)


def make_parser() -> argparse.ArgumentParser:
    return base_parser(__doc__, CONLL5_LANGUAGES)


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    run(args, Conll5, args.languages, CARD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
