from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from transformers import AutoModelForSeq2SeqLM, AutoModelForTokenClassification, AutoTokenizer  # noqa: E402

from crop_hf.core.tagging import CONLL  # noqa: E402
from crop_hf.demo.tiny_models import corpus_texts, make_tiny_m2m100, make_tiny_xlmr, train_sentencepiece  # noqa: E402


@pytest.fixture(scope="module")
def spm(tmp_path_factory):
    return train_sentencepiece(corpus_texts(n_per_lang=50), tmp_path_factory.mktemp("sp") / "sp.model", 600)


def test_tiny_m2m100_has_m2m100_layout(spm, tmp_path):
    path = make_tiny_m2m100(tmp_path / "m2m", spm, d_model=32, ffn_dim=64)
    assert {"vocab.json", "sentencepiece.bpe.model", "model.safetensors"} <= {p.name for p in path.iterdir()}
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSeq2SeqLM.from_pretrained(path)
    assert type(tok).__name__ == "M2M100Tokenizer"
    # language codes sit after the SentencePiece vocabulary, as in facebook/m2m100_418M
    assert tok.get_lang_id("af") == len(tok.encoder)
    assert model.config.vocab_size == len(tok.encoder) + 100 + 8
    tok.src_lang = "en"
    ids = tok("__SLOT0__ Madrid __SLOT0__")["input_ids"]
    pieces = tok.convert_ids_to_tokens(ids)
    assert pieces[0] == "__en__" and pieces.count("__SLOT0__") == 2  # one piece per marker
    assert tok.convert_tokens_to_ids("__SLOT0__") < tok.get_lang_id("af")  # no collision with language ids


def test_tiny_xlmr_loads_with_labels(spm, tmp_path):
    path = make_tiny_xlmr(tmp_path / "xlmr", spm, CONLL.labels, hidden_size=32, intermediate_size=64)
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForTokenClassification.from_pretrained(path)
    assert model.config.id2label[1] == "B-PER" and model.config.num_labels == 9
    enc = tok(["Juan", "vive", "en", "Madrid"], is_split_into_words=True)
    assert enc.word_ids()[0] is None and set(w for w in enc.word_ids() if w is not None) == {0, 1, 2, 3}
    assert tok.convert_ids_to_tokens(enc["input_ids"])[0] == "<s>"


def test_the_sentencepiece_model_records_no_path_of_this_machine(spm):
    import tempfile

    data = Path(spm).read_bytes()
    assert tempfile.gettempdir().encode() not in data and str(Path(spm).parent).encode() not in data
    assert b"__SLOT0__" in data  # the markers are in it


def test_a_bpe_tokenizer_keeps_the_corpus_words_whole(tmp_path):
    """The demo's tokenizer is BPE: on the built-in corpus a unigram model cuts even frequent words into letters."""
    import sentencepiece

    from crop_hf.demo.synthetic import generate_corpus

    texts = corpus_texts()  # the demo's tokenizer text and size
    models = {
        kind: train_sentencepiece(texts, tmp_path / f"{kind}.model", 2000, model_type=kind)
        for kind in ("bpe", "unigram")
    }
    sp = {kind: sentencepiece.SentencePieceProcessor(model_file=str(path)) for kind, path in models.items()}
    words = ["▁в", "▁следующем", "▁году", "▁", "__SLOT1__", "▁."]
    assert sp["bpe"].encode("в следующем году __SLOT1__ .", out_type=str) == words
    sentences = [ex.tgt_text for ex in generate_corpus(["ru", "es", "de"], 30, seed=7)]
    pieces = {kind: sum(len(p.encode(s)) for s in sentences) for kind, p in sp.items()}
    assert pieces["bpe"] < 0.75 * pieces["unigram"]
    with pytest.raises(RuntimeError):  # BPE needs room for every character of the texts
        train_sentencepiece(texts, tmp_path / "small.model", 50, model_type="bpe")
