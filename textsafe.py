"""Text from people and files, made safe to print to a terminal: control characters shown, never obeyed.

A name typed at the sign-in form or a header cell in an uploaded file may hold ANSI escape sequences
("\\x1b[31m", "\\x1b]0;title\\x07"), a bell, a carriage return that overwrites the line, or bidirectional
overrides that reorder what the administrator reads. Every command line passes the data it prints through
`visible`, which writes such characters as escapes anyone can read (`\\x1b[31m`), in a form that is still
valid inside JSON text. Plain Python below every layer (no imports of ours), so etl/, store/ and
analytics/ all use this one function.
"""

from __future__ import annotations

import re

# C0 controls and DEL, C1 controls (0x9b alone starts a sequence in some terminals), line and paragraph
# separators, and the bidirectional embeddings, overrides and isolates ("Trojan source" reordering)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEPING_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: object, *, keep_lines: bool = False) -> str:
    """`text` with every control character written as an escape: C0 ones as `\\xNN` (`\\n` too, so one
    value stays on one line), the others as `\\uNNNN`, which JSON reads back as the same character.

    keep_lines=True keeps line breaks: for a whole output of several lines (a table, a JSON document,
    a message of ours that spans lines), whose data cells were escaped already or are JSON-escaped.
    """
    pattern = _UNSAFE_KEEPING_LINES if keep_lines else _UNSAFE
    return pattern.sub(_escape, text if isinstance(text, str) else str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"
