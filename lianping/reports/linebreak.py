"""Breaking a cell's text into lines as Chinese typesetting does (禁則).

Text breaks between any two characters, except that closing punctuation never starts a
line and opening punctuation never ends one: the character before is carried down with
it instead (so 「）：」 travel together and no line is one lone mark); a run of ASCII
(a phone number, an address, a word, a time range) and a doubled dash are kept whole
when they fit on a line. Only text that cannot be broken by these rules (a run of
marks, a word wider than the line) is cut where the line is full. A line's own
newlines are kept; a space a wrap falls on is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

# Marks that close: never at the start of a line.
NO_LINE_START = frozenset("，。、；：？！．…‥）］｝〕〉》」』】〙〗〞’”,.;:?!)]}%")
# Marks that open: never at the end of a line.
NO_LINE_END = frozenset("（［｛〔〈《「『【〘〖〝‘“([{")
# Dashes written doubled (——) are one mark.
DOUBLED = frozenset("—─")


def _is_word(char: str) -> bool:
    """Printable ASCII other than the space, and the en dash of a range (9:00–17:00)."""
    return "!" <= char <= "~" or char == "–"


def _breakable(text: str, at: int, *, words: bool) -> bool:
    """Whether a line may end before ``text[at]`` (keeping ASCII words whole if ``words``)."""
    if words and _is_word(text[at - 1]) and _is_word(text[at]):
        return False
    if text[at - 1] == text[at] and text[at] in DOUBLED:
        return False
    # Spaces at a wrap are dropped, so the marks the rules look at are the ones beyond them.
    after, before = at, at - 1
    while after < len(text) and text[after] == " ":
        after += 1
    while before >= 0 and text[before] == " ":
        before -= 1
    if after < len(text) and text[after] in NO_LINE_START:
        return False
    return not (before >= 0 and text[before] in NO_LINE_END)


def _break_before(text: str, start: int, full: int) -> int:
    """Where the line that starts at ``start`` ends, given that ``text[full]`` does not fit."""
    for words in (True, False):
        for at in range(full, start, -1):
            if _breakable(text, at, words=words):
                return at
    return max(full, start + 1)  # nothing allowed: cut where the line is full


def _paragraph(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    lines: list[str] = []
    start, used = 0, 0.0
    at = 0
    while at < len(text):
        used += measure(text[at])
        if used > width and at > start:
            end = _break_before(text, start, at)
            lines.append(text[start:end].rstrip(" "))
            start = end
            while start < len(text) and text[start] == " ":
                start += 1
            at, used = start, 0.0
            continue
        at += 1
    lines.append(text[start:])
    return lines


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """``text`` as lines no wider than ``width``, as ``measure`` sizes each character."""
    return [
        line for paragraph in text.split("\n") for line in _paragraph(paragraph, width, measure)
    ]
