"""The automaton of constrained labeled back-translation: what it allows, what it refuses, and what it reads back."""

import random

import pytest

from crop_hf.core.placement import PlacementAutomaton, TokenTable, insertion_tokens
from crop_hf.core.text import split_tokens

MARKERS = (100, 101, 102, 103)
EOS, UNK = 2, 3


def table(pieces):
    """A table over made-up pieces (``▁`` a space), ids from 10 on, markers 100.., eos 2, unk 3."""
    return TokenTable.from_vocab({p: 10 + i for i, p in enumerate(pieces)}, MARKERS, EOS, UNK)


WORD_PIECES = ["▁", "▁Juan", "▁vive", "▁v", "ive", "▁en", "en", "▁Madrid", "▁Mad", "rid", "▁.", "▁y", "▁Ana", "▁Ruiz"]


def ids_of(t, *parts):
    """Token ids of pieces and markers (``"<0>"`` is slot 0's marker)."""
    out = []
    for part in parts:
        out.append(MARKERS[int(part[1:-1])] if part.startswith("<") else t.pieces[part.replace("▁", " ")])
    return out


def walk(automaton, ids):
    states = automaton.start
    for token_id in ids:
        assert token_id in automaton.allowed(states), token_id
        states = automaton.step(states, token_id)
    return states


@pytest.mark.parametrize(
    "parts",
    [
        # markers as user-defined symbols of the SentencePiece model: a lone space piece before each
        ["▁", "<0>", "▁Juan", "▁", "<0>", "▁v", "ive", "▁", "en", "▁", "<1>", "▁Madrid", "▁", "<1>", "▁."],
        # markers as added tokens (facebook/m2m100_418M after prepare_tokenizer_for_slots): no space before a marker
        ["<0>", "▁Juan", "<0>", "▁vive", "▁en", "<1>", "▁Mad", "rid", "<1>", "▁."],
    ],
)
def test_both_tokenizer_layouts_place_the_slots_in_raw_words(parts):
    t = table(WORD_PIECES)
    automaton = PlacementAutomaton(["Juan", "vive", "en", "Madrid", "."], 2, t)
    ids = ids_of(t, *parts)
    states = walk(automaton, ids)
    assert EOS in automaton.allowed(states)
    assert automaton.placement(ids) == [(0, 1), (3, 4)]


def test_slot_order_may_differ_from_the_english_order_and_two_markers_may_share_a_gap():
    t = table(WORD_PIECES)
    automaton = PlacementAutomaton(["Juan", "Ana", "Ruiz", "."], 2, t)
    ids = ids_of(t, "<1>", "▁Juan", "<1>", "<0>", "▁Ana", "▁Ruiz", "<0>", "▁.")
    assert automaton.placement(ids) == [(1, 3), (0, 1)]


@pytest.mark.parametrize(
    "parts, refused",
    [
        (["<0>", "▁Juan", "<0>", "▁vive", "▁en"], "▁Madrid"),  # then slot 1 could go nowhere but on "."
        (["<0>", "▁Juan", "<0>"], "▁en"),  # a word skipped
        (["<0>", "▁Juan", "<0>", "▁vive", "▁en", "<1>", "▁Madrid"], "▁."),  # slot 1 would end on the final "."
        (["<0>"], "<0>"),  # an empty slot
        (["<0>", "▁Juan"], "<1>"),  # nesting: slot 1 opened inside slot 0
        (["<0>", "▁Juan", "<0>", "▁vive"], "<0>"),  # slot 0 a second time
        (["<0>", "▁Juan", "<0>", "▁v"], "<1>"),  # a marker inside a word
        (["<0>", "▁Juan", "<0>", "▁vive"], "<1>"),  # a slot starting with a short lowercase word ("en")
        (["<0>", "▁Juan", "<0>", "▁vive", "▁en", "<1>", "▁Madrid", "<1>"], "<0>"),  # slot 0 reopened before "."
    ],
)
def test_refused_continuations(parts, refused):
    t = table(WORD_PIECES)
    automaton = PlacementAutomaton(["Juan", "vive", "en", "Madrid", "."], 2, t)
    states = automaton.start
    for part in parts:
        states = automaton.step(states, ids_of(t, part)[0])
        assert states, part
    assert ids_of(t, refused)[0] not in automaton.allowed(states)
    assert not automaton.step(states, ids_of(t, refused)[0])


def test_the_raw_words_cannot_be_rewritten():
    t = table([*WORD_PIECES, "▁Germany", "▁Alemania"])
    automaton = PlacementAutomaton(["vive", "en", "Alemania"], 1, t)
    states = automaton.run(ids_of(t, "▁vive", "▁en", "<0>"))
    allowed = automaton.allowed(states)
    assert t.pieces[" Alemania"] in allowed and t.pieces[" Germany"] not in allowed


