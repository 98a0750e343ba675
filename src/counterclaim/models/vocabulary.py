"""The controlled vocabularies of the domain, each code with the meaning shown to users.

The CHECK constraints, the form choices and the data dictionary are all built from these
dictionaries, so a code cannot exist in one place and not in another.
"""

RELIABILITY = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}

CREDIBILITY = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}

CONFIDENCE = {
    "low": "Low confidence: thin or questionable information",
    "moderate": "Moderate confidence: credible but open to other readings",
    "high": "High confidence: well-corroborated, high-quality information",
}

RELATIONS = {
    "contradicts": "Cannot both be true (symmetric)",
    "duplicates": "Says the same thing (symmetric)",
    "supports": "Makes the other claim more likely",
    "qualifies": "Narrows, conditions or adds a caveat to the other claim",
    "responds_to": "Is an answer to the other claim",
}
SYMMETRIC_RELATIONS = ("contradicts", "duplicates")

STRENGTH = {
    "weak": "Weak: a tension rather than a clash",
    "moderate": "Moderate",
    "strong": "Strong: direct and unambiguous",
}

CLAIM_STATUS = {
    "open": "Open: recorded, not yet reviewed",
    "under_review": "Under review",
    "settled": "Settled: the team has reached a judgment",
    "retracted": "Retracted: withdrawn or entered in error, kept for the record",
}

STANCE = {
    "origin": "Origin: the claimant's own words",
    "endorses": "Endorses: the source repeats the claim approvingly",
    "neutral": "Neutral: the source reports the claim without judging it",
    "skeptical": "Skeptical: the source reports the claim with doubt",
    "refutes": "Refutes: the source argues the claim is false",
}

ACTOR_KIND = {
    "person": "Person",
    "government": "Government or state body",
    "military": "Regular armed force",
    "armed_group": "Non-state armed group or militia",
    "media": "Media outlet or publisher",
    "organisation": "Organisation (NGO, agency, party, company)",
    "other": "Other",
}

SOURCE_KIND = {
    "article": "Article",
    "statement": "Statement or speech",
    "video": "Video",
    "report": "Report",
    "post": "Social media post",
    "interview": "Interview",
    "document": "Document",
    "other": "Other",
}

TAG_KIND = {
    "topic": "Topic",
    "place": "Place",
    "event": "Event",
    "operation": "Operation",
}

ROLES = {
    "viewer": "Reads, runs reports and read-only SQL",
    "analyst": "Adds claims, sources, links, assessments and notes; edits what they created",
    "editor": "Edits and deletes anything, merges duplicates, manages tags and saved queries",
    "admin": "Manages users",
}
ROLE_ORDER = tuple(ROLES)  # each role may do what the ones before it may


def role_rank(role: str | None) -> int:
    """Return a role's place in ROLE_ORDER; -1 for no role or an unknown one."""
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else -1


REVISION_ACTIONS = {
    "create": "Created",
    "update": "Updated",
    "delete": "Deleted",
    "restore": "Restored from an earlier version",
    "merge": "Merged into another record",
}


def check_in(column: str, vocabulary: dict) -> str:
    """Return the SQL of a CHECK that `column` holds one of the vocabulary's codes."""
    codes = ", ".join(str(c) if isinstance(c, int) else f"'{c}'" for c in vocabulary)
    return f"{column} IN ({codes})"


DERIVATION_KIND = {
    "quotes": "Quotes: reproduces words of the other source",
    "cites": "Cites: relies on the other source as its evidence",
    "republishes": "Republishes: carries the other source's text (a wire story)",
    "summarises": "Summarises: retells the other source in its own words",
    "translates": "Translates: the other source in another language",
}

OUTCOME = {
    "confirmed": "Confirmed: the claim proved true",
    "probably_true": "Probably true",
    "unresolved": "Unresolved: the evidence does not decide it",
    "doubtful": "Doubtful",
    "false": "False: the claim proved untrue",
}
