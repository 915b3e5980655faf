"""A translator decodes as the model's own generation config says unless told otherwise."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer  # noqa: E402

from crop_hf.translation import GenerationSettings, Translator, make_translator  # noqa: E402


def test_beams_come_from_the_models_generation_config_unless_given(tiny_dir):
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100")
    tok = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    assert Translator(model, tok).settings.num_beams == 1  # the tiny model's config: greedy
    model.generation_config.num_beams = 3  # as facebook/m2m100_418M's says 5
    assert Translator(model, tok).settings.num_beams == 3
    assert make_translator(model, tok, batch_size=4).settings.num_beams == 3
    assert Translator(model, tok, num_beams=1).settings.num_beams == 1  # given: kept
    assert Translator(model, tok, GenerationSettings(num_beams=2)).settings.num_beams == 2
    # the beams really run: the output is generate()'s with the config's beams
    tok.src_lang = "es"
    ids = tok(["Ana vive en Madrid ."], return_tensors="pt")
    expected = model.generate(**ids, forced_bos_token_id=tok.get_lang_id("en"), max_new_tokens=8, num_beams=3)
    translator = Translator(model, tok, max_new_tokens=8)
    assert translator.translate(["Ana vive en Madrid ."], "es", "en") == [translator.decode(expected[0].tolist())]
    greedy = model.generate(**ids, forced_bos_token_id=tok.get_lang_id("en"), max_new_tokens=8, num_beams=1)
    assert not torch.equal(expected, greedy)  # (so that the check above tells beams from greedy search)
