"""Train a labeled sequence translation model; see ``crop_hf.scripts.train_lst`` for the arguments.

    python examples/train_lst.py --model_name_or_path facebook/m2m100_418M --train_file pairs.jsonl \
        --output_dir lst/ --learning_rate 1e-4 --warmup_steps 4000 --adam_beta2 0.98 --alpha 0.5
"""

from crop_hf.scripts.train_lst import main

if __name__ == "__main__":
    raise SystemExit(main())
