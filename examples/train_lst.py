"""Train a labeled sequence translation model; see ``crop_hf.scripts.train_lst`` for the arguments.

    python examples/train_lst.py --model_name_or_path facebook/m2m100_418M --train_file pairs.jsonl \
        --output_dir lst/ --learning_rate 1e-4 --warmup_steps 4000 --adam_beta2 0.98 --alpha 0.5

Add ``--validation_file held_out.jsonl --eval_strategy steps --predict_with_generate`` to log ``eval_bleu`` and
``eval_slot_precision`` during training, ``--lora_r 16`` for LoRA (the slot-marker rows train too), and run it
under ``accelerate launch`` for several processes.
"""

from crop_hf.scripts.train_lst import main

if __name__ == "__main__":
    raise SystemExit(main())
