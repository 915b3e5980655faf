"""CropProjectionPipeline: results as dicts with token-classification's keys, base-class batching and streaming,
per-item discards, option checks, translate-train, save/reload."""

import json

import pytest

torch = pytest.importorskip("torch")
from transformers import pipeline  # noqa: E402

import crop_hf  # noqa: E402,F401
from crop_hf.core.languages import UnknownLanguageError  # noqa: E402
from crop_hf.projection.pipeline import CONFIG_NAME, CropProjectionPipeline  # noqa: E402

RAW = "Ana Ruiz trabaja para Banco Mundial en Madrid ."
EN = "Ana Ruiz works for World Bank in Madrid ."
WRAPPED = "__SLOT0__ Ana Ruiz __SLOT0__ works for __SLOT1__ World Bank __SLOT1__ in __SLOT2__ Madrid __SLOT2__ ."
LABELED = (
    "__SLOT0__ Ana Ruiz __SLOT0__ trabaja para el __SLOT1__ Banco Mundial __SLOT1__ en __SLOT2__ Madrid __SLOT2__ ."
)
EN_TAGS = ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "O"]


@pytest.fixture(scope="module")
def projector(tiny_dir):
    return pipeline("crop-projection", model=str(tiny_dir / "m2m100"), ner_model=str(tiny_dir / "xlmr"))


def scripted(projector, monkeypatch, english=None, labeled=None, ner=None, calls=None):
    """Replace the three models' outputs with fixed ones (unknown sentences: copied, all-O); the rest runs for real."""
    english, labeled, ner = english or {}, labeled or {}, ner or {}

    def fake_translate(model, tok, texts, src, tgt):
        if calls is not None:
            calls.append(list(texts))
        table = english if tgt == "en" else labeled
        return [table.get(t, t) for t in texts]

    monkeypatch.setattr(projector, "_translate", fake_translate)
    monkeypatch.setattr(
        "crop_hf.projection.pipeline.predict_tags",
        lambda m, t, words: [ner.get(" ".join(w), ["O"] * len(w)) for w in words],
    )


def script_the_tour(projector, monkeypatch, **kwargs):
    scripted(projector, monkeypatch, english={RAW: EN}, labeled={WRAPPED: LABELED}, ner={EN: EN_TAGS}, **kwargs)


def test_registered_and_built_from_pipeline(projector):
    assert isinstance(projector, CropProjectionPipeline)
    assert projector.ner_model is not None and projector.mt_model is projector.model
    assert projector._batch_size == 32


def test_result_is_a_json_ready_dict_with_token_classification_entities(projector, monkeypatch):
    script_the_tour(projector, monkeypatch)
    res = projector(RAW, src_lang="es", check_language=False)
    assert isinstance(res, dict) and json.loads(json.dumps(res)) == res
    assert res["kept"] and res["reason"] is None and res["english"] == EN and res["labeled_translation"] == LABELED
    assert res["tags"] == ["B-PER", "I-PER", "O", "O", "B-ORG", "I-ORG", "O", "B-LOC", "O"]
    assert res["entities"][2] == {"entity_group": "LOC", "score": 1.0, "word": "Madrid", "start": 39, "end": 45,
                                  "method": "exact", "token_start": 7, "token_end": 8}  # fmt: skip
    # code written for the token-classification pipeline reads the entities unchanged
    text, result = RAW, res
    assert [(e["entity_group"], text[e["start"] : e["end"]]) for e in result["entities"]] == [
        ("PER", "Ana Ruiz"), ("ORG", "Banco Mundial"), ("LOC", "Madrid")]  # fmt: skip


