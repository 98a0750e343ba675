"""Factories: make a valid row with sensible defaults, overriding what the test cares about;
and the helpers many test files share (row counts, the CLI)."""

import itertools
from datetime import date

from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from counterclaim.cli import main
from counterclaim.models import (
    Actor,
    ActorAlias,
    Annotation,
    Assessment,
    Base,
    Claim,
    ClaimLink,
    ClaimOutcome,
    ClaimSource,
    RelationMapping,
    ReportSnapshot,
    Review,
    Source,
    SourceDerivation,
    Tag,
    User,
)

_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


def make_user(session, **overrides) -> User:
    n = _next()
    user = User(**{"username": f"analyst{n}", "display_name": f"Analyst {n}", **overrides})
    session.add(user)
    session.flush()
    return user


def make_actor(session, **overrides) -> Actor:
    actor = Actor(**{"name": f"Actor {_next()}", "kind": "person", **overrides})
    session.add(actor)
    session.flush()
    return actor


def make_source(session, **overrides) -> Source:
    values = {"title": f"Source {_next()}", "kind": "article", "reliability": "C", **overrides}
    source = Source(**values)
    session.add(source)
    session.flush()
    return source


def make_tag(session, **overrides) -> Tag:
    tag = Tag(**{"name": f"tag-{_next()}", "kind": "topic", **overrides})
    session.add(tag)
    session.flush()
    return tag


def make_claim(session, **overrides) -> Claim:
    if "claimant" not in overrides and "claimant_id" not in overrides:
        overrides["claimant"] = make_actor(session)
    values = {"text": f"Claim number {_next()}", "stated_on": date(2016, 11, 27), **overrides}
    claim = Claim(**values)
    session.add(claim)
    session.flush()
    return claim


def make_appearance(session, claim=None, source=None, **overrides) -> ClaimSource:
    appearance = ClaimSource(
        claim=claim or make_claim(session),
        source=source or make_source(session),
        **{"excerpt": "an exact excerpt", "stance": "neutral", **overrides},
    )
    session.add(appearance)
    session.flush()
    return appearance


def make_link(session, from_claim=None, to_claim=None, **overrides) -> ClaimLink:
    first = from_claim or make_claim(session)
    second = to_claim or make_claim(session)
    relation = overrides.pop("relation", "contradicts")
    if relation in ("contradicts", "duplicates") and first.id > second.id:
        first, second = second, first
    link = ClaimLink(
        from_claim_id=first.id,
        to_claim_id=second.id,
        relation=relation,
        **{"strength": "moderate", "rationale": "", **overrides},
    )
    session.add(link)
    session.flush()
    return link


def make_assessment(session, claim=None, analyst=None, **overrides) -> Assessment:
    assessment = Assessment(
        claim=claim or make_claim(session),
        analyst=analyst or make_user(session),
        **{"credibility": 3, "confidence": "moderate", "rationale": "Because.", **overrides},
    )
    session.add(assessment)
    session.flush()
    return assessment


def make_note(session, claim=None, author=None, **overrides) -> Annotation:
    if claim is None and "source" not in overrides and "source_id" not in overrides:
        claim = make_claim(session)
    note = Annotation(
        claim=claim,
        author=author or make_user(session),
        **{"body": "A note.", **overrides},
    )
    session.add(note)
    session.flush()
    return note


def make_review(session, claim=None, reviewer=None, **overrides) -> Review:
    review = Review(
        claim=claim or make_claim(session),
        reviewer=reviewer or make_actor(session, kind="media"),
        **{"url": "https://factcheck.example/1", "title": "A fact check", "verdict": "False",
           "credibility": 5, "mapping_origin": "default", **overrides},
    )  # fmt: skip
    session.add(review)
    session.flush()
    return review


def make_actor_alias(session, actor=None, **overrides) -> ActorAlias:
    alias = overrides.pop("alias", f"Alias {next(_serial)}")
    row = ActorAlias(actor=actor or make_actor(session), alias=alias,
                     key=overrides.pop("key", alias.casefold()), **overrides)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def make_relation_mapping(session, **overrides) -> RelationMapping:
    row = RelationMapping(**{"label": "agrees", "written": "Agrees", "relation": "supports",
                             **overrides})  # fmt: skip
    session.add(row)
    session.flush()
    return row


def make_derivation(session, source=None, derived_from=None, **overrides) -> SourceDerivation:
    derivation = SourceDerivation(
        source_id=(source or make_source(session)).id,
        derived_from_id=(derived_from or make_source(session)).id,
        **{"kind": "quotes", **overrides},
    )
    session.add(derivation)
    session.flush()
    return derivation


def make_outcome(session, claim=None, **overrides) -> ClaimOutcome:
    outcome = ClaimOutcome(
        claim_id=(claim or make_claim(session)).id,
        **{"outcome": "unresolved", "rationale": "Not decided by the evidence.", **overrides},
    )
    session.add(outcome)
    session.flush()
    return outcome


def make_snapshot(session, **overrides) -> ReportSnapshot:
    snapshot = ReportSnapshot(**{"scope": "tag=Mosul", "content": {"pairs": []}, **overrides})
    session.add(snapshot)
    session.flush()
    return snapshot


def row_counts(bind) -> dict[str, int]:
    """Rows in every table of the models, by name (`bind`: an engine, connection or session)."""
    if isinstance(bind, Engine):
        with bind.connect() as connection:
            return row_counts(connection)
    return {
        table.name: bind.scalar(select(func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def run_cli(database: str, *args, input=None, env=None) -> tuple[int, str]:
    """Run `counterclaim --database DATABASE ARGS…`; return its exit code and output."""
    result = CliRunner().invoke(main, ["--database", database, *args], input=input, env=env)
    return result.exit_code, result.output