def test_character_level_markers_go_between_characters_and_stand_apart():
    # zh: written without spaces; the model writes "我住在 __SLOT0__ 北京 __SLOT0__ 。"
    t = table(["▁", "▁我", "住在", "住", "在", "北", "▁北", "京", "▁北京", "▁。", "。"])
    automaton = PlacementAutomaton(list("我住在北京。"), 1, t, char_level=True)
    assert automaton.text == " 我住在北京。"
    ids = ids_of(t, "▁我", "住在", "▁", "<0>", "▁北京", "▁", "<0>", "▁。")
    assert automaton.placement(ids) == [(3, 5)]
    # added-token layout, and a marker directly between two characters
    assert automaton.placement(ids_of(t, "▁我", "住", "<0>", "▁", "在", "北", "<0>", "▁", "京", "。")) == [(2, 4)]
    # the characters cannot run on past a marker without the space the model was trained to write
    states = automaton.run(ids_of(t, "▁我", "住在", "<0>"))
    assert t.pieces["北"] not in automaton.allowed(states) and t.pieces[" 北"] in automaton.allowed(states)


def test_a_character_the_vocabulary_lacks_is_the_unknown_token():
    t = table(["▁", "▁a", "b"])
    automaton = PlacementAutomaton(["aλb"], 1, t)  # λ is in no piece
    assert automaton.placement([100, t.pieces[" a"], UNK, t.pieces["b"], 100]) == [(0, 1)]


def test_too_few_words_is_not_feasible_and_every_walk_finishes():
    t = table(WORD_PIECES)
    assert not PlacementAutomaton(["Juan", "."], 2, t).feasible
    rng = random.Random(0)
    for words, n in ((["Juan", "vive", "en", "Madrid", "."], 2), (["Juan", "y", "Ana", "Ruiz", "."], 3),
                     (["Juan", ".", "Madrid", "."], 2)):  # fmt: skip
        automaton = PlacementAutomaton(words, n, t)
        for _ in range(200):  # random walks over what is allowed never reach a dead end, and end in a placement
            states, ids = automaton.start, []
            while True:
                allowed = automaton.allowed(states)
                assert allowed, ids
                token_id = rng.choice(sorted(allowed))
                if token_id == EOS:
                    break
                ids.append(token_id)
                states = automaton.step(states, token_id)
            spans = automaton.placement(ids)
            assert spans is not None and len(spans) == n
            covered = [k for a, b in spans for k in range(a, b)]
            assert len(covered) == len(set(covered))
            assert all(words[k] not in (".", "y", "en") for a, b in spans for k in (a, b - 1))  # never at an edge


def test_insertion_tokens_take_the_lone_space_before_a_marker():
    t = table(WORD_PIECES)
    ids = ids_of(t, "▁", "<0>", "▁Juan", "▁", "<0>", "▁vive")
    assert insertion_tokens(ids, t) == {1: [0, 1], 4: [3, 4]}


def test_real_tokenizers_canonical_outputs_are_allowed(tiny_dir, plain_m2m):
    """The tiny tokenizer (markers as SentencePiece symbols) and an m2m100_418M-layout one (markers added after the
    vocabulary): the tokenisation of a wrapped sentence is an allowed output that reads back the same spans."""
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from crop_hf.training.tokenizer_prep import prepare_tokenizer_for_slots

    tiny = AutoTokenizer.from_pretrained(tiny_dir / "m2m100")
    plain = AutoTokenizer.from_pretrained(plain_m2m)
    prepare_tokenizer_for_slots(plain, AutoModelForSeq2SeqLM.from_pretrained(plain_m2m), max_slots=4)
    cases = [
        ("Jeremías Flor vive en Alemania .", "__SLOT0__ Jeremías Flor __SLOT0__ vive en __SLOT1__ Alemania __SLOT1__ .",
         False, [(0, 2), (4, 5)]),
        ("Ana y Luis .", "__SLOT1__ Ana __SLOT1__ y __SLOT0__ Luis __SLOT0__ .", False, [(2, 3), (0, 1)]),
        ("我住在北京。", "我住在 __SLOT0__ 北京 __SLOT0__ 。", True, [(3, 5)]),
    ]  # fmt: skip
    for tokenizer in (tiny, plain):
        t = TokenTable.from_tokenizer(tokenizer, 4)
        for raw, wrapped, char_level, spans in cases:
            words = [tok.text for tok in split_tokens(raw, char_level)]
            automaton = PlacementAutomaton(words, len(spans), t, char_level)
            ids = tokenizer(wrapped, add_special_tokens=False)["input_ids"]
            assert automaton.placement(ids) == spans, (type(tokenizer).__name__, tokenizer.convert_ids_to_tokens(ids))


