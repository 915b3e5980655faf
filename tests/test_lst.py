import math

import numpy as np
import pytest
from conftest import gold_phrase_features

torch = pytest.importorskip("torch")
from datasets import Dataset  # noqa: E402
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, Seq2SeqTrainer  # noqa: E402

from crop_hf.core.slots import parse_slots  # noqa: E402
from crop_hf.training.collator import LABELED, TRANSLATION, DataCollatorForLabeledSeq2Seq  # noqa: E402
from crop_hf.training.name_phrases import NameFilter  # noqa: E402
from crop_hf.training.trainer import LabeledSeq2SeqTrainer, LabeledSeq2SeqTrainingArguments  # noqa: E402


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
    # fresh sampling: each epoch draws the same example afresh ...
    seen = set()
    for epoch in range(30):
        collator.set_epoch(epoch)
        seen.add(collator.make_pair(feats[0]).target)
    assert len(seen) > 1
    # ... and within an epoch the draw depends on the example alone, not on its batch or on earlier draws
    collator.set_epoch(3)
    alone = [collator.make_pair(f) for f in feats[:6]]
    other = DataCollatorForLabeledSeq2Seq(tok, max_slots=3, translation_ratio=0.5, seed=0, epoch=3)
    shuffled = [other.make_pair(f) for f in reversed(feats[:6])][::-1]
    assert alone == shuffled
    assert DataCollatorForLabeledSeq2Seq(tok, max_slots=3, seed=1, epoch=3).make_pair(feats[0]) is not None


