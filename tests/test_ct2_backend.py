import importlib.util
import sys

import pytest

torch = pytest.importorskip("torch")
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer  # noqa: E402

from crop_hf.core.slots import slot_marker  # noqa: E402
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, train_sentencepiece  # noqa: E402
from crop_hf.training.tokenizer_prep import prepare_tokenizer_for_slots  # noqa: E402
from crop_hf.translation import Translator, make_translator  # noqa: E402

SENTENCES = ["Ana Ruiz vive en Madrid .", "Hans Müller wohnt in Berlin .", "El Banco de España abrió ."]
WRAPPED = ["__SLOT0__ Ana Ruiz __SLOT0__ lives in __SLOT1__ Madrid __SLOT1__ .", "__SLOT0__ Google __SLOT0__ grew ."]


def generated_ids(translator, texts, src, tgt):
    """The translations, and the new ids of each output (generate's decoder start and padding removed)."""
    rows = []
    generate = translator._generate

    def recording(inputs, tgt_lang, max_new):
        out = generate(inputs, tgt_lang, max_new)
        rows.extend(out)
        return out

    translator._generate = recording
    outputs = translator.translate(texts, src, tgt)
    if type(translator) is Translator:  # generate: [decoder start, new ids..., end, padding...]
        eos = translator.model.generation_config.eos_token_id
        rows = [row[1 : row.index(eos, 1) + 1] if eos in row[1:] else row[1:] for row in rows]
    return outputs, rows


@pytest.fixture(scope="module")
def tiny(tiny_dir):
    path = tiny_dir / "m2m100"
    return AutoModelForSeq2SeqLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)


@pytest.fixture(scope="module")
def marked_m2m(tmp_path_factory):
    """A tiny M2M100 without markers in its SentencePiece model, prepared as a real checkpoint would be."""
    root = tmp_path_factory.mktemp("marked")
    spm = train_sentencepiece(corpus_texts(n_per_lang=30), root / "sp.model", vocab_size=300, max_slots=0)
    path = make_tiny_m2m100(root / "m2m", spm, d_model=16, ffn_dim=32)
    model, tok = AutoModelForSeq2SeqLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    report = prepare_tokenizer_for_slots(tok, model, max_slots=4)
    assert report.added  # the markers sit after the model's vocabulary, the case the converter alone fails on
    return model, tok


def test_unknown_backend_and_misplaced_compute_type_are_one_line_errors(tiny):
    model, tok = tiny
    with pytest.raises(ValueError, match=r"backend='onnx': use one of \('transformers', 'ctranslate2'\)") as err:
        make_translator(model, tok, backend="onnx")
    assert "\n" not in str(err.value)
    with pytest.raises(ValueError, match="applies to backend='ctranslate2' only"):
        make_translator(model, tok, compute_type="int8")
    with pytest.raises(ValueError, match="cache_dir apply to backend='ctranslate2' only"):
        make_translator(model, tok, cache_dir="/tmp/x")


def test_missing_ctranslate2_names_the_extra(tiny, monkeypatch):
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import ctranslate2 now raises ImportError
    with pytest.raises(ImportError, match=r"^backend='ctranslate2' needs ctranslate2: pip install 'crop-hf\[ct2\]'$"):
        make_translator(*tiny, backend="ctranslate2")


needs_ct2 = pytest.mark.skipif(importlib.util.find_spec("ctranslate2") is None, reason="pip install crop-hf[ct2]")


@needs_ct2
def test_greedy_float32_generates_the_same_tokens_as_transformers(tiny, tmp_path):
    model, tok = tiny
    fast = make_translator(model, tok, "ctranslate2", "float32", cache_dir=tmp_path, batch_size=2)
    slow = make_translator(model, tok, batch_size=2)  # made after the conversion: the weights are untouched
    for texts, src, tgt in ((SENTENCES, "es", "en"), (WRAPPED, "en", "de")):
        out_fast, ids_fast = generated_ids(fast, texts, src, tgt)
        out_slow, ids_slow = generated_ids(slow, texts, src, tgt)
        assert ids_fast == ids_slow and len(ids_fast) == len(texts)
        assert ids_fast[0][0] == tok.get_lang_id(tgt)  # the target-language code forced first on both
        assert out_fast == out_slow and all(out_fast)
        assert fast.last_stats.batches == slow.last_stats.batches == (len(texts) + 1) // 2


@needs_ct2
def test_beam_search_float32_matches_on_short_outputs(tiny, tmp_path):
    # over long outputs of a random model, beams meet near-ties that float rounding decides (1 of 5 rows at 62)
    model, tok = tiny
    kwargs = {"num_beams": 3, "max_new_tokens": 16}
    fast = make_translator(model, tok, "ctranslate2", "float32", cache_dir=tmp_path, **kwargs)
    slow = make_translator(model, tok, **kwargs)
    for texts, src, tgt in ((SENTENCES, "es", "en"), (WRAPPED, "en", "de")):
        assert generated_ids(fast, texts, src, tgt) == generated_ids(slow, texts, src, tgt)


