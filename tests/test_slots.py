from crop_hf.core import slots
from crop_hf.core.slots import ParsedSlots, SlotSpan, escape_markers, parse_slots, unescape_markers, wrap, wrap_tokens
from crop_hf.core.tagging import Span


def kinds(parsed: ParsedSlots) -> list[str]:
    return [p.kind for p in parsed.problems]


def test_wrap_and_parse_round_trip():
    tokens = ["Juan", "Pérez", "vive", "en", "Madrid", "."]
    text = wrap(tokens, [Span(0, 2, "PER"), Span(4, 5, "LOC")])
    assert text == "__SLOT0__ Juan Pérez __SLOT0__ vive en __SLOT1__ Madrid __SLOT1__ ."
    parsed = parse_slots(text)
    assert parsed.tokens == tokens
    assert parsed.spans == [SlotSpan(0, 0, 2), SlotSpan(1, 4, 5)]
    assert parsed.well_formed
    assert parsed.span_tokens(1) == ["Madrid"]
    assert parsed.span_tokens(7) is None


def test_wrap_adjacent_and_final_spans():
    assert wrap_tokens(["a", "b"], [(0, 1), (1, 2)]) == ["__SLOT0__", "a", "__SLOT0__", "__SLOT1__", "b", "__SLOT1__"]


def test_wrap_rejects_bad_spans():
    import pytest

    with pytest.raises(ValueError, match="overlaps"):
        wrap(["a", "b", "c"], [(0, 2), (1, 3)])
    with pytest.raises(ValueError, match="outside"):
        wrap(["a"], [(0, 2)])
    with pytest.raises(ValueError, match="max_slots"):
        wrap(["a", "b", "c"], [(0, 1), (1, 2), (2, 3)], max_slots=2)


def test_glued_markers_are_split_and_kept():
    parsed = parse_slots("vive en __SLOT0__Madrid__SLOT0__ .")
    assert parsed.tokens == ["vive", "en", "Madrid", "."]
    assert parsed.spans == [SlotSpan(0, 2, 3)]
    assert kinds(parsed) == [slots.GLUED]


def test_unpaired_marker_is_reported_and_dropped():
    parsed = parse_slots("__SLOT0__ Juan __SLOT0__ vive en __SLOT1__ Madrid .")
    assert parsed.spans == [SlotSpan(0, 0, 1)]
    assert kinds(parsed) == [slots.UNPAIRED]
    assert parsed.problems[0].slot_id == 1


def test_out_of_order_ids_are_fine():
    parsed = parse_slots("__SLOT1__ Madrid __SLOT1__ , dijo __SLOT0__ Juan __SLOT0__")
    assert parsed.spans == [SlotSpan(1, 0, 1), SlotSpan(0, 3, 4)]
    assert parsed.well_formed


def test_repeated_id_drops_that_slot_only():
    parsed = parse_slots("__SLOT0__ a __SLOT0__ b __SLOT0__ c __SLOT0__ __SLOT1__ d __SLOT1__")
    assert parsed.spans == [SlotSpan(1, 3, 4)]
    assert kinds(parsed) == [slots.REPEATED]


def test_nested_and_crossing_pairs_are_dropped():
    nested = parse_slots("__SLOT0__ Bank of __SLOT1__ China __SLOT1__ __SLOT0__ opened")
    assert nested.spans == []
    assert kinds(nested) == [slots.OVERLAP]
    crossing = parse_slots("x __SLOT0__ b __SLOT1__ c __SLOT0__ d __SLOT1__ __SLOT2__ e __SLOT2__")
    assert crossing.tokens == ["x", "b", "c", "d", "e"]
    assert crossing.spans == [SlotSpan(2, 4, 5)]
    assert kinds(crossing) == [slots.OVERLAP]


def test_id_above_maximum_is_ignored():
    parsed = parse_slots("__SLOT40__ a __SLOT40__ __SLOT2__ b __SLOT2__", max_slots=8)
    assert parsed.spans == [SlotSpan(2, 1, 2)]
    assert kinds(parsed) == [slots.OUT_OF_RANGE, slots.OUT_OF_RANGE]


def test_empty_span_and_missing_expected_ids():
    parsed = parse_slots("a __SLOT0__ __SLOT0__ b", expected=[0, 1])
    assert parsed.spans == []
    assert kinds(parsed) == [slots.EMPTY, slots.MISSING, slots.MISSING]
    assert [p.slot_id for p in parsed.problems] == [0, 0, 1]


def test_parse_never_raises_on_garbage():
    garbage = [
        "",
        "   ",
        "__SLOT__",
        "__SLOT-1__ x",
        "__SLOT0__",
        "__SLOT0____SLOT0__",
        "__SLOT99999999999999999999__ a",
        "__SLOT0__ __SLOT1__ __SLOT0__ __SLOT1__",
        "\x00 __SLOT3__\n__SLOT3__",
        None,
    ]
    for text in garbage:
        parsed = parse_slots(text)  # type: ignore[arg-type]
        assert all(0 <= s.start < s.end <= len(parsed.tokens) for s in parsed.spans)
    assert parse_slots("__SLOT0__ __SLOT1__ __SLOT0__ __SLOT1__").spans == []


def test_user_text_cannot_forge_a_slot():
    tokens = ["see", "__SLOT3__", "and", "＿＿ＳＬＯＴ３＿＿", "__slot 1__", "Madrid"]
    text = wrap(tokens, [(5, 6)])
    parsed = parse_slots(text)
    assert parsed.spans == [SlotSpan(0, 5, 6)]
    assert parsed.well_formed
    assert parsed.tokens[1] == "⟦SLOT3⟧"
    assert unescape_markers(parsed.tokens[1]) == "__SLOT3__"
    assert escape_markers("plain text") == "plain text"