def test_collator_max_phrase_len_limits_slot_width(tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    feats = [dict(f, phrases=[[0, 1, 0, 1], [1, 3, 1, 3]]) for f in gold_phrase_features(10)]
    widths = set()
    for max_phrase_len in (1, None):
        collator = DataCollatorForLabeledSeq2Seq(tok, translation_ratio=0.0, max_phrase_len=max_phrase_len, seed=0)
        for epoch in range(5):
            collator.set_epoch(epoch)
            for f in feats:
                parsed = parse_slots(collator.make_pair(f).source)
                widths |= {(max_phrase_len, s.end - s.start) for s in parsed.spans}
    assert {w for m, w in widths if m == 1} == {1}
    assert {w for m, w in widths if m is None} == {1, 2}


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

    feats = gold_phrase_features(8)
    # longer than --max_length (and than the tiny model's 128 positions): skipped, not an error
    feats.append(dict(feats[0], src_tokens=feats[0]["src_tokens"] * 12, tgt_tokens=feats[0]["tgt_tokens"] * 12))
    train = tmp_path / "pairs.jsonl"
    train.write_text("\n".join(json.dumps(f, ensure_ascii=False) for f in feats))
    out = tmp_path / "lst"
    argv = ["train-lst", "--model_name_or_path", str(tiny_dir / "m2m100"), "--train_file", str(train),
            "--output_dir", str(out), "--max_steps", "3", "--per_device_train_batch_size", "4", "--use_cpu",
            "--report_to", "none", "--save_steps", "2", "--alpha", "0.4", "--max_length", "64",
            "--validation_file", str(train), "--eval_strategy", "steps", "--eval_steps", "2",
            "--predict_with_generate", "--generation_max_length", "16"]  # fmt: skip
    assert main(argv) == 0
    state = json.loads((out / "checkpoint-2" / "trainer_state.json").read_text())
    evals = [h for h in state["log_history"] if "eval_loss" in h]
    assert len(evals) == 1 and {"eval_bleu", "eval_slot_precision", "eval_loss_labeled"} <= set(evals[0])
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


def _train(path, tmp_path, feats, eval_feats=None, **kw):
    tok = AutoTokenizer.from_pretrained(path)
    trainer = LabeledSeq2SeqTrainer(
        model=AutoModelForSeq2SeqLM.from_pretrained(path), args=_args(tmp_path, **kw),
        train_dataset=Dataset.from_list(feats), processing_class=tok,
        eval_dataset=Dataset.from_list(eval_feats) if eval_feats else None,
    )  # fmt: skip
    trainer.train()
    return trainer


def test_trainer_builds_its_collator_from_the_arguments(tiny_dir, tmp_path):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    args = _args(tmp_path, max_slots=2, translation_ratio=1.0, max_phrase_len=3, max_length=64, seed=7)
    trainer = LabeledSeq2SeqTrainer(model=AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100"), args=args,
                                    train_dataset=Dataset.from_list(gold_phrase_features(8)), processing_class=tok)  # fmt: skip
    collator = trainer.data_collator
    assert isinstance(collator, DataCollatorForLabeledSeq2Seq)
    assert (collator.max_slots, collator.translation_ratio, collator.max_phrase_len, collator.max_length) == (
        2, 1.0, 3, 64)  # fmt: skip
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["objective"].eq(TRANSLATION).all()  # translation_ratio=1.0 acts
    assert collator.names is None  # CROP's default: slots on every aligned pair
    features = gold_phrase_features(8)
    names = LabeledSeq2SeqTrainer(model=AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100"),
                                  args=_args(tmp_path, slot_phrases="names", max_length=64),
                                  train_dataset=Dataset.from_list(features), processing_class=tok)  # fmt: skip
    lowercase = {w.lower() for f in features for w in f["src_tokens"] if w[:1].islower()}
    assert lowercase and lowercase <= names.data_collator.names.common_words  # the filter of its training pairs
    assert names.data_collator.names == NameFilter.from_features(features)


def test_gradient_accumulation_trains_what_one_big_batch_trains(still_m2m, tmp_path):
    """num_items_in_batch: 2 micro-batches of 4 make the same step, loss and parts as one batch of 8."""
    feats = gold_phrase_features(8)
    # plain SGD: Adam's first steps turn float noise in near-zero gradients into full-size updates
    common = dict(max_steps=3, logging_steps=1, alpha=0.3, seed=3, optim="sgd", learning_rate=0.5)
    big = _train(still_m2m, tmp_path / "big", feats, per_device_train_batch_size=8, **common)
    acc = _train(still_m2m, tmp_path / "acc", feats, per_device_train_batch_size=4, gradient_accumulation_steps=2,
                 **common)  # fmt: skip
    logs = [[h for h in t.state.log_history if "loss" in h] for t in (big, acc)]
    assert len(logs[0]) == len(logs[1]) == 3
    assert sum("loss_labeled" in log for log in logs[0]) >= 2
    for one, two in zip(*logs):
        assert one.keys() == two.keys()
        for key in ("loss", "loss_translation", "loss_labeled"):
            if key in one:
                assert math.isclose(one[key], two[key], rel_tol=1e-5), (key, one, two)
    for (name, p), q in zip(big.model.named_parameters(), acc.model.parameters()):
        assert torch.allclose(p, q, atol=1e-5), name


def test_evaluation_stays_out_of_training_logs(still_m2m, tmp_path):
    feats, held_out = gold_phrase_features(8), gold_phrase_features(4, seed=5)
    common = dict(max_steps=6, per_device_train_batch_size=4, logging_steps=2, seed=1)
    plain = _train(still_m2m, tmp_path / "plain", feats, **common)
    evaluated = _train(still_m2m, tmp_path / "eval", feats, held_out, eval_strategy="steps", eval_steps=2, **common)
    train_logs = [[h for h in t.state.log_history if "loss" in h] for t in (plain, evaluated)]
    assert len(train_logs[1]) == 3
    for one, two in zip(*train_logs):  # the same training logs, evaluation or not
        assert not any(k.startswith("eval_") for k in two) and one.keys() == two.keys()
        for key in ("loss", "loss_translation", "loss_labeled"):
            if key in one:
                assert math.isclose(one[key], two[key], rel_tol=1e-5), (key, one, two)
    eval_logs = [h for h in evaluated.state.log_history if "eval_loss" in h]
    assert len(eval_logs) == 3
    for log in eval_logs:
        assert {"eval_loss_translation", "eval_loss_labeled"} <= set(log) and "loss_labeled" not in log
        assert log["eval_loss_labeled"] > 0
    # the eval parts are token means over the held-out set: recompute the last one by hand
    trainer = evaluated
    assert trainer.evaluate()["eval_loss_labeled"] == eval_logs[-1]["eval_loss_labeled"]  # same slots every time
    trainer.model.eval()
    trainer.data_collator.set_epoch(0)  # the draws evaluation uses
    sums, counts = torch.zeros(2), torch.zeros(2)
    for batch in trainer.get_eval_dataloader():
        with torch.no_grad():
            labels = batch["labels"]
            logits = trainer.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                                   labels=labels).logits  # fmt: skip
        ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), labels, reduction="none")
        mask = labels != -100
        for kind in (TRANSLATION, LABELED):
            rows = batch["objective"] == kind
            sums[kind] += (ce[rows] * mask[rows]).sum()
            counts[kind] += mask[rows].sum()
    again = trainer.evaluate()
    assert math.isclose(again["eval_loss_labeled"], (sums[LABELED] / counts[LABELED]).item(), rel_tol=1e-4)
    assert math.isclose(again["eval_loss_translation"], (sums[TRANSLATION] / counts[TRANSLATION]).item(), rel_tol=1e-4)