def test_one_result_per_item_bad_items_discarded_with_reasons(projector, monkeypatch):
    good = "Juan vive en Madrid ."
    scripted(projector, monkeypatch, english={good: "Juan lives in Madrid ."},
             labeled={"__SLOT0__ Juan __SLOT0__ lives in __SLOT1__ Madrid __SLOT1__ .":
                      "__SLOT0__ Juan __SLOT0__ vive en __SLOT1__ Madrid __SLOT1__ ."},
             ner={"Juan lives in Madrid .": ["B-PER", "O", "O", "B-LOC", "O"]})  # fmt: skip
    results = projector([good, None, "", 5, b"x", "Juan \ud800 ."], src_lang="es")
    assert [r["reason"] for r in results] == [None, "wrong_type", "empty", "wrong_type", "wrong_type", "undecodable"]
    assert results[0]["kept"] and [e["word"] for e in results[0]["entities"]] == ["Juan", "Madrid"]
    assert results[1]["detail"] == "expected a string, got NoneType: None"
    assert results[5]["text"] == "Juan \\ud800 ." and results[5]["detail"] == "lone surrogate U+D800 at 5"
    json.dumps(results)  # every result, discarded or not, is JSON as returned
    assert projector([], src_lang="es") == [] and projector((), src_lang="es") == []
    for bad in (None, 5, b"Juan vive"):  # a single non-string is a programming error, said in one line
        with pytest.raises(TypeError, match=f"got {type(bad).__name__}"):
            projector(bad, src_lang="es")


def break_translation_of(text, projector, monkeypatch):
    """MT raises on any batch that holds ``text`` (as a tokenizer error would)."""
    translate = projector._translate

    def fragile(model, tok, texts, src, tgt):
        if text in texts:
            raise RuntimeError("tokenizer exploded")
        return translate(model, tok, texts, src, tgt)

    monkeypatch.setattr(projector, "_translate", fragile)


def test_a_model_or_langid_error_on_one_item_discards_it_and_not_its_batch(projector, monkeypatch):
    script_the_tour(projector, monkeypatch)
    break_translation_of("Frase rota .", projector, monkeypatch)
    results = projector([RAW, "Frase rota .", RAW], src_lang="es", check_language=False, batch_size=3)
    assert [r["reason"] for r in results] == [None, "model_error", None]
    assert results[1]["detail"] == "MT: RuntimeError: tokenizer exploded"

    def langid(text, candidates=None, identifier="langid"):
        if text.startswith("Frase"):
            raise UnicodeEncodeError("utf-8", text, 0, 1, "surrogates not allowed")
        return "es"

    monkeypatch.setattr("crop_hf.core.filters.identify_language", langid)
    results = projector([RAW, "Frase rota ."], src_lang="es", check_raw_language=True, batch_size=2)
    assert [r["reason"] for r in results] == [None, "langid_error"]


def test_options_are_checked_once_before_any_model_runs(projector, monkeypatch):
    calls = []
    scripted(projector, monkeypatch, calls=calls)
    bad = [
        ({"strictnes": "crop"}, TypeError, "unknown option strictnes='crop'; did you mean strictness="),
        ({"strictness": "fuzy"}, ValueError, "did you mean 'fuzzy'"),
        ({"batch_size": -1}, ValueError, "batch_size=-1: use a whole number >= 1"),
        ({"num_workers": "2"}, ValueError, "num_workers='2'"),
        ({"max_words": "10"}, ValueError, "max_words='10'"),
        ({"max_entities": 0}, ValueError, "max_entities=0"),
        ({"min_score": 5}, ValueError, "min_score=5: use a number between 0 and 1"),
        ({"mode": "translate"}, ValueError, "did you mean 'translate-train'"),
        ({"check_language": "no"}, TypeError, "check_language='no'"),
        ({"check_raw_language": 1}, TypeError, "check_raw_language=1: use True or False"),
        ({"check_raw_langauge": True}, TypeError, "did you mean check_raw_language="),
        ({"language_identifier": "lingva"}, ValueError, "language_identifier='lingva': use one of langid, lingua"),
        ({"langid_candidates": "es"}, TypeError, "langid_candidates='es'"),
        ({"langid_candidates": []}, TypeError, "langid_candidates=\\[\\]"),
        ({"langid_candidates": ["es", "xx"]}, ValueError, "does not know \\['xx'\\]"),
        ({"tgt_lang": "es"}, ValueError, "tgt_lang is for mode='translate-train'"),
        ({"src_lang": None}, ValueError, "pass src_lang="),
    ]
    for options, error, message in bad:
        with pytest.raises(error, match=message):
            projector(["", "nunca"], **{"src_lang": "es", **options})
    with pytest.raises(UnknownLanguageError, match="known codes"):
        projector(["nunca"], src_lang="xx")
    with pytest.raises(TypeError, match="did you mean strictness="):
        pipeline("crop-projection", model=projector.model, tokenizer=projector.tokenizer, strictnes="crop")
    assert calls == []  # nothing was translated


