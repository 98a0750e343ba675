"""What a user types into a search box, read as words, "phrases" and prefix* words.

Nothing typed is ever handed to the database's own query syntax: the text is cut into
terms here, and each engine's query is rebuilt from the terms with every word quoted.
Whatever is not our syntax (an unbalanced quote, a lone `-`, `NEAR(`, `text:`, `OR`)
simply becomes words, so no query is ever an error.

Words are cut as the SQLite index cuts them (letters, digits, private-use characters
and combining marks make words; anything else separates them), so "al-Abadi's" is the
phrase "al abadi s" on both engines. Case and Latin accents are folded by the engines;
the Arabic marks they do not fold are folded here, as migration 0004 folds the index.

Arabic attaches the article and short conjunctions and prepositions to the word (ال, و,
ب, ل, ف, ك and their combinations: والكهرباء is "and the electricity"). A one-word Arabic
term therefore matches any of its prefixed forms: the word, and the word without a prefix
it may carry, each with every prefix (`arabic_variants`). Both engines get the same
alternatives, so they find the same rows; a stem shorter than three letters is never cut,
so بلد does not turn into لد and find ولد.
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


#: Prefixes an Arabic word may carry, longest first (the order stems are cut in).
ARABIC_PREFIXES = ("وبال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال", "وب",
                   "ول", "فب", "فل", "وك", "و", "ف", "ب", "ك", "ل")  # fmt: skip
MIN_STEM = 3


def is_arabic(word: str) -> bool:
    """Tell whether a word is written in Arabic letters."""
    return any("\u0621" <= c <= "\u064a" for c in word)


def arabic_variants(word: str) -> tuple[str, ...]:
    """Return the forms of an Arabic word with and without its attached prefixes."""
    stems = [word] + [word[len(p):] for p in ARABIC_PREFIXES
                      if word.startswith(p) and len(word) - len(p) >= MIN_STEM]  # fmt: skip
    variants = dict.fromkeys(prefix + stem for stem in stems for prefix in ("", *ARABIC_PREFIXES))
    return tuple(variants)


def _alternatives(term: "Term") -> tuple[str, ...] | None:
    """Return a one-word Arabic term's alternatives, or None for any other term."""
    if len(term.words) == 1 and is_arabic(term.words[0]):
        return arabic_variants(term.words[0])
    return None


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
    return " AND ".join(_fts5_term(t) for t in terms)


def _fts5_term(term: Term) -> str:
    variants = _alternatives(term)
    if variants is None:
        return _fts5_string(term.words, term.prefix)
    return "(" + " OR ".join(_fts5_string((v,), term.prefix) for v in variants) + ")"


def exact_phrase(terms: list[Term]) -> Term | None:
    """Return the whole query as one phrase, to rank exact matches first (2+ terms)."""
    if len(terms) < 2 or any(t.prefix for t in terms[:-1]):
        return None
    return Term(tuple(w for t in terms for w in t.words), terms[-1].prefix)


def _lexeme(word: str, prefix: bool) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'" + (":*" if prefix else "")


def tsquery(terms: list[Term]) -> str:
    """Return the to_tsquery() text for all of `terms` (every word quoted)."""
    return " & ".join(_ts_term(t) for t in terms)


def _ts_term(term: Term) -> str:
    variants = _alternatives(term)
    if variants is not None:
        return "(" + " | ".join(_lexeme(v, term.prefix) for v in variants) + ")"
    last = len(term.words) - 1
    return "(" + " <-> ".join(_lexeme(w, term.prefix and i == last)
                              for i, w in enumerate(term.words)) + ")"  # fmt: skip
