"""Snippets: the part of a found text around the words that matched, those words marked.

Made here rather than by the engines (FTS5's snippet(), PostgreSQL's ts_headline()):
the engines re-run the whole query for every row they mark (20 prefix queries over a
million claims cost 200 ms on SQLite), ts_headline drops whatever looks like an HTML
tag, and the two cut and mark differently. Here both engines' results read the same.

A snippet is a list of (text, marked) pieces; the template escapes each piece, so no
HTML is ever built from stored text.
"""

import unicodedata

from .search_query import Term, fold, is_word_char

SNIPPET_WORDS = 30
CONTEXT_BEFORE = 8
ELLIPSIS = "…"


def _tokens(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each word of `text`, cut as the index cuts them."""
    spans, start = [], None
    for i, char in enumerate(text):
        if is_word_char(char):
            if start is None:
                start = i
        elif start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(text)))
    return spans


def match_form(word: str) -> str:
    """Fold a word as the engines do for matching: case, accents, Arabic marks."""
    decomposed = unicodedata.normalize("NFKD", fold(word))
    bare = "".join(c for c in decomposed if unicodedata.category(c)[0] != "M")
    return unicodedata.normalize("NFC", bare).casefold()


def _marked_spans(text: str, spans: list[tuple[int, int]], terms: list[Term]) -> list[tuple]:
    """Return the token index ranges [first, last] where a term occurs."""
    forms = [match_form(text[a:b]) for a, b in spans]
    found = []
    for term in terms:
        words = [match_form(w) for w in term.words]
        size = len(words)
        for i in range(len(forms) - size + 1):
            window = forms[i : i + size]
            head_ok = window[:-1] == words[:-1]
            last = window[-1]
            last_ok = last.startswith(words[-1]) if term.prefix else last == words[-1]
            if head_ok and last_ok:
                found.append((i, i + size - 1))
    return sorted(found)


def snippet(text: str, terms: list[Term], *, words: int = SNIPPET_WORDS) -> list[tuple[str, bool]]:
    """Return the part of `text` around the first match, as (piece, marked) pairs."""
    spans = _tokens(text)
    marked = _marked_spans(text, spans, terms)
    first, last = 0, len(spans)
    if len(spans) > words:
        around = marked[0][0] if marked else 0
        first = max(0, min(around - CONTEXT_BEFORE, len(spans) - words))
        last = first + words
    start = spans[first][0] if first > 0 else 0
    end = spans[last - 1][1] if last < len(spans) else len(text)
    pieces: list[tuple[str, bool]] = [(ELLIPSIS + " ", False)] if first > 0 else []
    cursor = start
    for low, high in marked:
        if low < first or high >= last:
            continue
        mark_start, mark_end = spans[low][0], spans[high][1]
        if mark_start < cursor:  # overlaps the previous mark: extend it
            if pieces and pieces[-1][1] and mark_end > cursor:
                pieces[-1] = (pieces[-1][0] + text[cursor:mark_end], True)
                cursor = mark_end
            continue
        if mark_start > cursor:
            pieces.append((text[cursor:mark_start], False))
        pieces.append((text[mark_start:mark_end], True))
        cursor = mark_end
    if end > cursor:
        pieces.append((text[cursor:end], False))
    if last < len(spans):
        pieces.append((" " + ELLIPSIS, False))
    return [(piece, mark) for piece, mark in pieces if piece]