def test_filters_run_as_one_chain_and_are_counted(projector, monkeypatch):
    six = "Ana Luis Eva Pedro Juan Rosa ."
    scripted(projector, monkeypatch, ner={six: ["B-PER"] * 6 + ["O"]})
    projector.stats.__init__()
    long = " ".join(["palabra"] * 200)
    inputs = ["", long, "No hay nadie .", six, "The cat is on the table and it sleeps all day long ."]
    results = projector(inputs, src_lang="es", check_raw_language=True, langid_candidates=["es", "en"])
    assert [r["reason"] for r in results] == ["empty", "too_long", "no_entity", "too_many_entities", "raw_language"]
    assert results[4]["detail"] == "raw sentence: langid says 'en', expected 'es'"
    assert results[3]["detail"] == "English NER: 6 entities > max_entities=5"
    assert projector.stats.dropped == {"empty": 1, "too_long": 1, "no_entity": 1, "too_many_entities": 1,
                                       "raw_language": 1}  # fmt: skip
    assert projector.stats.summary() == (
        "seen 5, kept 0 (0.0%); dropped empty=1, too_long=1, no_entity=1, too_many_entities=1, raw_language=1"
    )
    # the limits are options: no entity limit, a longer sentence limit
    kept = projector([long, six], src_lang="es", check_language=False, max_entities=None, max_words=300)
    assert [r["reason"] for r in kept] == ["no_entity", None] and len(kept[1]["entities"]) == 6


GIRONA = "Estrella Rosado vive en Girona ."  # Spanish that langid.py takes for Galician
GIRONA_EN = "Estrella Rosado lives in Girona ."
GIRONA_WRAPPED = "__SLOT0__ Estrella Rosado __SLOT0__ lives in __SLOT1__ Girona __SLOT1__ ."
GIRONA_TAGS = ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]


def script_girona(projector, monkeypatch, labeled, calls=None):
    scripted(projector, monkeypatch, english={GIRONA: GIRONA_EN, RAW: EN}, ner={GIRONA_EN: GIRONA_TAGS, EN: EN_TAGS},
             labeled={GIRONA_WRAPPED: labeled, WRAPPED: LABELED}, calls=calls)  # fmt: skip


def test_the_translations_are_checked_not_the_raw_sentence(projector, monkeypatch):
    from crop_hf.core.filters import identify_language

    assert identify_language(GIRONA) == "gl"  # the raw sentence alone would be dropped as wrong_language
    script_girona(
        projector, monkeypatch, "__SLOT0__ Estrella Rosado __SLOT0__ vive ahora en __SLOT1__ Girona __SLOT1__ ."
    )
    kept = projector(GIRONA, src_lang="es")
    assert kept["kept"] and [e["word"] for e in kept["entities"]] == ["Estrella Rosado", "Girona"]
    # a back-translation in Italian: dropped, saying which text was checked (the slot markers are not part of it)
    italian = (
        "__SLOT0__ Ana Ruiz __SLOT0__ lavora per la __SLOT1__ Banca Mondiale __SLOT1__ a __SLOT2__ Madrid __SLOT2__ ."
    )
    scripted(projector, monkeypatch, english={RAW: EN}, ner={EN: EN_TAGS}, labeled={WRAPPED: italian})
    dropped = projector(RAW, src_lang="es")
    assert (dropped["kept"], dropped["reason"]) == (False, "wrong_language")
    assert dropped["detail"] == "labeled translation: langid says 'it', expected 'es'"
    assert dropped["labeled_translation"] == italian
    unchecked = projector(RAW, src_lang="es", check_language=False)  # the check off: on to matching, which fails
    assert unchecked["reason"] == "unmatched_entity" and "Banca Mondiale" in unchecked["detail"]


def test_the_raw_check_is_there_when_asked_for(projector, monkeypatch):
    calls = []
    script_girona(
        projector, monkeypatch, "__SLOT0__ Estrella Rosado __SLOT0__ vive en __SLOT1__ Girona __SLOT1__ .", calls
    )
    english = "The meeting ended early and everyone went home ."
    results = projector([english, RAW], src_lang="es", check_raw_language=True)
    assert [r["reason"] for r in results] == ["raw_language", None]  # apart from the translations' wrong_language
    assert results[0]["detail"] == "raw sentence: langid says 'en', expected 'es'"
    assert english not in [t for batch in calls for t in batch]  # dropped before any model ran
    assert projector(GIRONA, src_lang="es", check_raw_language=True)["detail"] == (
        "raw sentence: langid says 'gl', expected 'es'"
    )
    assert projector(GIRONA, src_lang="es", check_raw_language=True, langid_candidates=["es", "en"])["reason"] != (
        "raw_language"
    )


