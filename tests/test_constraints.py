"""The schema's own rules: every CHECK, UNIQUE and FOREIGN KEY refuses a bad row, on each engine.

Each bad statement runs inside a savepoint (`session.begin_nested()`), so the test's
transaction survives the error and the next statement still works. Where the engine names
the violated constraint (PostgreSQL always; SQLite for CHECK and UNIQUE), the test checks
that the row was refused by the constraint under test and not by some other rule.
"""

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from counterclaim.db import is_sqlite, make_engine, reader
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
    ClaimTag,
    ReportSnapshot,
    Review,
    Revision,
    SavedQuery,
    Source,
    SourceDerivation,
    Tag,
    User,
    VerdictMapping,
)
from counterclaim.models.relation_mapping import RELATION_TARGETS
from counterclaim.models.review import MAPPING_ORIGINS
from counterclaim.models.vocabulary import (
    ACTOR_KIND,
    CLAIM_STATUS,
    CONFIDENCE,
    CREDIBILITY,
    DERIVATION_KIND,
    OUTCOME,
    RELATIONS,
    RELIABILITY,
    REVISION_ACTIONS,
    ROLES,
    SOURCE_KIND,
    STANCE,
    STRENGTH,
    TAG_KIND,
)
from factories import (
    make_actor,
    make_actor_alias,
    make_appearance,
    make_assessment,
    make_claim,
    make_derivation,
    make_link,
    make_note,
    make_outcome,
    make_relation_mapping,
    make_review,
    make_snapshot,
    make_source,
    make_tag,
    make_user,
)

MISSING = 987_654_321  # an id no row has


# --- helpers -------------------------------------------------------------------------------


def add(session, row):
    session.add(row)
    session.flush()
    return row


def make_revision(session, **overrides) -> Revision:
    return add(
        session, Revision(**{"entity": "claims", "entity_id": 1, "action": "create", **overrides})
    )


def make_claim_tag(session, claim=None, tag=None) -> ClaimTag:
    claim = claim or make_claim(session)
    tag = tag or make_tag(session)
    return add(session, ClaimTag(claim_id=claim.id, tag_id=tag.id))


def make_saved_query(session, **overrides) -> SavedQuery:
    return add(
        session, SavedQuery(**{"name": "All claims", "sql": "SELECT * FROM claims", **overrides})
    )


def make_verdict_mapping(session, **overrides) -> VerdictMapping:
    values = {"verdict": "half true", "label": "Half True", "credibility": 3, **overrides}
    return add(session, VerdictMapping(**values))


def constraints_of(kind):
    """Names of every constraint of a kind (CheckConstraint, ...) in the models."""
    return {
        constraint.name
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if type(constraint).__name__ == kind
    }


def constraint_named(name):
    for table in Base.metadata.tables.values():
        for constraint in table.constraints:
            if constraint.name == name:
                return constraint
    raise LookupError(name)


def names_of(constraint: str | tuple[str, ...]) -> tuple[str, ...]:
    """A case names one constraint, or a tuple of them when the row breaks several at once."""
    return (constraint,) if isinstance(constraint, str) else constraint


def refusal_messages(name: str) -> set[str]:
    """The messages with which SQLite reports a violation of the constraint `name`."""
    constraint = constraint_named(name)
    kind = type(constraint).__name__
    if kind == "CheckConstraint":
        return {f"CHECK constraint failed: {name}"}
    if kind == "UniqueConstraint":
        columns = ", ".join(f"{constraint.table.name}.{c.name}" for c in constraint.columns)
        return {f"UNIQUE constraint failed: {columns}"}
    return {"FOREIGN KEY constraint failed"}  # SQLite does not say which foreign key failed