def test_an_anchored_slot_takes_its_span_and_the_others_go_around_it():
    t = table(WORD_PIECES)
    words = ["Juan", "y", "Ana", "Ruiz", "."]
    automaton = PlacementAutomaton(words, 2, t, anchors={1: (2, 4)})
    # slot 1 may open only before "Ana"; slot 0 may not take "Ana Ruiz"
    assert ids_of(t, "<1>")[0] not in automaton.allowed(automaton.start)
    states = automaton.run(ids_of(t, "<0>", "▁Juan", "▁y"))
    assert ids_of(t, "▁Ana")[0] not in automaton.allowed(states)  # slot 0 would run into slot 1's words
    ids = ids_of(t, "<0>", "▁Juan", "<0>", "▁y", "<1>", "▁Ana", "▁Ruiz", "<1>", "▁.")
    assert automaton.placement(ids) == [(0, 1), (2, 4)]
    rng = random.Random(1)
    for _ in range(100):  # every walk ends with slot 1 on "Ana Ruiz"
        states, ids = automaton.start, []
        while (token_id := rng.choice(sorted(automaton.allowed(states)))) != EOS:
            ids.append(token_id)
            states = automaton.step(states, token_id)
        spans = automaton.placement(ids)
        assert spans is not None and spans[1] == (2, 4) and spans[0][1] <= 2


def test_short_lowercase_words_stay_inside_an_entity_but_never_at_its_edge():
    from crop_hf.core.placement import can_edge

    assert [can_edge(w) for w in ("de", "в", "en", "De", "EU", "Ufa", ".", "«", "3")] == [
        False, False, False, True, True, True, False, False, True]  # fmt: skip
    assert can_edge("在", char_level=True)  # a character of a script without spaces is a word of its own
    t = table(["▁", "▁Banco", "▁de", "▁España", "▁vive"])
    automaton = PlacementAutomaton(["Banco", "de", "España"], 1, t)
    assert automaton.placement(ids_of(t, "<0>", "▁Banco", "▁de", "▁España", "<0>")) == [(0, 3)]
    states = automaton.run(ids_of(t, "<0>", "▁Banco", "▁de"))
    assert ids_of(t, "<0>")[0] not in automaton.allowed(states)


def test_a_capitalized_slot_never_starts_on_a_lowercase_word():
    # "De aandelen van Rode Kruis stegen": the English "Red Cross" starts with a capital, so its slot may not take
    # "van Rode Kruis" or "aandelen van Rode Kruis"; an entity whose English starts lowercase ("van der Heijden") may
    t = table(["▁", "▁De", "▁aandelen", "▁van", "▁Rode", "▁Kruis", "▁stegen", "▁."])
    words = ["De", "aandelen", "van", "Rode", "Kruis", "stegen", "."]
    capital = PlacementAutomaton(words, 1, t, capitalized={0})
    after_de = capital.run(ids_of(t, "▁De"))
    assert ids_of(t, "<0>")[0] not in capital.allowed(after_de)  # before "aandelen"
    assert ids_of(t, "<0>")[0] not in capital.allowed(capital.run(ids_of(t, "▁De", "▁aandelen")))  # before "van"
    assert ids_of(t, "<0>")[0] in capital.allowed(capital.run(ids_of(t, "▁De", "▁aandelen", "▁van")))
    plain = PlacementAutomaton(words, 1, t)
    assert ids_of(t, "<0>")[0] in plain.allowed(plain.run(ids_of(t, "▁De", "▁aandelen")))  # "van" is 3 letters
    rng = random.Random(2)
    for _ in range(100):  # every walk that ends places the slot on a word with a capital
        states, ids = capital.start, []
        while (token_id := rng.choice(sorted(capital.allowed(states)))) != EOS:
            ids.append(token_id)
            states = capital.step(states, token_id)
        ((start, _),) = capital.placement(ids)
        assert words[start][0].isupper()


def test_too_few_capitalized_words_for_the_capitalized_slots_is_not_feasible():
    # "han bor i Norge": the machine translation named a person ("Olav lives in Norway") the raw sentence does not
    t = table(["▁", "▁han", "▁bor", "▁i", "▁Norge", "▁."])
    words = ["han", "bor", "i", "Norge", "."]
    assert not PlacementAutomaton(words, 2, t, capitalized={0, 1}).feasible
    assert PlacementAutomaton(words, 2, t, capitalized={1}).feasible
    assert PlacementAutomaton(words, 2, t).feasible
    # a slot pinned in advance needs no capitalized word of its own
    assert PlacementAutomaton(words, 2, t, anchors={0: (0, 1)}, capitalized={0, 1}).feasible