def test_translate_train_checks_its_output_language(projector, monkeypatch):
    example = {"tokens": EN.split(), "tags": EN_TAGS}
    scripted(projector, monkeypatch, labeled={WRAPPED: LABELED})
    assert projector(example, mode="translate-train", tgt_lang="es")["kept"]
    scripted(projector, monkeypatch, labeled={})  # the LST model copies its English input
    result = projector(example, mode="translate-train", tgt_lang="es")
    assert (result["reason"], result["detail"]) == ("wrong_language", "translation: langid says 'en', expected 'es'")


def test_translate_train_filters_length_and_entities_as_counted_discards(projector, monkeypatch):
    example = {"tokens": EN.split(), "tags": EN_TAGS}
    scripted(projector, monkeypatch, labeled={WRAPPED: LABELED})
    long = {"tokens": ["word"] * 199 + ["Ana"], "tags": ["O"] * 199 + ["B-PER"]}
    names = [f"Name{i}" for i in range(40)]
    crowded = {"tokens": names, "tags": ["B-PER"] * 40}  # more entities than the 32 slot markers
    projector.stats.__init__()
    for max_entities in (5, None):
        results = projector([long, crowded, example], mode="translate-train", tgt_lang="es", max_entities=max_entities)
        assert [r["reason"] for r in results] == ["too_long", "too_many_entities", None]
    assert results[0]["detail"] == "English sentence: 200 tokens > max_words=128"
    assert results[1]["detail"] == "English sentence: 40 entities > the 32 slot markers"
    assert projector.stats.dropped == {"too_long": 2, "too_many_entities": 2} and projector.stats.kept == 2
    assert projector(long, mode="translate-train", tgt_lang="es", max_words=300)["reason"] != "too_long"


def test_raw_sentence_with_more_english_entities_than_slots_is_a_discard(projector, monkeypatch):
    raw = " ".join(f"Nombre{i}" for i in range(40)) + " ."
    english = " ".join(f"Name{i}" for i in range(40)) + " ."
    scripted(projector, monkeypatch, english={raw: english}, ner={english: ["B-PER"] * 40 + ["O"]})
    result = projector(raw, src_lang="es", max_entities=None)
    assert (result["reason"], result["detail"]) == (
        "too_many_entities",
        "English NER: 40 entities > the 32 slot markers",
    )


def test_unmatched_entity_and_lost_slot_are_discards(projector, monkeypatch):
    raw1, raw2 = "Ana vive en Sevilla .", "Pedro vive en Roma ."
    scripted(
        projector, monkeypatch,
        english={raw1: "Ana lives in Seville .", raw2: "Pedro lives in Rome ."},
        labeled={"__SLOT0__ Ana __SLOT0__ lives in __SLOT1__ Seville __SLOT1__ .": "__SLOT0__ Ana __SLOT0__ vive en __SLOT1__ Londres __SLOT1__ .",
                 "__SLOT0__ Pedro __SLOT0__ lives in __SLOT1__ Rome __SLOT1__ .": "__SLOT0__ Pedro __SLOT0__ vive en Roma ."},
        ner={"Ana lives in Seville .": ["B-PER", "O", "O", "B-LOC", "O"],
             "Pedro lives in Rome .": ["B-PER", "O", "O", "B-LOC", "O"]},
    )  # fmt: skip
    unmatched, lost = projector((raw1, raw2), src_lang="es", check_language=False, strictness="fuzzy")
    assert (unmatched["kept"], unmatched["reason"]) == (False, "unmatched_entity")
    assert (lost["kept"], lost["reason"]) == (False, "slots_lost")