@needs_ct2
def test_fixed_length_and_too_long_inputs_match(tiny, tmp_path):
    model, tok = tiny
    texts = [SENTENCES[0], "palabra " * 200, SENTENCES[1]]
    kwargs = {"min_new_tokens": 7, "max_new_tokens": 7, "max_input_tokens": 40}
    fast = make_translator(model, tok, "ctranslate2", "float32", cache_dir=tmp_path, **kwargs)
    slow = make_translator(model, tok, **kwargs)
    out_fast, ids_fast = generated_ids(fast, texts, "es", "en")
    out_slow, ids_slow = generated_ids(slow, texts, "es", "en")
    assert out_fast[1] is None and out_slow[1] is None
    assert fast.last_stats.too_long == slow.last_stats.too_long == 1 and fast.last_stats.too_long_indices == [1]
    assert ids_fast == ids_slow and [len(x) for x in ids_fast] == [7, 7]
    assert out_fast == out_slow


@needs_ct2
def test_markers_after_the_vocabulary_convert_and_match(marked_m2m, tmp_path):
    model, tok = marked_m2m
    fast = make_translator(model, tok, "ctranslate2", "float32", cache_dir=tmp_path)
    rows = model.get_input_embeddings().weight.shape[0]
    assert len(fast.vocabulary) == rows == len(set(fast.vocabulary))
    for i in range(4):
        assert fast.vocabulary[tok.convert_tokens_to_ids(slot_marker(i))] == slot_marker(i)
    assert fast.vocabulary[tok.get_lang_id("de")] == "__de__"
    out_fast, ids_fast = generated_ids(fast, WRAPPED, "en", "de")
    out_slow, ids_slow = generated_ids(make_translator(model, tok), WRAPPED, "en", "de")
    assert ids_fast == ids_slow and out_fast == out_slow


@needs_ct2
def test_conversion_is_cached_by_content(tiny_dir, tmp_path):
    from crop_hf.translation.ct2 import convert_model

    path = tiny_dir / "m2m100"
    model, tok = AutoModelForSeq2SeqLM.from_pretrained(path), AutoTokenizer.from_pretrained(path)
    first = convert_model(model, tok, tmp_path)
    assert first.converted and (first.path / "model.bin").is_file() and first.path.parent == tmp_path
    again = convert_model(AutoModelForSeq2SeqLM.from_pretrained(path), tok, tmp_path)  # same checkpoint reloaded
    assert not again.converted and again.path == first.path
    with torch.no_grad():
        model.model.encoder.layers[0].fc1.weight[0, 0] += 1.0  # "retrained"
    changed = convert_model(model, tok, tmp_path)
    assert changed.converted and changed.key != first.key
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([first.key, changed.key])  # no staging left


@needs_ct2
def test_default_compute_type_and_one_the_device_cannot_run(tiny, tmp_path, caplog, monkeypatch):
    from crop_hf.translation import ct2

    assert ct2.default_compute_type("cpu") == "int8"
    assert ct2.default_compute_type("cuda", torch.bfloat16) == "bfloat16"
    assert ct2.default_compute_type("cuda", torch.float32) == "float16"
    translator = make_translator(*tiny, backend="ctranslate2", cache_dir=tmp_path)
    assert translator.compute_type == "int8" and translator.device == "cpu"
    monkeypatch.setattr(ct2, "_WARNED", set())
    with caplog.at_level("WARNING", logger="crop_hf.translation.ct2"):  # float16 on a CPU: its default, told once
        first = make_translator(*tiny, backend="ctranslate2", compute_type="float16", cache_dir=tmp_path)
        second = make_translator(*tiny, backend="ctranslate2", compute_type="float16", cache_dir=tmp_path)
    assert (first.compute_type, second.compute_type) == ("int8", "int8")
    (told,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert told.startswith("compute_type='float16' cannot run on this cpu (it runs ") and "float32" in told
    assert told.endswith("): using 'int8', its default")
    assert first.translate(SENTENCES[:1], "es", "en")[0] is not None


def test_a_value_that_is_no_compute_type_is_one_line(tiny):
    from crop_hf.base.errors import CropHfError

    with pytest.raises(
        CropHfError, match=r"^compute_type='fp17' is not a CTranslate2 compute type: use one of default, "
    ):
        make_translator(*tiny, backend="ctranslate2", compute_type="fp17")


def test_cache_dir_defaults(monkeypatch, tmp_path):
    from crop_hf.translation.ct2 import default_cache_dir

    monkeypatch.delenv("CROP_HF_CT2_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    assert default_cache_dir() == tmp_path / "hf" / "crop_hf" / "ct2"
    monkeypatch.setenv("CROP_HF_CT2_CACHE", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
