"""Publish a crop-projection pipeline, a NER model or Parquet data; see ``crop_hf.scripts.push`` for the arguments.

    python examples/push.py --kind pipeline --path demo_output/models/crop-projection \
        --repo_id your-username/crop-projection-demo --metrics demo_output/metrics.json --dry_run pushed/
"""

from crop_hf.scripts.push import main

if __name__ == "__main__":
    raise SystemExit(main())