def test_evaluation_with_generation_scores_slots_and_bleu(still_m2m, tmp_path):
    from crop_hf.training.lst import make_lst_compute_metrics

    tok = AutoTokenizer.from_pretrained(still_m2m)
    feats = gold_phrase_features(4)
    args = _args(tmp_path, max_steps=2, predict_with_generate=True, generation_max_length=24,
                 per_device_eval_batch_size=4, eval_strategy="steps", eval_steps=1, logging_steps=1)  # fmt: skip
    trainer = LabeledSeq2SeqTrainer(
        model=AutoModelForSeq2SeqLM.from_pretrained(still_m2m), args=args, train_dataset=Dataset.from_list(feats),
        eval_dataset=Dataset.from_list(feats), processing_class=tok, compute_metrics=make_lst_compute_metrics(tok),
    )  # fmt: skip
    trainer.train()  # evaluation with generation during training
    evals = [h for h in trainer.state.log_history if "eval_loss" in h]
    assert len(evals) == 2
    for metrics in evals:
        for key in ("eval_slot_precision", "eval_well_formed", "eval_bleu", "eval_loss_labeled", "eval_loss"):
            assert key in metrics and 0 <= metrics[key] and math.isfinite(metrics[key]), (key, metrics)
    assert all("eval_bleu" not in h for h in trainer.state.log_history if "loss" in h)


def test_lst_compute_metrics_on_known_outputs(tiny_dir):
    from transformers import EvalPrediction

    from crop_hf.training.lst import make_lst_compute_metrics

    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    tok.src_lang, tok.tgt_lang = "en", "es"
    refs = ["__SLOT0__ Juan __SLOT0__ vive en __SLOT1__ Madrid __SLOT1__ .", "Ana come pan ."]
    labels = [tok(text_target=r)["input_ids"] for r in refs]
    right = [list(ids) for ids in labels]
    wrong = [tok(text_target=t)["input_ids"] for t in
             ["__SLOT0__ Juan vive __SLOT0__ en __SLOT1__ Madrid __SLOT1__ .", "Ana bebe agua ."]]  # fmt: skip
    width = max(len(x) for x in labels + wrong)
    pad = lambda rows, value: np.array([r + [value] * (width - len(r)) for r in rows])  # noqa: E731
    compute = make_lst_compute_metrics(tok)
    perfect = compute(EvalPrediction(predictions=pad(right, tok.pad_token_id), label_ids=pad(labels, -100)))
    assert perfect["slot_precision"] == 1.0 and perfect["well_formed"] == 1.0
    assert math.isclose(perfect["bleu"], 100.0)
    half = compute(EvalPrediction(predictions=pad(wrong, -100), label_ids=pad(labels, -100)))
    assert half["slot_precision"] == 0.5 and half["bleu"] < 100.0


def test_lora_trains_the_slot_marker_rows_and_nothing_else_of_the_embedding(still_m2m, tmp_path):
    from crop_hf.training.lst import train_lst_model
    from crop_hf.training.trainer_setup import slot_token_ids

    tok = AutoTokenizer.from_pretrained(still_m2m)
    before = AutoModelForSeq2SeqLM.from_pretrained(still_m2m).get_input_embeddings().weight.detach().clone()
    args = _args(tmp_path / "lst", max_steps=3, per_device_train_batch_size=8, learning_rate=1e-2, lora_r=4)
    trainer = train_lst_model(str(still_m2m), gold_phrase_features(8), args)
    assert trainer.state.global_step == 3
    assert not (tmp_path / "lst" / "adapter_config.json").exists()  # merged: a plain model
    after = AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "lst").get_input_embeddings().weight.detach()
    changed = set(torch.nonzero((after - before).abs().amax(dim=1) > 0).flatten().tolist())
    markers = slot_token_ids(tok, args.max_slots)
    assert changed == set(markers)