def test_translate_train_mode_takes_tgt_lang(projector, monkeypatch):
    scripted(projector, monkeypatch,
             labeled={"__SLOT0__ John __SLOT0__ lives in __SLOT1__ Beijing __SLOT1__": "__SLOT0__ 约翰 __SLOT0__ 住在 __SLOT1__ 北京 __SLOT1__"})  # fmt: skip
    example = {"tokens": ["John", "lives", "in", "Beijing"], "tags": ["B-PER", "O", "O", "B-LOC"]}
    res = projector(example, tgt_lang="zh", mode="translate-train")
    assert res["kept"] and res["text"] == "约翰住在北京" and res["lang"] == "zh"
    assert res["english"] == "John lives in Beijing"
    assert res["tags"] == ["B-PER", "I-PER", "O", "O", "B-LOC", "I-LOC"]
    assert [(e["entity_group"], res["text"][e["start"] : e["end"]]) for e in res["entities"]] == [
        ("PER", "约翰"), ("LOC", "北京")]  # fmt: skip
    mismatched = projector({"tokens": ["a", "b"], "tags": ["O"]}, tgt_lang="zh", mode="translate-train")
    assert (mismatched["reason"], mismatched["detail"]) == ("wrong_type", "2 tokens but 1 tags in 'a b'")
    batch = [example, {"tokens": ["Ana"], "tags": ["PER"]}, "John lives here", example]
    assert [r["reason"] for r in projector(batch, tgt_lang="zh", mode="translate-train")] == [
        None, "wrong_type", "wrong_type", None]  # fmt: skip
    with pytest.raises(ValueError, match="pass tgt_lang='zh'"):
        projector(example, src_lang="zh", mode="translate-train")


def test_generator_in_iterator_out_first_result_before_the_input_ends(projector, monkeypatch):
    script_the_tour(projector, monkeypatch)
    consumed = []

    def sentences(n):
        for i in range(n):
            consumed.append(i)
            yield RAW if i % 2 == 0 else f"Frase {i} ."

    stream = projector(sentences(100), src_lang="es", check_language=False, batch_size=4)
    assert not isinstance(stream, list) and consumed == []  # nothing read before a result is asked for
    first = next(iter(stream))
    assert first["kept"] and len(consumed) < 100
    rest = list(stream)
    assert len(rest) == 99 and len(consumed) == 100
    assert [r["kept"] for r in rest[:3]] == [False, True, False]
    # any other one-pass iterable streams too (an iterator, a map object)
    stream = projector(map(str.strip, iter([RAW, " Frase 1 . "])), src_lang="es", check_language=False)
    assert not isinstance(stream, list) and [r["text"] for r in stream] == [RAW, "Frase 1 ."]


def test_datasets_key_datasets_columns_and_workers(projector, monkeypatch):
    datasets = pytest.importorskip("datasets")
    from transformers.pipelines.pt_utils import KeyDataset

    script_the_tour(projector, monkeypatch)
    ds = datasets.Dataset.from_dict({"text": [RAW, "", RAW], "id": [1, 2, 3]})
    expected = [True, False, True]
    assert [r["kept"] for r in projector(ds, src_lang="es", check_language=False)] == expected
    assert [r["kept"] for r in projector(KeyDataset(ds, "text"), src_lang="es", check_language=False)] == expected
    assert [r["kept"] for r in projector(ds["text"], src_lang="es", check_language=False)] == expected
    with pytest.raises(ValueError, match="no 'text' column"):
        projector(ds.rename_column("text", "sentence"), src_lang="es")
    workers = projector([RAW, "", RAW], src_lang="es", check_language=False, num_workers=1, batch_size=2)
    assert [r["kept"] for r in workers] == expected


def test_save_pretrained_round_trip_gives_same_results(projector, tmp_path):
    texts = ["Ana Ruiz vive en Madrid .", "Hans Müller wohnt in Berlin ."]
    before = projector(texts[:1], src_lang="es", check_language=False)
    projector.save_pretrained(tmp_path / "crop")
    assert (tmp_path / "crop" / CONFIG_NAME).is_file() and (tmp_path / "crop" / "ner" / "config.json").is_file()
    saved = json.loads((tmp_path / "crop" / CONFIG_NAME).read_text())
    assert saved == {"task": "crop-projection", "lst_model": ".", "ner_model": "ner", "mt_model": "."}
    reloaded = pipeline("crop-projection", model=str(tmp_path / "crop"))
    assert reloaded.ner_model is not None
    assert reloaded(texts[:1], src_lang="es", check_language=False) == before


