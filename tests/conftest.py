import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """A SentencePiece model and tiny randomly initialised M2M100 / XLM-R built on the built-in corpus."""
    from crop_hf.core.tagging import CONLL
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece

    root = tmp_path_factory.mktemp("tiny")
    spm = train_sentencepiece(corpus_texts(n_per_lang=60), root / "sp.model", vocab_size=800)
    make_tiny_m2m100(root / "m2m100", spm, d_model=32, ffn_dim=64, max_positions=128)
    make_tiny_xlmr(root / "xlmr", spm, CONLL.labels, hidden_size=32, intermediate_size=64)
    return root


@pytest.fixture(scope="session")
def tiny_nllb(tmp_path_factory):
    """A tiny randomly initialised NLLB-200-layout model (NllbTokenizer, FLORES-200 codes) on the built-in corpus."""
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_nllb

    return make_tiny_nllb(tmp_path_factory.mktemp("nllb") / "nllb", corpus_texts(("es", "nl"), n_per_lang=60))


@pytest.fixture(scope="session")
def still_m2m(tiny_dir, tmp_path_factory):
    """The tiny M2M100 without dropout or layer drop, so that two runs on the same batches take the same steps."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    path = tmp_path_factory.mktemp("still") / "m2m100"
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "m2m100")
    for key in ("dropout", "attention_dropout", "activation_dropout", "encoder_layerdrop", "decoder_layerdrop"):
        setattr(model.config, key, 0.0)
    model.save_pretrained(path)
    AutoTokenizer.from_pretrained(tiny_dir / "m2m100").save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def plain_m2m(tmp_path_factory):
    """A tiny M2M100 whose SentencePiece model has no slot markers, like facebook/m2m100_418M."""
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, train_sentencepiece

    root = tmp_path_factory.mktemp("plain")
    spm = train_sentencepiece(corpus_texts(n_per_lang=30), root / "sp.model", vocab_size=300, max_slots=0)
    return make_tiny_m2m100(root / "m2m", spm, d_model=16, ffn_dim=32)


@pytest.fixture(scope="session")
def tiny_xlmr(tmp_path_factory):
    """A tiny XLM-R token classifier (CoNLL labels) for the self-training tests."""
    from crop_hf.core.tagging import CONLL
    from crop_hf.demo.tiny_models import corpus_texts, make_tiny_xlmr, train_sentencepiece

    root = tmp_path_factory.mktemp("tiny_xlmr")
    spm = train_sentencepiece(corpus_texts(langs=("es", "de"), n_per_lang=40), root / "sp.model", 500)
    return str(
        make_tiny_xlmr(root / "xlmr", spm, CONLL.labels, hidden_size=32, layers=1, heads=2, intermediate_size=64)
    )


def gold_phrase_features(n_per_lang=10, langs=("es", "zh"), seed=0):
    """LST features whose phrase pairs are the corpus's gold entity alignment."""
    from crop_hf.core.tagging import tags_to_spans
    from crop_hf.demo.synthetic import generate_corpus

    feats = []
    for ex in generate_corpus(langs, n_per_lang, seed=seed):
        src, tgt = tags_to_spans(ex.src_tags), tags_to_spans(ex.tgt_tags)
        phrases = [[src[i].start, src[i].end, tgt[j].start, tgt[j].end] for i, j in ex.alignment]
        feats.append({"src_tokens": ex.src_tokens, "tgt_tokens": ex.tgt_tokens, "phrases": phrases,
                      "src_lang": "en", "tgt_lang": ex.lang})  # fmt: skip
    return feats