def test_train_lst_skips_pairs_over_max_length_with_a_count(tiny_dir, tmp_path, caplog):
    from crop_hf.training.lst import train_lst_model
    from crop_hf.training.trainer_setup import drop_long_pairs

    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    feats = gold_phrase_features(4)
    long = dict(feats[0], src_tokens=feats[0]["src_tokens"] * 8, tgt_tokens=feats[0]["tgt_tokens"] * 8)
    report = drop_long_pairs([*feats, long], tok, max_length=40, max_slots=4)
    assert (report.skipped, report.total, len(report.kept)) == (1, 9, 8) and long not in report.kept
    # a pair that fits plain but not with its slots is skipped too: the collator could draw them
    lengths = [len(tok(" ".join(f["src_tokens"]))["input_ids"]) for f in feats]
    tight = drop_long_pairs(feats, tok, max_length=max(lengths), max_slots=4)
    assert tight.skipped >= 1
    with caplog.at_level("WARNING", logger="crop_hf.training.trainer_setup"):
        trainer = train_lst_model(
            str(tiny_dir / "m2m100"), [*feats, long], _args(tmp_path, max_steps=1, max_length=40)
        )
    assert trainer.skipped_long_pairs == 1 and "skipped 1 of 9 pairs longer than max_length=40" in caplog.text


@pytest.mark.parametrize("kind", ["lst", "selftrain"])
def test_argument_copies_keep_the_hub_token_and_pickles_never_hold_it(tmp_path, kind):
    import copy
    import dataclasses
    import pickle

    from crop_hf.training.selftrain import SelfTrainingArguments

    cls = LabeledSeq2SeqTrainingArguments if kind == "lst" else SelfTrainingArguments
    args = cls(output_dir=str(tmp_path), hub_token="hf_secret_token", report_to=[])
    assert copy.copy(args).hub_token == "hf_secret_token"
    assert copy.deepcopy(args).hub_token == "hf_secret_token"
    assert dataclasses.replace(args, output_dir=str(tmp_path / "r")).hub_token == "hf_secret_token"
    copied = copy.copy(args)
    copied.output_dir = "elsewhere"
    assert args.output_dir == str(tmp_path)  # a copy, not the same object
    blob = pickle.dumps(args)
    assert b"hf_secret_token" not in blob and pickle.loads(blob).hub_token is None
    assert args.hub_token == "hf_secret_token"
    assert "hf_secret_token" not in args.to_json_string()


def test_trainer_alone_trains_what_train_lst_model_trains(plain_m2m, tmp_path):
    """The class used as trl users write it (model, args, data) gets the loss of ``crop-hf train-lst``'s path, on a
    checkpoint without slot markers and with one pair over max_length: it adds the markers and skips that pair."""
    from crop_hf.training.lst import train_lst_model

    feats = gold_phrase_features(4)
    long = dict(feats[0], src_tokens=feats[0]["src_tokens"] * 8, tgt_tokens=feats[0]["tgt_tokens"] * 8)
    rows = [*feats, long]
    kw = dict(max_steps=3, max_length=80, logging_steps=1)
    torch.manual_seed(0)  # the new marker rows start from the same vectors both ways
    helper = train_lst_model(str(plain_m2m), rows, _args(tmp_path / "helper", **kw))
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(plain_m2m)
    alone = LabeledSeq2SeqTrainer(
        model=AutoModelForSeq2SeqLM.from_pretrained(plain_m2m), args=_args(tmp_path / "alone", **kw),
        train_dataset=rows, processing_class=tok,
    )  # fmt: skip
    assert alone.slot_tokens is not None and len(alone.slot_tokens.added) == 4
    assert alone.skipped_long_pairs == helper.skipped_long_pairs == 1 and len(alone.train_dataset) == 8
    alone.train()
    losses = [[e["loss"] for e in t.state.log_history if "loss" in e] for t in (helper, alone)]
    assert len(losses[0]) == 3 and losses[0] == pytest.approx(losses[1], rel=1e-6)
    # the same run from a model id: the trainer loads model and tokenizer itself
    torch.manual_seed(0)
    by_id = LabeledSeq2SeqTrainer(str(plain_m2m), _args(tmp_path / "by_id", **kw), train_dataset=rows)
    by_id.train()
    assert [e["loss"] for e in by_id.state.log_history if "loss" in e] == pytest.approx(losses[0], rel=1e-6)


