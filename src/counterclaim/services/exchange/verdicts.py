"""Fact-checkers' textual verdicts and the Admiralty credibility they map to.

A verdict is always kept verbatim (in the imported assessment's rationale); the mapping
only decides the credibility number. Verdicts are compared normalised: case-folded,
accents and Arabic diacritics removed, Arabic letter variants folded, punctuation and
spacing collapsed, so "Pants on Fire!", "PANTS ON FIRE" and "pants-on-fire" are one
verdict, and "Engañoso" and "enganoso" too.

The mapping is the built-in DEFAULTS below, under the team's own rows in the
`verdict_mappings` table (`counterclaim verdicts set/unset/list`). A verdict that neither
knows maps to 6, "truth cannot be judged", with its text kept: never an error, never a
guess from similar words.

How the defaults were chosen (Admiralty information credibility):
1 confirmed (True, Correct), 2 probably true (Mostly True), 3 possibly true (Half True,
Missing context, Mixture), 4 doubtful (Mostly False, Misleading, Exaggerated, No
evidence), 5 improbable (False, Pants on Fire, Fake, Fabricated, Manipulated),
6 cannot be judged (Unproven, Unverifiable, Satire: a joke is not a factual assertion).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import VerdictMapping
from counterclaim.models.vocabulary import CREDIBILITY

from ..errors import DomainError

CANNOT_JUDGE = 6

#: The built-in mapping: (verdict as fact-checkers publish it, credibility, who uses it).
DEFAULTS: tuple[tuple[str, int, str], ...] = (
    # English: PolitiFact, Full Fact, AFP Fact Check, Snopes, Reuters, AP, Lead Stories,
    # the Washington Post, Logically; and the LIAR data set's labels.
    ("True", 1, "PolitiFact, Snopes, AFP, Reuters"),
    ("Correct", 1, "Full Fact, Snopes"),
    ("Accurate", 1, "Full Fact"),
    ("Correct attribution", 1, "Snopes"),
    ("Geppetto Checkmark", 1, "Washington Post"),
    ("Mostly True", 2, "PolitiFact, Snopes"),
    ("Mostly Correct", 2, "various"),
    ("One Pinocchio", 2, "Washington Post"),
    ("Half True", 3, "PolitiFact"),
    ("Partly True", 3, "AFP, Reuters"),
    ("Partially True", 3, "various"),
    ("Mixture", 3, "Snopes"),
    ("Missing context", 3, "AFP, Reuters, Meta's programme"),
    ("Lacks context", 3, "various"),
    ("Needs context", 3, "Full Fact"),
    ("Outdated", 3, "Snopes"),
    ("Two Pinocchios", 3, "Washington Post"),
    ("Mostly False", 4, "PolitiFact, Snopes"),
    ("Barely True", 4, "PolitiFact (older), LIAR data set"),
    ("Partly False", 4, "AFP, Reuters, Meta's programme"),
    ("Partially False", 4, "various"),
    ("Misleading", 4, "AFP, Reuters, Full Fact, Lead Stories"),
    ("Miscaptioned", 4, "Snopes"),
    ("Exaggerated", 4, "various"),
    ("Exaggeration", 4, "various"),
    ("Inaccurate", 4, "various"),
    ("No evidence", 4, "Full Fact, Lead Stories"),
    ("Unsupported", 4, "Logically"),
    ("Three Pinocchios", 4, "Washington Post"),
    ("False", 5, "PolitiFact, Snopes, AFP, Reuters, Full Fact"),
    ("Pants on Fire", 5, "PolitiFact"),
    ("Pants Fire", 5, "LIAR data set"),
    ("Incorrect", 5, "Full Fact"),
    ("Wrong", 5, "Full Fact"),
    ("Fake", 5, "various"),
    ("Fabricated", 5, "various"),
    ("Altered", 5, "AFP, Reuters, Meta's programme"),
    ("Altered photo", 5, "AFP"),
    ("Manipulated", 5, "various"),
    ("Misattributed", 5, "Snopes"),
    ("Scam", 5, "Snopes"),
    ("Hoax", 5, "various"),
    ("Four Pinocchios", 5, "Washington Post"),
    ("Unproven", 6, "Snopes"),
    ("Unverified", 6, "various"),
    ("Unverifiable", 6, "various"),
    ("Research in progress", 6, "Snopes"),
    ("Legend", 6, "Snopes"),
    ("Satire", 6, "AFP, Reuters, Meta's programme"),
    ("Labeled Satire", 6, "Snopes"),
    ("Originated as Satire", 6, "Snopes"),
    # French: AFP Factuel, Les Décodeurs (Le Monde), Libération CheckNews, France 24.
    ("Vrai", 1, "AFP Factuel, Les Décodeurs"),
    ("Plutôt vrai", 2, "Les Décodeurs"),
    ("C'est plus compliqué", 3, "Les Décodeurs"),
    ("Manque de contexte", 3, "AFP Factuel"),
    ("Contexte manquant", 3, "AFP Factuel"),
    ("Plutôt faux", 4, "Les Décodeurs"),
    ("Partiellement faux", 4, "AFP Factuel"),
    ("Trompeur", 4, "AFP Factuel, Les Décodeurs"),
    ("Exagéré", 4, "various"),
    ("Inexact", 4, "various"),
    ("Infondé", 4, "Libération CheckNews"),
    ("Sorti de son contexte", 4, "AFP Factuel"),
    ("Faux", 5, "AFP Factuel, Les Décodeurs"),
    ("Photo retouchée", 5, "AFP Factuel"),
    ("Montage", 5, "AFP Factuel"),
    ("Invérifiable", 6, "various"),
    ("Non prouvé", 6, "various"),
    ("Satirique", 6, "various"),
    # Spanish: Maldita, Newtral, Chequeado, EFE Verifica, AFP Factual, Colombiacheck.
    ("Verdadero", 1, "Chequeado, Newtral, AFP Factual"),
    ("Cierto", 1, "Colombiacheck"),
    ("Verdadero, pero", 2, "Chequeado"),
    ("Mayormente verdadero", 2, "various"),
    ("Mayormente cierto", 2, "various"),
    ("Verdad a medias", 3, "Newtral"),
    ("Cuestionable", 3, "Colombiacheck"),
    ("Discutible", 3, "Chequeado"),
    ("Apresurado", 3, "Chequeado"),
    ("Impreciso", 3, "Chequeado, Aos Fatos"),
    ("Falta contexto", 3, "AFP Factual"),
    ("Sin contexto", 3, "various"),
    ("Engañoso", 4, "Chequeado, Newtral, AFP Factual; Enganoso: Aos Fatos, Estadão"),
    ("Exagerado", 4, "Chequeado, Lupa"),
    ("Parcialmente falso", 4, "AFP Factual, Aos Fatos"),
    ("Mayormente falso", 4, "various"),
    ("Descontextualizado", 4, "Polígrafo"),
    ("Falso", 5, "Maldita, Newtral, Chequeado, Lupa, Aos Fatos, Facta"),
    ("Bulo", 5, "Maldita"),
    ("Insostenible", 5, "Chequeado"),
    ("Montaje", 5, "Maldita"),
    ("Manipulado", 5, "various"),
    ("Inchequeable", 6, "Chequeado"),
    ("Inverificable", 6, "various"),
    ("No hay pruebas", 6, "Maldita"),
    ("Sátira", 6, "Maldita, Polígrafo"),
    # German: Correctiv, dpa-Faktencheck, AFP Faktencheck, BR24 #Faktenfuchs.
    ("Richtig", 1, "Correctiv"),
    ("Wahr", 1, "various"),
    ("Größtenteils richtig", 2, "Correctiv"),
    ("Halb wahr", 3, "various"),
    ("Halbwahr", 3, "various"),
    ("Fehlender Kontext", 3, "Correctiv"),
    ("Teilweise falsch", 4, "Correctiv"),
    ("Größtenteils falsch", 4, "Correctiv"),
    ("Irreführend", 4, "AFP Faktencheck"),
    ("Falscher Kontext", 4, "Correctiv"),
    ("Übertrieben", 4, "various"),
    ("Falsch", 5, "Correctiv, dpa, AFP Faktencheck"),
    ("Frei erfunden", 5, "Correctiv"),
    ("Manipuliert", 5, "Correctiv"),
    ("Unbelegt", 6, "Correctiv"),
    # Portuguese: Lupa, Aos Fatos, Polígrafo, Observador, Estadão Verifica.
    ("Verdadeiro", 1, "Lupa, Aos Fatos, Polígrafo"),
    ("Verdadeiro, mas", 2, "Lupa, Polígrafo"),
    ("Não é bem assim", 3, "Aos Fatos"),
    ("Subestimado", 3, "Lupa"),
    ("Contraditório", 4, "Lupa, Aos Fatos"),
    ("Distorcido", 4, "Aos Fatos"),
    ("Insustentável", 5, "Lupa, Aos Fatos"),
    ("Pimenta na língua", 5, "Polígrafo"),
    ("Montagem", 5, "various"),
    ("Ainda é cedo para dizer", 6, "Lupa"),
    ("De olho", 6, "Lupa"),
    # Italian: Pagella Politica, Facta.
    ("Vero", 1, "Pagella Politica, Facta"),
    ("C'eri quasi", 2, "Pagella Politica"),
    ("Nì", 3, "Pagella Politica"),
    ("Fuorviante", 4, "Facta"),
    ("Pinocchio andante", 5, "Pagella Politica"),
    # Dutch: Nieuwscheckers, AFP, Knack.
    ("Waar", 1, "Nieuwscheckers"),
    ("Grotendeels waar", 2, "Nieuwscheckers"),
    ("Half waar", 3, "Nieuwscheckers"),
    ("Misleidend", 4, "Nieuwscheckers"),
    ("Onwaar", 5, "Nieuwscheckers"),
    ("Niet waar", 5, "various"),
    # Turkish: Teyit, Doğruluk Payı.
    ("Doğru", 1, "Teyit, Doğruluk Payı"),
    ("Büyük ölçüde doğru", 2, "Doğruluk Payı"),
    ("Kısmen doğru", 3, "Doğruluk Payı"),
    ("Yanıltıcı", 4, "Teyit"),
    ("Yanlış", 5, "Teyit, Doğruluk Payı"),
    # Arabic: Misbar, Fatabyyano, AFP عربي, Akeed.
    ("صحيح", 1, "Misbar, Fatabyyano, AFP Arabic"),
    ("صحيح جزئياً", 3, "Fatabyyano"),
    ("يفتقر إلى السياق", 3, "AFP Arabic"),
    ("ناقص السياق", 3, "various"),
    ("مضلل", 4, "Misbar, Fatabyyano, AFP Arabic"),
    ("زائف جزئياً", 4, "Misbar"),
    ("غير دقيق", 4, "Akeed"),
    ("مبالغ فيه", 4, "various"),
    ("زائف", 5, "Misbar, Fatabyyano"),
    ("خطأ", 5, "AFP Arabic"),
    ("خاطئ", 5, "various"),
    ("كاذب", 5, "various"),
    ("غير صحيح", 5, "various"),
    ("مفبرك", 5, "Misbar"),
    ("ساخر", 6, "Misbar, Fatabyyano"),
    ("غير مؤكد", 6, "various"),
    # Russian and Ukrainian: StopFake, Provereno.media.
    ("Правда", 1, "Provereno.media"),
    ("Неправда", 5, "Provereno.media, StopFake"),
    ("Ложь", 5, "various"),
    ("Фейк", 5, "StopFake"),
    ("Манипуляция", 4, "various"),
    ("Маніпуляція", 4, "StopFake"),
    # Chinese: Taiwan FactCheck Center, MyGoPen.
    ("正確", 1, "Taiwan FactCheck Center"),
    ("部分錯誤", 4, "Taiwan FactCheck Center"),
    ("易生誤解", 4, "Taiwan FactCheck Center"),
    ("錯誤", 5, "Taiwan FactCheck Center"),
    # Hindi: Factly, Vishvas News, BOOM.
    ("सच", 1, "Vishvas News"),
    ("भ्रामक", 4, "Vishvas News, BOOM"),
    ("फर्जी", 5, "Vishvas News, BOOM"),
    ("झूठ", 5, "various"),
    # The Admiralty code's own words, as Counterclaim's exports write them.
    *((meaning, code, "Admiralty code") for code, meaning in CREDIBILITY.items()),
)

STANCE_FOR_CREDIBILITY = {
    1: "endorses",
    2: "endorses",
    3: "neutral",
    4: "skeptical",
    5: "refutes",
    6: "neutral",
}

# Arabic letters written several ways (alef wasla, alef maksura, teh marbuta, Farsi yeh
# and keheh) and the tatweel, which only stretches a word.
_FOLDS = str.maketrans({"ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ـ": None})
_PREFIX = re.compile(r"^\s*(?:our rating|rating|verdict|ruling|label|veredicto)\s*:", re.IGNORECASE)
_NOT_WORDS = re.compile(r"[\W_]+")


def normalise(verdict: str) -> str:
    """Return the key a verdict is compared by: case, accents and punctuation removed."""
    text = unicodedata.normalize("NFKD", _PREFIX.sub("", verdict))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NOT_WORDS.sub(" ", text.translate(_FOLDS)).strip()


@dataclass(frozen=True)
class Mapping:
    """What a verdict maps to, and where the mapping came from."""

    verdict: str
    key: str
    credibility: int
    origin: str  # "team" (the table), "default" (built in) or "unmapped"
    note: str = ""

    @property
    def is_mapped(self) -> bool:
        return self.origin != "unmapped"

    @property
    def stance(self) -> str:
        """The stance a review with this verdict takes toward the claim."""
        return STANCE_FOR_CREDIBILITY[self.credibility]


class VerdictMap:
    """The effective mapping: the team's rows over the built-in defaults."""

    def __init__(self, team: dict[str, tuple[str, int, str]] | None = None):
        self.defaults = {normalise(label): (label, cred, who) for label, cred, who in DEFAULTS}
        self.team = team or {}

    @classmethod
    def load(cls, session: Session) -> VerdictMap:
        """Return the mapping in force in the database behind `session`."""
        rows = session.scalars(select(VerdictMapping)).all()
        return cls({row.verdict: (row.label, row.credibility, row.note) for row in rows})

    def map(self, verdict: str | None) -> Mapping:
        """Map a verdict; an unknown or empty one is 6, never an error."""
        text = (verdict or "").strip()
        key = normalise(text)
        if key in self.team:
            _label, credibility, note = self.team[key]
            return Mapping(text, key, credibility, "team", note)
        if key in self.defaults:
            _label, credibility, who = self.defaults[key]
            return Mapping(text, key, credibility, "default", who)
        return Mapping(text, key, CANNOT_JUDGE, "unmapped")

    def entries(self) -> list[Mapping]:
        """Every mapping in force, the team's first, then the defaults they do not replace."""
        team = [Mapping(label, key, c, "team", note) for key, (label, c, note) in self.team.items()]
        defaults = [
            Mapping(label, key, c, "default", who)
            for key, (label, c, who) in self.defaults.items()
            if key not in self.team
        ]
        return sorted(team, key=lambda m: m.key) + defaults


def set_mapping(session: Session, verdict: str, credibility: int, note: str = "") -> VerdictMapping:
    """Map `verdict` to `credibility` for this team, replacing its earlier mapping."""
    key = normalise(verdict)
    if not key:
        raise DomainError("a verdict needs at least one letter or digit")
    if credibility not in CREDIBILITY:
        raise DomainError(f"credibility must be 1 to 6, not {credibility}")
    if len(key) > 200 or len(verdict) > 200:
        raise DomainError("a verdict is at most 200 characters")
    row = session.scalar(select(VerdictMapping).where(VerdictMapping.verdict == key))
    if row is None:
        row = VerdictMapping(verdict=key, label=verdict.strip(), credibility=credibility, note=note)
        session.add(row)
    else:
        row.label, row.credibility, row.note = verdict.strip(), credibility, note
    session.flush()
    return row


def unset_mapping(session: Session, verdict: str) -> bool:
    """Remove the team's mapping of `verdict` (the default, if any, applies again)."""
    row = session.scalar(select(VerdictMapping).where(VerdictMapping.verdict == normalise(verdict)))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
