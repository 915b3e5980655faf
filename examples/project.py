"""Project raw target-language text with a CROP pipeline; see ``crop_hf.scripts.project`` for the arguments.

    python examples/project.py --model demo_output/models/crop-projection --input raw.txt --src_lang es \
        --output_dir projected/
    accelerate launch --config_file examples/accelerate_configs/multi_gpu.yaml examples/project.py ...
"""

from crop_hf.scripts.project import main

if __name__ == "__main__":
    raise SystemExit(main())