def test_trainer_with_a_peft_config_trains_the_slot_marker_rows(still_m2m, tmp_path):
    """``peft_config`` alone (no lora_r) gives what ``crop-hf train-lst --lora_r`` gives: LoRA on the attention, the
    slot markers' embedding rows trained and no other row, and a merged plain model saved."""
    from peft import LoraConfig

    from crop_hf.training.trainer_setup import slot_token_ids

    tok = AutoTokenizer.from_pretrained(still_m2m)
    before = AutoModelForSeq2SeqLM.from_pretrained(still_m2m).get_input_embeddings().weight.detach().clone()
    config = LoraConfig(task_type="SEQ_2_SEQ_LM", r=4, target_modules=["q_proj", "v_proj"])
    args = _args(tmp_path / "lst", max_steps=3, per_device_train_batch_size=8, learning_rate=1e-2)
    trainer = LabeledSeq2SeqTrainer(AutoModelForSeq2SeqLM.from_pretrained(still_m2m), args, processing_class=tok,
                                    train_dataset=gold_phrase_features(8), peft_config=config)  # fmt: skip
    assert config.trainable_token_indices is None  # the caller's config is left as it was
    assert trainer.model.peft_config["default"].trainable_token_indices == slot_token_ids(tok, args.max_slots)
    trainer.train()
    trainer.save_model()
    assert not (tmp_path / "lst" / "adapter_config.json").exists()  # merged: a plain model
    after = AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "lst").get_input_embeddings().weight.detach()
    changed = set(torch.nonzero((after - before).abs().amax(dim=1) > 0).flatten().tolist())
    assert changed == set(slot_token_ids(tok, args.max_slots))
    with pytest.raises(ValueError, match="already a peft model"):
        LabeledSeq2SeqTrainer(_peft(still_m2m), args, processing_class=tok,
                              peft_config=config)  # fmt: skip


def test_lst_and_selftrain_arguments_share_one_base_with_their_own_defaults():
    import dataclasses

    from crop_hf.training.selftrain import SelfTrainingArguments
    from crop_hf.training.training_args import CropTrainingArguments

    lst = LabeledSeq2SeqTrainingArguments(output_dir="unused", lora_r=8, use_cpu=True)
    ner = SelfTrainingArguments(output_dir="unused", lora_r=8)
    assert isinstance(lst, CropTrainingArguments) and isinstance(ner, CropTrainingArguments)
    # LST keeps peft's defaults on the attention projections (what train_lst_model always used), NER its own
    lst_lora, ner_lora = lst.lora_config("SEQ_2_SEQ_LM"), ner.lora_config("TOKEN_CLS")
    assert (lst_lora.r, lst_lora.lora_alpha, lst_lora.lora_dropout, sorted(lst_lora.target_modules)) == (
        8, 8, 0.0, ["q_proj", "v_proj"])  # fmt: skip
    assert (ner_lora.r, ner_lora.lora_alpha, ner_lora.lora_dropout, ner_lora.target_modules) == (8, 16, 0.1, None)
    defaults = [{f.name: f.default for f in dataclasses.fields(c)}["mixed_precision"] for c in (lst, ner)]
    assert defaults == ["no", "auto"]  # (transformers rewrites the attribute itself from bf16 / fp16)
    for make in (LabeledSeq2SeqTrainingArguments, SelfTrainingArguments):
        with pytest.raises(ValueError, match="mixed_precision must be one of auto, bf16, fp16, no, got 'fp8'"):
            make(output_dir="unused", mixed_precision="fp8")
        with pytest.raises(ValueError, match="lora_r must be >= 0"):
            make(output_dir="unused", lora_r=-1)


def _peft(path):
    from peft import LoraConfig, get_peft_model

    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    return get_peft_model(model, LoraConfig(task_type="SEQ_2_SEQ_LM", r=2, target_modules=["q_proj"]))
