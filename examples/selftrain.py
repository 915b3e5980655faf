"""Multilingual self-training (English gold + projected target data); see ``crop_hf.scripts.selftrain``.

    python examples/selftrain.py --model_name_or_path xlm-roberta-large --source_file en.train.jsonl \
        --projected_file projected.parquet --discarded_file discarded.parquet \
        --eval_files es=es.test.jsonl --output_dir out/crop-ner
    accelerate launch --config_file examples/accelerate_configs/multi_gpu.yaml examples/selftrain.py ...
"""

from crop_hf.scripts.selftrain import main

if __name__ == "__main__":
    raise SystemExit(main())
