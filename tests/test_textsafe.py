"""Text from people and files printed to a terminal shows its control characters, never obeys them."""

from __future__ import annotations

import json
import random
import re

import pytest

from textsafe import visible

# what a terminal (or the reader's eye) obeys: C0, DEL, C1, line separators, bidirectional controls
CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029, *range(0x202a, 0x202f),
                             *range(0x2066, 0x206a)]]
RAW_CONTROL = re.compile("[" + "".join(re.escape(c) for c in CONTROLS) + "]")


@pytest.mark.parametrize("text, shown", [
    ("\x1b[31mĐỏ\x1b[0m", "\\x1b[31mĐỏ\\x1b[0m"),
    ("Xã \x07Chuông", "Xã \\x07Chuông"),
    ("a\r\nb\tc", "a\\x0d\\x0ab\\x09c"),
    ("\x9b2J", "\\u009b2J"),
    ("admin\u202egnp.exe", "admin\\u202egnp.exe"),
    ("Phường Ba Đình (Hà Nội) – 96,55%", "Phường Ba Đình (Hà Nội) – 96,55%"),
])
def test_control_characters_are_written_as_escapes_and_the_rest_is_left_alone(text, shown):
    assert visible(text) == shown


def test_keeping_lines_keeps_only_the_line_breaks():
    assert visible("dòng 1\ndòng \x1b[2K2\r", keep_lines=True) == "dòng 1\ndòng \\x1b[2K2\\x0d"


def test_anything_not_text_is_shown_as_its_text():
    assert visible(None) == "None" and visible(3.5) == "3.5"


def test_generated_text_never_keeps_a_control_and_json_made_safe_reads_back_the_same():
    rng = random.Random(21)
    alphabet = CONTROLS + list("aăâbđêôơưxyz ÀẢÃẠĐỏ{}[]\"\\:,0129%")
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert not RAW_CONTROL.search(visible(text))
        printed = visible(json.dumps({"name": text, "values": [text]}, ensure_ascii=False), keep_lines=True)
        assert not RAW_CONTROL.search(printed)
        assert json.loads(printed) == {"name": text, "values": [text]}