def test_corpus_projection_counts_a_failing_sentence_as_a_discard(projector, monkeypatch, tmp_path):
    from crop_hf.projection.corpus_projection import project_corpus, summarize

    script_the_tour(projector, monkeypatch)
    break_translation_of("Frase rota .", projector, monkeypatch)
    corpus = tmp_path / "raw.txt"
    corpus.write_text("\n".join([RAW, "Frase rota .", "", RAW]) + "\n")
    project_corpus(projector, corpus, tmp_path / "out", "es", shard_size=3, progress=False, check_language=False)
    summary = summarize(tmp_path / "out")
    assert (summary.sentences, summary.kept, summary.drops, summary.model_errors) == (4, 2, {"empty": 1}, 1)
    assert summary.first_model_error.startswith("line 2: ") and not summary.model_failed
    assert summary.entities == {"PER": 2, "ORG": 2, "LOC": 2}


def test_corpus_projection_whose_models_fail_on_every_sentence_fails_naming_the_first_error(
    projector, monkeypatch, tmp_path
):
    from crop_hf.projection.corpus_projection import ProjectionFailedError, project_corpus

    script_the_tour(projector, monkeypatch)

    def broken(model, tok, texts, src, tgt):  # as a float16 model on a CPU fails
        raise RuntimeError("no float16 kernel on cpu")

    monkeypatch.setattr(projector, "_translate", broken)
    corpus = tmp_path / "raw.txt"
    corpus.write_text("\n".join([RAW, "", "Otra frase ."]) + "\n")
    with pytest.raises(ProjectionFailedError) as failed:
        project_corpus(projector, corpus, tmp_path / "out", "es", shard_size=2, progress=False, check_language=False)
    assert str(failed.value) == (
        f"{tmp_path / 'out'}: every sentence that reached the models failed (2 model_error discards, nothing kept); "
        "first error at line 1: MT: RuntimeError: no float16 kernel on cpu"
    )
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())  # written before the error
    assert (summary["sentences"], summary["kept"], summary["drops"], summary["model_errors"]) == (
        3,
        0,
        {"empty": 1},
        2,
    )


def test_return_stages_adds_the_english_words_and_their_ner_tags(projector, monkeypatch):
    script_the_tour(projector, monkeypatch)
    plain = projector(RAW, src_lang="es", check_language=False)
    staged = projector(RAW, src_lang="es", check_language=False, return_stages=True)
    assert "stages" not in plain and {k: v for k, v in staged.items() if k != "stages"} == plain
    assert staged["stages"] == {"english_tokens": EN.split(), "english_tags": EN_TAGS}
    empty = projector("  ", src_lang="es", return_stages=True)  # discarded before any model ran
    assert empty["reason"] == "empty" and empty["stages"] == {"english_tokens": None, "english_tags": None}
    example = {"tokens": ["John", "lives", "in", "Beijing"], "tags": ["B-PER", "O", "O", "B-LOC"]}
    tt = projector(example, tgt_lang="zh", mode="translate-train", return_stages=True)
    assert tt["stages"] == {"english_tokens": example["tokens"], "english_tags": example["tags"]}
    with pytest.raises(TypeError, match="return_stages='yes': use True or False"):
        projector(RAW, src_lang="es", return_stages="yes")


def test_one_options_object_per_call_carried_whole_to_the_items(projector, monkeypatch):
    from crop_hf import ProjectionOptions

    scripted(projector, monkeypatch, english={RAW: EN}, ner={EN: EN_TAGS}, labeled={WRAPPED: LABELED})
    options = ProjectionOptions(max_words=3, strictness="fuzzy")
    assert projector(RAW, src_lang="es", options=options)["reason"] == "too_long"
    # a field given one by one wins over the object's; the pipeline's decoding fills the object's None
    pre, _, post = projector._sanitize_parameters(src_lang="es", options=options, max_words=64)
    assert pre["settings"] is post["settings"] and pre["settings"].max_words == 64
    assert pre["settings"].strictness == "fuzzy" and pre["settings"].decoding == projector.decoding
    item = projector.preprocess(RAW, **pre)["item"]
    assert item.settings is pre["settings"]  # the items carry the call's one object, never a rebuilt one
    assert projector(RAW, src_lang="es", options=options, max_words=64)["kept"]
    with pytest.raises(TypeError, match=r"options=\{'max_words': 3\}: pass a crop_hf.ProjectionOptions"):
        projector(RAW, src_lang="es", options={"max_words": 3})
