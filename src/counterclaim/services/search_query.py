"""What a user types into a search box, read as words, "phrases" and prefix* words.

Nothing typed is ever handed to the database's own query syntax: the text is cut into
terms here, and each engine's query is rebuilt from the terms with every word quoted.
Whatever is not our syntax (an unbalanced quote, a lone `-`, `NEAR(`, `text:`, `OR`)
simply becomes words, so no query is ever an error.

Words are cut as the SQLite index cuts them (letters, digits, private-use characters
and combining marks make words; anything else separates them), so "al-Abadi's" is the
phrase "al abadi s" on both engines. Case and Latin accents are folded by the engines;
the Arabic marks they do not fold are folded here, as migration 0004 folds the index.
"""

import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 500
MAX_TERMS = 16

# Keep equal to ARABIC_DROPPED / ARABIC_ALEFS in migrations/versions/0004.
_ARABIC_FOLD = {c: None for c in range(0x064B, 0x0660)} | {0x0670: None, 0x0640: None}
_ARABIC_FOLD |= {ord(alef): "\u0627" for alef in "\u0622\u0623\u0625\u0671"}


@dataclass(frozen=True)
class Term:
    """Words that must appear together, in order; the last one may be a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


def fold(word: str) -> str:
    """Fold what the engines' own folding leaves: Arabic short vowels and alef forms."""
    return word.translate(_ARABIC_FOLD)


def is_word_char(char: str) -> bool:
    """Tell whether a character belongs to a word: letters, digits, marks, private use."""
    category = unicodedata.category(char)
    return category[0] in "LNM" or category == "Co"


def words_of(text: str) -> list[str]:
    """Cut text into folded words the way the index does."""
    found, current = [], []
    for char in text:
        if is_word_char(char):
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    # A lone mark is no word: the engines drop it, so must the query.
    return [w for w in (fold(w) for w in found) if any(_is_base_char(c) for c in w)]


def _is_base_char(char: str) -> bool:
    return unicodedata.category(char)[0] in "LN" or unicodedata.category(char) == "Co"


def _term(text: str, prefix: bool) -> Term | None:
    words = words_of(text)
    return Term(tuple(words), prefix) if words else None


def parse(query: str, *, typing: bool = False) -> list[Term]:
    """Read `query` into terms; `typing` makes the word being typed a prefix."""
    query = (query or "")[:MAX_QUERY_CHARS]
    pieces = query.split('"')
    if len(pieces) % 2 == 0:  # an unbalanced quote is just a character
        pieces[-2:] = [pieces[-2] + " " + pieces[-1]]
    terms: list[Term] = []
    for n, piece in enumerate(pieces):
        if n % 2:  # inside quotes: one phrase
            after = pieces[n + 1] if n + 1 < len(pieces) else ""
            term = _term(piece, piece.rstrip().endswith("*") or after.lstrip().startswith("*"))
            terms += [term] if term else []
            continue
        chunks = piece.split()
        for k, chunk in enumerate(chunks):
            explicit = chunk.endswith("*") and is_word_char(chunk.rstrip("*")[-1:] or " ")
            last = n == len(pieces) - 1 and k == len(chunks) - 1
            typed = typing and last and not query[-1:].isspace()
            term = _term(chunk, explicit or typed)
            terms += [term] if term else []
    return terms[:MAX_TERMS]


def every_word_a_prefix(terms: list[Term]) -> list[Term]:
    """Make every term a prefix: "collaps" finds "collapsing" (the claims list's filter)."""
    return [Term(t.words, True) for t in terms]


def _fts5_string(words: tuple[str, ...], prefix: bool) -> str:
    # Words hold only letters, digits and marks: there is no quote in them to escape.
    return '"' + " ".join(words) + '"' + (" *" if prefix else "")


def fts5_match(terms: list[Term]) -> str:
    """Return the FTS5 MATCH string for all of `terms` (every word quoted)."""
    return " AND ".join(_fts5_string(t.words, t.prefix) for t in terms)


def exact_phrase(terms: list[Term]) -> Term | None:
    """Return the whole query as one phrase, to rank exact matches first (2+ terms)."""
    if len(terms) < 2 or any(t.prefix for t in terms[:-1]):
        return None
    return Term(tuple(w for t in terms for w in t.words), terms[-1].prefix)


def _lexeme(word: str, prefix: bool) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def tsquery(terms: list[Term]) -> str:
    """Return the to_tsquery() text for all of `terms` (every word quoted)."""
    return " & ".join(
        "("
        + " <-> ".join(
            _lexeme(w, t.prefix and i == len(t.words) - 1) for i, w in enumerate(t.words)
        )
        + ")"
        for t in terms
    )