def assert_refused_by(error: IntegrityError, constraint: str | tuple[str, ...]) -> None:
    """Check that the database refused the statement because of `constraint`."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:  # PostgreSQL names every violated constraint
        assert diag.constraint_name in names_of(constraint), str(original)
        return
    expected = set().union(*(refusal_messages(name) for name in names_of(constraint)))
    assert str(original) in expected


def refuse(session, name, statement):
    """Run `statement(session)` in a savepoint; assert `name` refuses it; the session lives on."""
    with pytest.raises(IntegrityError) as caught, session.begin_nested():
        statement(session)
    assert_refused_by(caught.value, name)
    assert session.execute(select(1)).scalar_one() == 1


def count(session, model, **where):
    query = select(func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.execute(query).scalar_one()


def exists(session, model, row_id):
    return count(session, model, id=row_id) == 1


# --- vocabularies --------------------------------------------------------------------------

# (table, column, factory, vocabulary, bad values). Bad values fit the column's length, so
# only the CHECK can refuse them.
VOCABULARY_COLUMNS = [
    ("sources", "reliability", make_source, RELIABILITY, ["G", "a", "", "1"]),
    ("sources", "kind", make_source, SOURCE_KIND, ["blog", "Article", ""]),
    ("actors", "kind", make_actor, ACTOR_KIND, ["alien", "Person", ""]),
    ("tags", "kind", make_tag, TAG_KIND, ["person", "Place", ""]),
    ("claims", "status", make_claim, CLAIM_STATUS, ["closed", "Open", "under review", ""]),
    ("claim_sources", "stance", make_appearance, STANCE, ["hostile", "Origin", ""]),
    ("claim_links", "relation", make_link, RELATIONS, ["refutes", "Contradicts", ""]),
    ("claim_links", "strength", make_link, STRENGTH, ["total", "Strong", ""]),
    ("assessments", "credibility", make_assessment, CREDIBILITY, [0, 7, -1, 10]),
    ("assessments", "confidence", make_assessment, CONFIDENCE, ["certain", "High", ""]),
    ("users", "role", make_user, ROLES, ["root", "Admin", ""]),
    ("revisions", "action", make_revision, REVISION_ACTIONS, ["insert", "Create", ""]),
    ("verdict_mappings", "credibility", make_verdict_mapping, CREDIBILITY, [0, 7]),
    ("reviews", "credibility", make_review, CREDIBILITY, [0, 7]),
    (
        "reviews",
        "mapping_origin",
        make_review,
        dict.fromkeys(MAPPING_ORIGINS),
        ["guessed", "Team", ""],
    ),
    (
        "relation_mappings",
        "relation",
        make_relation_mapping,
        RELATION_TARGETS,
        ["refutes", "None", ""],
    ),
    ("source_derivations", "kind", make_derivation, DERIVATION_KIND, ["copies", "Quotes", ""]),
    ("claim_outcomes", "outcome", make_outcome, OUTCOME, ["true", "False", ""]),
]

GOOD_CODES = [
    pytest.param(factory, column, code, id=f"{table}.{column}={code}")
    for table, column, factory, vocabulary, _bad in VOCABULARY_COLUMNS
    for code in vocabulary
]

BAD_CODES = [
    pytest.param(factory, column, value, f"ck_{table}_{column}", id=f"{table}.{column}={value!r}")
    for table, column, factory, _vocabulary, bad in VOCABULARY_COLUMNS
    for value in bad
]


@pytest.mark.parametrize(("factory", "column", "code"), GOOD_CODES)
def test_every_vocabulary_code_is_accepted(session, factory, column, code):
    row = factory(session, **{column: code})
    model = type(row)
    stored = session.execute(select(getattr(model, column)).where(model.id == row.id))
    assert stored.scalar_one() == code


@pytest.mark.parametrize(("factory", "column", "value", "constraint"), BAD_CODES)
def test_a_code_outside_the_vocabulary_is_refused(session, factory, column, value, constraint):
    refuse(session, constraint, lambda s: factory(s, **{column: value}))


# --- the other CHECK constraints -----------------------------------------------------------


def _set_version(model, version):
    def statement(session):
        row = make_claim(session) if model is Claim else make_source(session)
        session.execute(update(model).where(model.id == row.id).values(version=version))

    return statement


def _link_to_itself(relation):
    def statement(session):
        claim = make_claim(session)
        add(session, ClaimLink(from_claim_id=claim.id, to_claim_id=claim.id, relation=relation))

    return statement


def _link_backwards(relation):
    """A link stored from the later claim to the earlier one (from_claim_id > to_claim_id)."""

    def statement(session):
        earlier, later = make_claim(session), make_claim(session)
        assert later.id > earlier.id
        return add(
            session, ClaimLink(from_claim_id=later.id, to_claim_id=earlier.id, relation=relation)
        )

    return statement


def _note_on_both(session):
    make_note(session, claim=make_claim(session), source=make_source(session))


def _note_on_nothing(session):
    add(session, Annotation(author_id=make_user(session).id, body="About nothing."))


BAD_ROWS = [
    ("claims.text empty", "ck_claims_text_not_empty", lambda s: make_claim(s, text="")),
    (
        "claim_sources.excerpt empty",
        "ck_claim_sources_excerpt_not_empty",
        lambda s: make_appearance(s, excerpt=""),
    ),
    (
        "assessments.rationale empty",
        "ck_assessments_rationale_not_empty",
        lambda s: make_assessment(s, rationale=""),
    ),
    ("annotations.body empty", "ck_annotations_body_not_empty", lambda s: make_note(s, body="")),
    (
        "verdict_mappings.verdict empty",
        "ck_verdict_mappings_verdict_not_empty",
        lambda s: make_verdict_mapping(s, verdict=""),
    ),
    (
        "actor_aliases.alias empty",
        "ck_actor_aliases_alias_not_empty",
        lambda s: make_actor_alias(s, alias=""),
    ),
    (
        "relation_mappings.label empty",
        "ck_relation_mappings_label_not_empty",
        lambda s: make_relation_mapping(s, label=""),
    ),
    ("claims.version 0", "ck_claims_version_positive", _set_version(Claim, 0)),
    ("claims.version -1", "ck_claims_version_positive", _set_version(Claim, -1)),
    ("sources.version 0", "ck_sources_version_positive", _set_version(Source, 0)),
    ("sources.version -1", "ck_sources_version_positive", _set_version(Source, -1)),
    (
        "a claim contradicts itself",  # breaks both rules; engines report either
        ("ck_claim_links_not_self", "ck_claim_links_symmetric_ordered"),
        _link_to_itself("contradicts"),
    ),
    ("a claim supports itself", "ck_claim_links_not_self", _link_to_itself("supports")),
    ("a claim responds to itself", "ck_claim_links_not_self", _link_to_itself("responds_to")),
    (
        "contradicts stored from > to",
        "ck_claim_links_symmetric_ordered",
        _link_backwards("contradicts"),
    ),
    (
        "duplicates stored from > to",
        "ck_claim_links_symmetric_ordered",
        _link_backwards("duplicates"),
    ),
    ("a note on a claim and a source", "ck_annotations_exactly_one_subject", _note_on_both),
    ("a note on neither", "ck_annotations_exactly_one_subject", _note_on_nothing),
    (
        "a source derived from itself",
        "ck_source_derivations_not_self",
        lambda s: (lambda src: make_derivation(s, src, src))(make_source(s)),
    ),
    (
        "claim_outcomes.rationale empty",
        "ck_claim_outcomes_rationale_not_empty",
        lambda s: make_outcome(s, rationale=""),
    ),
]


@pytest.mark.parametrize(
    ("constraint", "statement"), [pytest.param(c, f, id=d) for d, c, f in BAD_ROWS]
)
def test_a_bad_row_is_refused(session, constraint, statement):
    refuse(session, constraint, statement)


GOOD_ROWS = [
    ("claims.version 1", lambda s: _set_version(Claim, 1)(s)),
    ("claims.version raised to 7", lambda s: _set_version(Claim, 7)(s)),
    ("sources.version raised to 2", lambda s: _set_version(Source, 2)(s)),
    ("one-character claim text", lambda s: make_claim(s, text="x")),
    ("supports stored from > to", _link_backwards("supports")),
    ("qualifies stored from > to", _link_backwards("qualifies")),
    ("responds_to stored from > to", _link_backwards("responds_to")),
    ("contradicts stored from < to", lambda s: make_link(s, relation="contradicts")),
    ("a note on a claim only", lambda s: make_note(s)),
    ("a note on a source only", lambda s: make_note(s, source=make_source(s))),
]


@pytest.mark.parametrize("statement", [pytest.param(f, id=d) for d, f in GOOD_ROWS])
def test_a_good_row_is_accepted(session, statement):
    with session.begin_nested():
        statement(session)


# --- UNIQUE constraints --------------------------------------------------------------------


def _twice(make):
    def statement(session):
        make(session)
        make(session)

    return statement


def _same_link_twice(relation):
    def statement(session):
        first, second = make_claim(session), make_claim(session)
        make_link(session, first, second, relation=relation)
        make_link(session, first, second, relation=relation)

    return statement


def _same_claim_tag_twice(session):
    claim, tag = make_claim(session), make_tag(session)
    make_claim_tag(session, claim, tag)
    make_claim_tag(session, claim, tag)


def _same_appearance_twice(session):
    claim, source = make_claim(session), make_source(session)
    make_appearance(session, claim, source, locator="p. 2")
    make_appearance(session, claim, source, locator="p. 2")


DUPLICATES = [
    ("actor name", "uq_actors_name", _twice(lambda s: make_actor(s, name="Haider al-Abadi"))),
    ("tag name", "uq_tags_name", _twice(lambda s: make_tag(s, name="Mosul"))),
    ("username", "uq_users_username", _twice(lambda s: make_user(s, username="alice"))),
    ("saved query name", "uq_saved_queries_name", _twice(make_saved_query)),
    ("verdict mapping", "uq_verdict_mappings_verdict", _twice(make_verdict_mapping)),
    ("relation mapping", "uq_relation_mappings_label", _twice(make_relation_mapping)),
    ("actor alias", "uq_actor_aliases_alias", _twice(lambda s: make_actor_alias(s, alias="Abadi"))),
    (
        "the same contradicts link twice",
        "uq_claim_links_from_claim_id_to_claim_id_relation",
        _same_link_twice("contradicts"),
    ),
    (
        "the same supports link twice",
        "uq_claim_links_from_claim_id_to_claim_id_relation",
        _same_link_twice("supports"),
    ),
    ("the same claim_tag twice", "uq_claim_tags_claim_id_tag_id", _same_claim_tag_twice),
    (
        "the same appearance twice",
        "uq_claim_sources_claim_id_source_id_locator",
        _same_appearance_twice,
    ),
    (
        "the same derivation twice",
        "uq_source_derivations_source_id_derived_from_id",
        lambda s: (lambda a, b: [make_derivation(s, a, b, kind=k) for k in ("quotes", "cites")])(
            make_source(s), make_source(s)
        ),
    ),
]


@pytest.mark.parametrize(
    ("constraint", "statement"), [pytest.param(c, f, id=d) for d, c, f in DUPLICATES]
)
def test_a_duplicate_is_refused(session, constraint, statement):
    refuse(session, constraint, statement)


def _both_directions(relation):
    def statement(session):
        first, second = make_claim(session), make_claim(session)
        add(session, ClaimLink(from_claim_id=first.id, to_claim_id=second.id, relation=relation))
        add(session, ClaimLink(from_claim_id=second.id, to_claim_id=first.id, relation=relation))

    return statement


def _two_relations_between_the_same_claims(session):
    first, second = make_claim(session), make_claim(session)
    make_link(session, first, second, relation="contradicts")
    make_link(session, first, second, relation="qualifies")


def _one_claim_two_locators(session):
    claim, source = make_claim(session), make_source(session)
    make_appearance(session, claim, source, locator="p. 1")
    make_appearance(session, claim, source, locator="p. 2")


NOT_DUPLICATES = [
    ("supports in both directions", _both_directions("supports")),
    ("responds_to in both directions", _both_directions("responds_to")),
    ("two relations between the same claims", _two_relations_between_the_same_claims),
    ("a claim at two places of one source", _one_claim_two_locators),
    ("two actors with different names", lambda s: [make_actor(s), make_actor(s)]),
]


@pytest.mark.parametrize("statement", [pytest.param(f, id=d) for d, f in NOT_DUPLICATES])
def test_rows_that_differ_are_not_duplicates(session, statement):
    with session.begin_nested():
        statement(session)


# --- FOREIGN KEYs: a dangling id is refused ------------------------------------------------

DANGLING = [
    (
        "fk_actors_affiliation_id_actors",
        lambda s: make_actor(s, affiliation_id=MISSING),
    ),
    ("fk_sources_publisher_id_actors", lambda s: make_source(s, publisher_id=MISSING)),
    ("fk_claims_claimant_id_actors", lambda s: make_claim(s, claimant_id=MISSING)),
    (
        "fk_claim_sources_claim_id_claims",
        lambda s: add(s, ClaimSource(claim_id=MISSING, source_id=make_source(s).id, excerpt="x")),
    ),
    (
        "fk_claim_sources_source_id_sources",
        lambda s: add(s, ClaimSource(claim_id=make_claim(s).id, source_id=MISSING, excerpt="x")),
    ),
    (
        "fk_claim_links_from_claim_id_claims",
        lambda s: add(
            s, ClaimLink(from_claim_id=MISSING, to_claim_id=make_claim(s).id, relation="supports")
        ),
    ),
    (
        "fk_claim_links_to_claim_id_claims",
        lambda s: add(
            s, ClaimLink(from_claim_id=make_claim(s).id, to_claim_id=MISSING, relation="supports")
        ),
    ),
    (
        "fk_assessments_claim_id_claims",
        lambda s: add(
            s,
            Assessment(
                claim_id=MISSING,
                analyst_id=make_user(s).id,
                credibility=2,
                confidence="low",
                rationale="Because.",
            ),
        ),
    ),
    (
        "fk_assessments_withdrawn_by_users",
        lambda s: add(
            s,
            Assessment(
                claim_id=make_claim(s).id,
                analyst_id=make_user(s).id,
                credibility=2,
                confidence="low",
                rationale="Because.",
                withdrawn_by=MISSING,
            ),
        ),
    ),
    (
        "fk_assessments_analyst_id_users",
        lambda s: add(
            s,
            Assessment(
                claim_id=make_claim(s).id,
                analyst_id=MISSING,
                credibility=2,
                confidence="low",
                rationale="Because.",
            ),
        ),
    ),
    (
        "fk_annotations_claim_id_claims",
        lambda s: add(s, Annotation(claim_id=MISSING, author_id=make_user(s).id, body="x")),
    ),
    (
        "fk_annotations_source_id_sources",
        lambda s: add(s, Annotation(source_id=MISSING, author_id=make_user(s).id, body="x")),
    ),
    (
        "fk_annotations_author_id_users",
        lambda s: add(s, Annotation(claim_id=make_claim(s).id, author_id=MISSING, body="x")),
    ),
    (
        "fk_claim_tags_claim_id_claims",
        lambda s: add(s, ClaimTag(claim_id=MISSING, tag_id=make_tag(s).id)),
    ),
    (
        "fk_claim_tags_tag_id_tags",
        lambda s: add(s, ClaimTag(claim_id=make_claim(s).id, tag_id=MISSING)),
    ),
    ("fk_revisions_user_id_users", lambda s: make_revision(s, user_id=MISSING)),
    (
        "fk_reviews_claim_id_claims",
        lambda s: add(
            s,
            Review(
                claim_id=MISSING,
                reviewer_id=make_actor(s).id,
                credibility=5,
                mapping_origin="default",
            ),
        ),
    ),
    (
        "fk_reviews_reviewer_id_actors",
        lambda s: add(
            s,
            Review(
                claim_id=make_claim(s).id,
                reviewer_id=MISSING,
                credibility=5,
                mapping_origin="default",
            ),
        ),
    ),
    (
        "fk_actor_aliases_actor_id_actors",
        lambda s: add(s, ActorAlias(actor_id=MISSING, alias="Nobody", key="nobody")),
    ),
    (
        "fk_source_derivations_source_id_sources",
        lambda s: add(
            s, SourceDerivation(source_id=MISSING, derived_from_id=make_source(s).id, kind="quotes")
        ),
    ),
    (
        "fk_source_derivations_derived_from_id_sources",
        lambda s: add(
            s, SourceDerivation(source_id=make_source(s).id, derived_from_id=MISSING, kind="quotes")
        ),
    ),
    (
        "fk_claim_outcomes_claim_id_claims",
        lambda s: add(s, ClaimOutcome(claim_id=MISSING, outcome="false", rationale="x")),
    ),
    ("fk_claim_outcomes_decided_by_users", lambda s: make_outcome(s, decided_by=MISSING)),
    ("fk_report_snapshots_taken_by_users", lambda s: make_snapshot(s, taken_by=MISSING)),
    *(
        (
            f"fk_{model.__tablename__}_created_by_users",
            lambda s, f=factory: f(s, created_by=MISSING),
        )
        for model, factory in (
            (Actor, make_actor),
            (Source, make_source),
            (Claim, make_claim),
            (ClaimSource, make_appearance),
            (ClaimLink, make_link),
            (SourceDerivation, make_derivation),
        )
    ),
]


@pytest.mark.parametrize(
    ("constraint", "statement"), [pytest.param(c, f, id=c) for c, f in DANGLING]
)
def test_a_dangling_foreign_key_is_refused(session, constraint, statement):
    refuse(session, constraint, statement)


# --- ON DELETE -----------------------------------------------------------------------------


def _claimant(session):
    return Actor, make_claim(session).claimant_id


def _claim_linked_from(session):
    link = make_link(session, relation="supports")
    return Claim, link.from_claim_id


def _claim_linked_to(session):
    link = make_link(session, relation="supports")
    return Claim, link.to_claim_id


def _claim_contradicted(session):
    link = make_link(session, relation="contradicts")
    return Claim, link.to_claim_id


def _assessed_claim(session):
    return Claim, make_assessment(session).claim_id


def _annotated_claim(session):
    return Claim, make_note(session).claim_id


def _quoted_source(session):
    return Source, make_appearance(session).source_id


def _annotated_source(session):
    return Source, make_note(session, source=make_source(session)).source_id


def _analyst(session):
    return User, make_assessment(session).analyst_id


def _reviewed_claim(session):
    return Claim, make_review(session).claim_id


def _reviewer(session):
    return Actor, make_review(session).reviewer_id


def _note_author(session):
    return User, make_note(session).author_id


RESTRICTED_DELETES = [
    ("an actor that is a claimant", "fk_claims_claimant_id_actors", _claimant),
    ("a claim with a link from it", "fk_claim_links_from_claim_id_claims", _claim_linked_from),
    ("a claim with a link to it", "fk_claim_links_to_claim_id_claims", _claim_linked_to),
    ("a contradicted claim", "fk_claim_links_to_claim_id_claims", _claim_contradicted),
    ("a claim with an assessment", "fk_assessments_claim_id_claims", _assessed_claim),
    ("a claim with a note", "fk_annotations_claim_id_claims", _annotated_claim),
    ("a source a claim appears in", "fk_claim_sources_source_id_sources", _quoted_source),
    ("a source with a note", "fk_annotations_source_id_sources", _annotated_source),
    ("a user with an assessment", "fk_assessments_analyst_id_users", _analyst),
    ("a user who wrote a note", "fk_annotations_author_id_users", _note_author),
    ("a claim with a review", "fk_reviews_claim_id_claims", _reviewed_claim),
    ("an actor who reviewed a claim", "fk_reviews_reviewer_id_actors", _reviewer),
    (
        "a source another derives from",
        "fk_source_derivations_derived_from_id_sources",
        lambda s: (Source, make_derivation(s).derived_from_id),
    ),
    (
        "a source that derives from another",
        "fk_source_derivations_source_id_sources",
        lambda s: (Source, make_derivation(s).source_id),
    ),
    (
        "a claim with an outcome",
        "fk_claim_outcomes_claim_id_claims",
        lambda s: (Claim, make_outcome(s).claim_id),
    ),
]


@pytest.mark.parametrize(
    ("constraint", "referenced"), [pytest.param(c, f, id=d) for d, c, f in RESTRICTED_DELETES]
)
def test_deleting_a_referenced_row_is_refused(session, constraint, referenced):
    model, row_id = referenced(session)
    refuse(session, constraint, lambda s: s.execute(delete(model).where(model.id == row_id)))
    assert exists(session, model, row_id)


def _published_source(session):
    source = make_source(session, publisher=make_actor(session, kind="media"))
    return Actor, source.publisher_id, Source, source.id, "publisher_id"


def _affiliated_actor(session):
    actor = make_actor(session, affiliation=make_actor(session, kind="government"))
    return Actor, actor.affiliation_id, Actor, actor.id, "affiliation_id"


def _revision_by_user(session):
    revision = make_revision(session, user_id=make_user(session).id)
    return User, revision.user_id, Revision, revision.id, "user_id"


def _withdrawing_user(session):
    assessment = make_assessment(session, withdrawn_by=make_user(session).id)
    return User, assessment.withdrawn_by, Assessment, assessment.id, "withdrawn_by"


def _created_by_user(session, model, factory):
    row = factory(session, created_by=make_user(session).id)
    return User, row.created_by, model, row.id, "created_by"


SET_NULL_DELETES = [
    (
        "a publisher's sources lose their publisher",
        "fk_sources_publisher_id_actors",
        _published_source,
    ),
    ("an affiliate loses its affiliation", "fk_actors_affiliation_id_actors", _affiliated_actor),
    ("a user's revisions lose their user", "fk_revisions_user_id_users", _revision_by_user),
    (
        "a withdrawal loses who withdrew it",
        "fk_assessments_withdrawn_by_users",
        _withdrawing_user,
    ),
    (
        "a user's outcomes lose their decider",
        "fk_claim_outcomes_decided_by_users",
        lambda s: (lambda o: (User, o.decided_by, ClaimOutcome, o.id, "decided_by"))(
            make_outcome(s, decided_by=make_user(s).id)
        ),
    ),
    (
        "a user's snapshots lose their taker",
        "fk_report_snapshots_taken_by_users",
        lambda s: (lambda r: (User, r.taken_by, ReportSnapshot, r.id, "taken_by"))(
            make_snapshot(s, taken_by=make_user(s).id)
        ),
    ),
    *(
        (
            f"a user's {model.__tablename__} lose their creator",
            f"fk_{model.__tablename__}_created_by_users",
            lambda s, m=model, f=factory: _created_by_user(s, m, f),
        )
        for model, factory in (
            (Actor, make_actor),
            (Source, make_source),
            (Claim, make_claim),
            (ClaimSource, make_appearance),
            (ClaimLink, make_link),
            (SourceDerivation, make_derivation),
        )
    ),
]


@pytest.mark.parametrize("referenced", [pytest.param(f, id=d) for d, _c, f in SET_NULL_DELETES])
def test_deleting_a_parent_sets_the_reference_null(session, referenced):
    parent, parent_id, child, child_id, column = referenced(session)
    assert parent_id is not None
    session.execute(delete(parent).where(parent.id == parent_id))
    assert not exists(session, parent, parent_id)
    stored = session.execute(select(getattr(child, column)).where(child.id == child_id))
    assert stored.scalar_one() is None


def test_deleting_a_claim_deletes_its_appearances_and_tags(session):
    claim, other = make_claim(session), make_claim(session)
    source, tag = make_source(session), make_tag(session)
    make_appearance(session, claim, source, locator="p. 1")
    make_appearance(session, claim, source, locator="p. 2")
    make_appearance(session, other, source)
    make_claim_tag(session, claim, tag)
    make_claim_tag(session, other, tag)

    session.execute(delete(Claim).where(Claim.id == claim.id))

    assert not exists(session, Claim, claim.id)
    assert count(session, ClaimSource, claim_id=claim.id) == 0
    assert count(session, ClaimTag, claim_id=claim.id) == 0
    assert count(session, ClaimSource, claim_id=other.id) == 1
    assert count(session, ClaimTag, claim_id=other.id) == 1
    assert exists(session, Source, source.id)
    assert exists(session, Tag, tag.id)


def test_deleting_a_tag_removes_it_from_its_claims(session):
    claim, tag, kept = make_claim(session), make_tag(session), make_tag(session)
    make_claim_tag(session, claim, tag)
    make_claim_tag(session, claim, kept)

    session.execute(delete(Tag).where(Tag.id == tag.id))

    assert count(session, ClaimTag, tag_id=tag.id) == 0
    assert count(session, ClaimTag, claim_id=claim.id) == 1
    assert exists(session, Claim, claim.id)


CASCADE_DELETES = {
    "fk_claim_sources_claim_id_claims",  # test_deleting_a_claim_deletes_its_appearances_and_tags
    "fk_claim_tags_claim_id_claims",  # test_deleting_a_claim_deletes_its_appearances_and_tags
    "fk_claim_tags_tag_id_tags",  # test_deleting_a_tag_removes_it_from_its_claims
    "fk_actor_aliases_actor_id_actors",  # test_deleting_an_actor_deletes_its_aliases
}


def test_deleting_an_actor_deletes_its_aliases(session):
    alias = make_actor_alias(session)
    actor_id = alias.actor_id
    session.execute(delete(Actor).where(Actor.id == actor_id))
    assert count(session, ActorAlias, actor_id=actor_id) == 0


# --- the tables above cover the whole schema -----------------------------------------------


def test_every_check_constraint_is_tested():
    tested = {constraint for *_rest, constraint in (p.values for p in BAD_CODES)}
    tested |= {name for _d, constraint, _f in BAD_ROWS for name in names_of(constraint)}
    assert tested == constraints_of("CheckConstraint")


def test_every_unique_constraint_is_tested():
    assert {c for _d, c, _f in DUPLICATES} == constraints_of("UniqueConstraint")


def test_every_foreign_key_is_tested_with_a_dangling_id():
    assert {c for c, _f in DANGLING} == constraints_of("ForeignKeyConstraint")


def test_every_foreign_keys_on_delete_behaviour_is_tested():
    expected = {
        **{c: "RESTRICT" for _d, c, _f in RESTRICTED_DELETES},
        **{c: "SET NULL" for _d, c, _f in SET_NULL_DELETES},
        **dict.fromkeys(CASCADE_DELETES, "CASCADE"),
    }
    declared = {
        constraint.name: constraint.ondelete
        for table in Base.metadata.tables.values()
        for constraint in table.foreign_key_constraints
    }
    assert expected == declared


# --- SQLite connection settings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("foreign_keys", 1),
        ("journal_mode", "wal"),
        ("busy_timeout", 10_000),
        ("cache_size", -65_536),
    ],  # fmt: skip
)
def test_sqlite_connections_get_their_pragmas(tmp_path, pragma, expected):
    engine = make_engine(f"sqlite:///{tmp_path / 'counterclaim.db'}")
    try:
        # Two connections open at once: the settings hold on every one, not just the first.
        # Read-only (DEFERRED) transactions, so that the second does not wait for the first.
        with reader(engine).connect() as first, reader(engine).connect() as second:
            for connection in (first, second):
                assert connection.exec_driver_sql(f"PRAGMA {pragma}").scalar() == expected
    finally:
        engine.dispose()


def test_postgresql_connections_run_without_jit_and_with_costly_parallel_plans(engine):
    """JIT compiled the research views' correlated subqueries for a second per statement
    that then ran in milliseconds, two parallel workers made small joins slower, and
    streamed downloads were planned for their first tenth (db.py): every connection sets
    all three, and a caller's own connection options are kept beside."""
    if is_sqlite(engine):
        pytest.skip("PostgreSQL setting")
    url = engine.url.render_as_string(hide_password=False)
    mine = make_engine(url, connect_args={"options": "-c application_name=mine"})
    try:
        for checked in (engine, mine):
            with checked.connect() as first, checked.connect() as second:
                for connection in (first, second):
                    assert connection.exec_driver_sql("SHOW jit").scalar() == "off"
                    cost = connection.exec_driver_sql("SHOW parallel_setup_cost").scalar()
                    assert float(cost) == 10_000
                    fraction = connection.exec_driver_sql("SHOW cursor_tuple_fraction").scalar()
                    assert float(fraction) == 1  # streams are read to the end
        with mine.connect() as connection:
            assert connection.exec_driver_sql("SHOW application_name").scalar() == "mine"
    finally:
        mine.dispose()
