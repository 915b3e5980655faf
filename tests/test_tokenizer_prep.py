import pytest

torch = pytest.importorskip("torch")
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer  # noqa: E402

from crop_hf.core.slots import slot_marker  # noqa: E402
from crop_hf.training.tokenizer_prep import prepare_tokenizer_for_slots  # noqa: E402
from crop_hf.translation import Translator  # noqa: E402


def test_naive_add_tokens_collides_with_language_codes(plain_m2m):
    tok = AutoTokenizer.from_pretrained(plain_m2m)
    af = tok.get_lang_id("af")
    tok.add_tokens([slot_marker(0)])
    assert tok.convert_tokens_to_ids(slot_marker(0)) == af  # the bug prepare_tokenizer_for_slots avoids


def test_markers_become_single_tokens_after_the_model_vocabulary(plain_m2m, tmp_path):
    tok = AutoTokenizer.from_pretrained(plain_m2m)
    model = AutoModelForSeq2SeqLM.from_pretrained(plain_m2m)
    langs = dict(tok.lang_code_to_id)
    old_size = model.config.vocab_size
    report = prepare_tokenizer_for_slots(tok, model, max_slots=4)
    assert report.added == [slot_marker(i) for i in range(4)] and report.first_id == old_size
    assert model.get_input_embeddings().weight.shape[0] == old_size + 4
    assert dict(tok.lang_code_to_id) == langs
    tok.src_lang = "en"
    ids = tok("__SLOT1__ Ana __SLOT1__ vive")["input_ids"]
    assert ids.count(old_size + 1) == 2 and ids[0] == langs["en"]
    assert Translator(model, tok).decode(ids) == "__SLOT1__ Ana __SLOT1__ vive"
    tok.save_pretrained(tmp_path / "t")
    model.save_pretrained(tmp_path / "t")
    again = AutoTokenizer.from_pretrained(tmp_path / "t")
    assert again.convert_tokens_to_ids(slot_marker(3)) == old_size + 3 and dict(again.lang_code_to_id) == langs
    assert AutoModelForSeq2SeqLM.from_pretrained(tmp_path / "t").config.vocab_size == old_size + 4
    assert prepare_tokenizer_for_slots(again, model, max_slots=4).added == []  # idempotent


def test_tiny_tokenizer_already_has_markers(tiny_dir):
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100")
    size = model.config.vocab_size
    assert prepare_tokenizer_for_slots(tok, model).added == []
    assert model.config.vocab_size == size


def test_lora_trains_the_markers_added_to_a_checkpoint_without_them(plain_m2m, tmp_path):
    """Like facebook/m2m100_418M: the markers get new rows, and LoRA training moves those rows and no other."""
    from conftest import gold_phrase_features

    from crop_hf.training.lst import train_lst_model
    from crop_hf.training.trainer import LabeledSeq2SeqTrainingArguments

    old_size = AutoModelForSeq2SeqLM.from_pretrained(plain_m2m).config.vocab_size
    original = AutoModelForSeq2SeqLM.from_pretrained(plain_m2m).get_input_embeddings().weight.detach()
    rows = {}
    for lr in (0.0, 1e-2):
        out = tmp_path / f"lr{lr}"
        args = LabeledSeq2SeqTrainingArguments(output_dir=str(out), max_steps=2, per_device_train_batch_size=8,
                                               learning_rate=lr, lora_r=2, report_to=[], use_cpu=True,
                                               save_strategy="no", disable_tqdm=True)  # fmt: skip
        torch.manual_seed(0)  # the same initial vectors for the new rows in both runs
        train_lst_model(str(plain_m2m), gold_phrase_features(4), args)
        rows[lr] = AutoModelForSeq2SeqLM.from_pretrained(out).get_input_embeddings().weight.detach()
        assert rows[lr].shape[0] == old_size + 4 and torch.equal(rows[lr][:old_size], original)
        assert AutoTokenizer.from_pretrained(out).convert_tokens_to_ids(slot_marker(0)) == old_size
    changed = torch.nonzero((rows[1e-2] - rows[0.0]).abs().amax(dim=1) > 0).flatten().tolist()
    assert changed == [old_size, old_size + 1, old_size + 2, old_size + 3]


@pytest.mark.parametrize("fixture", ["plain_m2m", "tiny_nllb"])
def test_added_marker_rows_start_as_the_mean_of_their_former_pieces(fixture, request):
    path = request.getfixturevalue(fixture)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    pieces = {i: tok(slot_marker(i), add_special_tokens=False)["input_ids"] for i in range(4)}
    assert all(len(ids) > 1 for ids in pieces.values())  # the markers were several pieces before
    report = prepare_tokenizer_for_slots(tok, model, max_slots=4)
    weight = model.get_input_embeddings().weight
    spread = weight.std().item()
    for i, ids in pieces.items():
        row, mean = weight[tok.convert_tokens_to_ids(slot_marker(i))], weight[ids].mean(dim=0)
        # the mean of its former pieces, plus a tenth of the rows' spread (the whole spread: far from it)
        assert (row - mean).std().item() == pytest.approx(0.1 * spread, rel=0.5)
        assert (row - mean).norm() < (weight[0] - mean).norm()
    # one row per slot id, and the output head reads the same rows (tied)
    assert len({tuple(weight[report.first_id + i].tolist()) for i in range(4)}) == 4
    assert model.get_output_embeddings().weight.data_ptr() == weight.data_ptr()


def test_model_dropout_sets_every_rate_of_a_seq2seq_model(tiny_dir):
    from crop_hf.training.trainer_setup import set_dropout

    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100")
    assert model.config.dropout == 0.1 and model.config.encoder_layerdrop == 0.05  # M2M100's defaults
    assert set_dropout(model, 0.0) > 0
    assert model.config.dropout == model.config.attention_dropout == model.config.encoder_layerdrop == 0.0
    rates = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    rates += [getattr(m, n) for m in model.modules() for n in ("dropout", "attention_dropout", "layerdrop")
              if isinstance(getattr(m, n, None), float)]  # fmt: skip
    assert rates and set(rates) == {0.0}
    model.train()  # in training mode, two passes over the same batch now agree
    ids = torch.tensor([[5, 6, 7, 2]])
    first = model(input_ids=ids, decoder_input_ids=ids).logits
    torch.testing.assert_close(first, model(input_ids=ids, decoder_input_ids=ids).logits)
