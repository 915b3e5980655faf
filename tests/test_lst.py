import math

import pytest
from conftest import gold_phrase_features

torch = pytest.importorskip("torch")
from datasets import Dataset  # noqa: E402
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, Seq2SeqTrainer  # noqa: E402

from crop_hf.collator import LABELED, TRANSLATION, DataCollatorForLabeledSeq2Seq  # noqa: E402
from crop_hf.slots import parse_slots  # noqa: E402
from crop_hf.trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments  # noqa: E402


def test_collator_mixes_objectives_and_pads_labels(tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    feats = gold_phrase_features(20)
    collator = DataCollatorForLabeledSeq2Seq(tok, max_slots=3, translation_ratio=0.5, seed=0)
    batch = collator(feats)
    assert set(batch["objective"].tolist()) == {TRANSLATION, LABELED}
    assert batch["labels"].shape[0] == len(feats)
    # padding of labels is -100, of inputs the pad id, never mixed
    assert (batch["labels"] == -100).any() and not (batch["labels"] == tok.pad_token_id).any()
    assert (batch["input_ids"][batch["attention_mask"] == 0] == tok.pad_token_id).all()
    # language codes: source starts with __en__, labels with the target code
    assert (batch["input_ids"][:, 0] == tok.get_lang_id("en")).all()
    first_labels = {tok.convert_ids_to_tokens(int(x)) for x in batch["labels"][:, 0]}
    assert first_labels == {"__es__", "__zh__"}
    # slot pairs are well formed and wrap the gold target entity
    pair = next(p for p in (collator.make_pair(f) for f in feats[:40]) if p.objective == LABELED)
    parsed = parse_slots(pair.target)
    assert parsed.well_formed and parsed.spans
    # fresh sampling: the same example collated again is not always the same pair
    seen = {collator.make_pair(feats[0]).target for _ in range(30)}
    assert len(seen) > 1


def _args(tmp_path, **kw):
    defaults = dict(output_dir=str(tmp_path), per_device_train_batch_size=8, learning_rate=1e-3, report_to=[],
                    use_cpu=True, logging_steps=2, save_strategy="no", disable_tqdm=True)  # fmt: skip
    return LabeledSeq2SeqTrainingArguments(**{**defaults, **kw})


def test_loss_is_alpha_mix_and_parts_are_logged(tiny_dir, tmp_path):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100")
    feats = gold_phrase_features(16)
    args = _args(tmp_path, max_steps=4, alpha=0.3)
    collator = DataCollatorForLabeledSeq2Seq(tok, seed=1)
    trainer = LabeledSeq2SeqTrainer(model=model, args=args, train_dataset=Dataset.from_list(feats),
                                    data_collator=collator, processing_class=tok)  # fmt: skip
    batch = collator(feats[:16])
    model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(model, dict(batch)).item()
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                       labels=batch["labels"]).logits  # fmt: skip
        ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), batch["labels"], reduction="none")
        mask = batch["labels"] != -100
        parts = {}
        for kind in (TRANSLATION, LABELED):
            rows = batch["objective"] == kind
            parts[kind] = (ce[rows] * mask[rows]).sum() / mask[rows].sum()
    expected = 0.3 * parts[TRANSLATION].item() + 0.7 * parts[LABELED].item()
    assert math.isclose(loss, expected, rel_tol=1e-4)
    trainer.train()
    logged = [h for h in trainer.state.log_history if "loss" in h]
    assert logged and "loss_translation" in logged[0] and "loss_labeled" in logged[0]


def test_alpha_one_equals_plain_seq2seq_loss(tiny_dir, tmp_path):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100").eval()
    feats = gold_phrase_features(8)
    batch = DataCollatorForLabeledSeq2Seq(tok, translation_ratio=1.0, seed=0)(feats)
    trainer = LabeledSeq2SeqTrainer(model=model, args=_args(tmp_path, max_steps=1), processing_class=tok)
    plain = Seq2SeqTrainer(model=model, args=_args(tmp_path, max_steps=1), processing_class=tok)
    with torch.no_grad():
        ours = trainer.compute_loss(model, dict(batch)).item()
        theirs = plain.compute_loss(model, {k: v for k, v in batch.items() if k != "objective"}).item()
    assert math.isclose(ours, theirs, rel_tol=1e-4)


def test_lora_and_resume(tiny_dir, tmp_path):
    from peft import LoraConfig, get_peft_model

    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    feats = gold_phrase_features(8)
    base = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100")
    model = get_peft_model(base, LoraConfig(task_type="SEQ_2_SEQ_LM", r=4, target_modules=["q_proj", "v_proj"]))
    args = _args(tmp_path / "lora", max_steps=2)
    trainer = LabeledSeq2SeqTrainer(model=model, args=args, train_dataset=Dataset.from_list(feats),
                                    data_collator=DataCollatorForLabeledSeq2Seq(tok, seed=0), processing_class=tok)  # fmt: skip
    assert trainer.train().training_loss > 0

    args = _args(tmp_path / "full", max_steps=4, save_strategy="steps", save_steps=2)
    make = lambda steps: LabeledSeq2SeqTrainer(  # noqa: E731
        model=AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100"),
        args=_args(tmp_path / "full", max_steps=steps, save_strategy="steps", save_steps=2),
        train_dataset=Dataset.from_list(feats), data_collator=DataCollatorForLabeledSeq2Seq(tok, seed=0),
        processing_class=tok)  # fmt: skip
    make(2).train()
    assert (tmp_path / "full" / "checkpoint-2").is_dir()
    resumed = make(4)
    resumed.train(resume_from_checkpoint=str(tmp_path / "full" / "checkpoint-2"))
    assert resumed.state.global_step == 4 and args.alpha == 0.5


def test_train_lst_command_saves_a_pipeline_ready_model(tiny_dir, tmp_path, capsys):
    import json

    from transformers import pipeline

    from crop_hf.cli import main

    train = tmp_path / "pairs.jsonl"
    train.write_text("\n".join(json.dumps(f, ensure_ascii=False) for f in gold_phrase_features(8)))
    out = tmp_path / "lst"
    argv = ["train-lst", "--model_name_or_path", str(tiny_dir / "m2m100"), "--train_file", str(train),
            "--output_dir", str(out), "--max_steps", "3", "--per_device_train_batch_size", "4", "--use_cpu",
            "--report_to", "none", "--save_steps", "2", "--alpha", "0.4"]  # fmt: skip
    assert main(argv) == 0
    assert (out / "checkpoint-2").is_dir() and (out / "model.safetensors").is_file()
    summary = capsys.readouterr().out.strip().splitlines()[-1]  # the command ends with one summary line
    assert summary.startswith("crop-hf train-lst: 3 steps on 16 pairs, loss ")
    assert f"model and tokenizer in {out}" in summary and "checkpoint-2" in summary
    projector = pipeline("crop-projection", model=str(out), ner_model=str(tiny_dir / "xlmr"))
    assert (
        projector.model.config.vocab_size
        == AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100").config.vocab_size
    )
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"src_tokens": ["a"]}\n')
    capsys.readouterr()  # drop the training output above
    code = main(["train-lst", "--model_name_or_path", str(tiny_dir / "m2m100"), "--train_file", str(bad),
                 "--output_dir", str(tmp_path / "x"), "--use_cpu", "--report_to", "none"])  # fmt: skip
    assert code == 2  # a user mistake: one line on stderr (the bad row and what is missing), exit code 2
    assert (
        capsys.readouterr().err.strip()
        == "crop-hf train-lst: error: bad.jsonl line 1: missing ['tgt_tokens', 'tgt_lang']"
    )
