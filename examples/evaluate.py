"""Entity-level F1 per language of one or more NER models; see ``crop_hf.scripts.evaluate``.

python examples/evaluate.py --model_dirs out/zero_shot out/crop-ner/round_2 --eval_files es=es.test.jsonl
"""

from crop_hf.scripts.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())
