"""The demo seed and its loader: complete, quoted exactly, idempotent and validated."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from counterclaim.models import (
    Actor,
    Assessment,
    Claim,
    ClaimLink,
    ClaimSource,
    Source,
    Tag,
    User,
    claim_consensus,
)
from counterclaim.models.vocabulary import SYMMETRIC_RELATIONS
from counterclaim.services.demo.seed import SeedError, SeedReport, default_seed_path, load_seed
from factories import make_actor, row_counts

SEED = default_seed_path()
ARTICLE = SEED.parent / "mosul-offensive-2016-debka-weekly.txt"
ARTICLE_TITLE = "As the Mosul Offensive Peters out, ISIS Poises for Its Comeback"
ABADI_STATEMENT = "Haider al-Abadi statement on the sixth week of the Mosul offensive"


@pytest.fixture(scope="module")
def seed_data() -> dict:
    return yaml.safe_load(SEED.read_text(encoding="utf-8"))


@pytest.fixture
def loaded(session):
    report = load_seed(session, SEED)
    return report


def claim_by_key(session, seed_data: dict, key: str) -> Claim:
    spec = next(claim for claim in seed_data["claims"] if claim["key"] == key)
    return session.scalars(
        select(Claim)
        .join(Actor, Claim.claimant_id == Actor.id)
        .where(Claim.text == spec["text"], Actor.name == spec["claimant"])
    ).one()


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def write_seed(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_seed_path_points_at_the_shipped_files():
    assert SEED.name == "mosul-offensive-2016.yaml"
    assert SEED.is_file()
    assert ARTICLE.is_file()


def test_the_seed_file_describes_the_article(seed_data):
    claims = seed_data["claims"]
    assert len(claims) >= 14
    assert len({claim["key"] for claim in claims}) == len(claims)
    relations = [link["relation"] for link in seed_data["links"]]
    assert relations.count("contradicts") >= 7
    assert {"supports", "qualifies", "responds_to"} <= set(relations)
    assert [user["role"] for user in seed_data["users"]] == ["analyst"] * 3


def test_loading_creates_the_demo_data(session, loaded):
    assert isinstance(loaded, SeedReport)
    assert loaded.total == sum(loaded.created.values())
    assert loaded.created["claims"] >= 14
    assert loaded.created["users"] == 3
    assert count(session, Claim) >= 14
    assert count(session, ClaimLink, ClaimLink.relation == "contradicts") >= 7
    for relation in ("supports", "qualifies", "responds_to"):
        assert count(session, ClaimLink, ClaimLink.relation == relation) >= 1
    places = set(session.scalars(select(Tag.name).where(Tag.kind == "place")))
    assert {"Mosul", "Raqqa", "Tal Afar", "Irbil", "Anbar"} <= places
    operation = session.scalars(select(Tag).where(Tag.name == "Mosul offensive")).one()
    assert operation.kind == "operation"
    actors = set(session.scalars(select(Actor.name)))
    assert {
        "Haider al-Abadi",
        "Government of Iraq",
        "ISIS (Islamic State)",
        "Iraqi army",
        "Kurdish Peshmerga",
        "Kurdish Regional Government",
        "Popular Mobilization Units (PMU)",
        "Kurdish YPG",
        "DEBKA Weekly",
        "US-led coalition",
        "Syrian rebel groups",
    } <= actors
    abadi = session.scalars(select(Actor).where(Actor.name == "Haider al-Abadi")).one()
    assert abadi.affiliation is not None and abadi.affiliation.name == "Government of Iraq"
    assert count(session, User, User.role == "analyst", User.password_hash.is_(None)) == 3
    assert count(session, Assessment) >= 10


def test_the_report_matches_the_rows_created(session):
    before = row_counts(session)
    report = load_seed(session, SEED)
    after = row_counts(session)
    for name, created in report.created.items():
        assert after[name] - before[name] == created, name
    assert "Created" in str(report)


def test_every_excerpt_is_quoted_exactly_from_the_article(session, loaded):
    article = ARTICLE.read_text(encoding="utf-8")
    excerpts = session.scalars(select(ClaimSource.excerpt)).all()
    assert excerpts
    for excerpt in excerpts:
        assert excerpt in article, excerpt


def test_the_sources_carry_dates_and_reliability_notes(session, loaded):
    article = session.scalars(select(Source).where(Source.title == ARTICLE_TITLE)).one()
    assert article.publisher is not None and article.publisher.name == "DEBKA Weekly"
    assert article.published_on == date(2016, 12, 2)
    assert article.reliability in ("C", "D")
    statement = session.scalars(select(Source).where(Source.title == ABADI_STATEMENT)).one()
    assert statement.published_on == date(2016, 11, 27)
    assert "Sunday" in statement.notes
    for source in session.scalars(select(Source)):
        assert source.notes, source.title


def test_loading_twice_creates_nothing_more(session, loaded):
    before = row_counts(session)
    again = load_seed(session, SEED)
    assert again.total == 0
    assert set(again.created.values()) == {0}
    assert row_counts(session) == before
    assert "Nothing to create" in str(again)


def test_abadis_claim_is_reported_skeptically_by_another_actor(session, loaded, seed_data):
    claim = claim_by_key(session, seed_data, "abadi-isis-collapsing")
    assert claim.claimant.name == "Haider al-Abadi"
    assert claim.stated_on == date(2016, 11, 27)
    assert claim.is_verbatim
    stances = {appearance.source.title: appearance for appearance in claim.appearances}
    in_article = stances[ARTICLE_TITLE]
    assert in_article.stance == "skeptical"
    assert in_article.source.publisher_id != claim.claimant_id
    assert stances[ABADI_STATEMENT].stance == "origin"


def test_the_pmu_claim_is_refuted_where_it_is_reported(session, loaded, seed_data):
    claim = claim_by_key(session, seed_data, "pmu-cut-supplies")
    stances = {appearance.source.title: appearance.stance for appearance in claim.appearances}
    assert stances[ARTICLE_TITLE] == "refutes"
    counterclaim = claim_by_key(session, seed_data, "no-supply-slowdown")
    low, high = sorted((claim.id, counterclaim.id))
    link = session.scalars(
        select(ClaimLink).where(
            ClaimLink.from_claim_id == low,
            ClaimLink.to_claim_id == high,
            ClaimLink.relation == "contradicts",
        )
    ).one()
    assert link.strength == "strong"


def test_symmetric_links_are_stored_lower_id_first(session, loaded, seed_data):
    links = session.scalars(
        select(ClaimLink).where(ClaimLink.relation.in_(SYMMETRIC_RELATIONS))
    ).all()
    assert links
    assert all(link.from_claim_id < link.to_claim_id for link in links)
    # The file writes this one from the later claim to the earlier one.
    stay_put = claim_by_key(session, seed_data, "isis-decided-to-stay-put")
    lost_guts = claim_by_key(session, seed_data, "abadi-isis-lost-guts")
    assert stay_put.id > lost_guts.id
    assert (
        count(
            session,
            ClaimLink,
            ClaimLink.from_claim_id == lost_guts.id,
            ClaimLink.to_claim_id == stay_put.id,
            ClaimLink.relation == "contradicts",
        )
        == 1
    )


def test_a_symmetric_link_written_the_other_way_round_is_the_same_link(session, tmp_path):
    base = """
actors: [{name: A, kind: person}, {name: B, kind: person}]
claims:
  - {key: one, text: It rained., claimant: A}
  - {key: two, text: It did not rain., claimant: B}
links:
  - {from: %s, to: %s, relation: contradicts, strength: strong, rationale: Opposites.}
"""
    first = load_seed(session, write_seed(tmp_path, base % ("one", "two")))
    assert first.created["claim_links"] == 1
    second = load_seed(session, write_seed(tmp_path, base % ("two", "one")))
    assert second.total == 0


def test_claim_consensus_shows_the_analysts_disagreement(session, loaded, seed_data):
    claim = claim_by_key(session, seed_data, "abadi-isis-lost-guts")
    row = session.execute(
        select(claim_consensus).where(claim_consensus.c.claim_id == claim.id)
    ).one()
    assert row.analysts >= 2
    assert row.credibility_spread >= 2


def test_a_re_rating_keeps_both_judgments_and_the_latest_counts(session, loaded, seed_data):
    claim = claim_by_key(session, seed_data, "pmu-cut-supplies")
    ratings = session.scalars(
        select(Assessment).where(Assessment.claim_id == claim.id).order_by(Assessment.id)
    ).all()
    assert len(ratings) == 2
    assert ratings[0].analyst_id == ratings[1].analyst_id
    assert ratings[0].credibility != ratings[1].credibility
    assert "Re-rated" in ratings[1].rationale
    row = session.execute(
        select(claim_consensus).where(claim_consensus.c.claim_id == claim.id)
    ).one()
    assert (row.assessments, row.analysts) == (2, 1)
    assert row.credibility_median == ratings[1].credibility


def test_existing_rows_are_reused_not_duplicated(session):
    make_actor(session, name="Haider al-Abadi", kind="person")
    report = load_seed(session, SEED)
    assert count(session, Actor, Actor.name == "Haider al-Abadi") == 1
    assert report.created["actors"] == count(session, Actor) - 1


def test_dates_may_be_yaml_dates_or_iso_strings(session, tmp_path):
    path = write_seed(
        tmp_path,
        """
actors: [{name: Somebody, kind: person}]
sources:
  - {title: A dated source, kind: report, published_on: 2016-11-27, reliability: B}
claims:
  - {key: one, text: A dated claim., claimant: Somebody, stated_on: "2016-11-28"}
""",
    )
    load_seed(session, path)
    source = session.scalars(select(Source).where(Source.title == "A dated source")).one()
    claim = session.scalars(select(Claim).where(Claim.text == "A dated claim.")).one()
    assert source.published_on == date(2016, 11, 27)
    assert claim.stated_on == date(2016, 11, 28)


GOOD_CLAIM = "{key: known, text: Known., claimant: Somebody}"


@pytest.mark.parametrize(
    ("body", "names"),
    [
        pytest.param(
            "claims:\n  - {key: bad-claim, text: Something., claimant: Nobody}\n",
            ["claims[0]", "bad-claim", "claimant", "Nobody"],
            id="unknown-claimant",
        ),
        pytest.param(
            f"claims:\n  - {GOOD_CLAIM}\n"
            "links:\n  - {from: known, to: missing-key, relation: contradicts}\n",
            ["links[0]", "to", "missing-key"],
            id="unknown-claim-key-in-link",
        ),
        pytest.param(
            "claims:\n  - {key: tagged, text: Tagged., claimant: Somebody, tags: [Atlantis]}\n",
            ["claims[0]", "tagged", "tag", "Atlantis"],
            id="unknown-tag",
        ),
        pytest.param(
            f"claims:\n  - {GOOD_CLAIM}\n"
            "assessments:\n  - {claim: ghost, analyst: nobody, credibility: 3,"
            " confidence: low, rationale: Why.}\n",
            ["assessments[0]", "claim", "ghost"],
            id="unknown-claim-key-in-assessment",
        ),
        pytest.param(
            f"claims:\n  - {GOOD_CLAIM}\n"
            "assessments:\n  - {claim: known, analyst: nobody, credibility: 3,"
            " confidence: low, rationale: Why.}\n",
            ["assessments[0]", "analyst", "nobody"],
            id="unknown-analyst",
        ),
        pytest.param(
            f"claims:\n  - {GOOD_CLAIM}\n"
            "links:\n  - {from: known, to: known, relation: supports}\n",
            ["links[0]", "itself"],
            id="self-link",
        ),
        pytest.param(
            "sources:\n  - {title: Paper, kind: article, reliability: Z}\n",
            ["sources[0]", "Paper", "reliability", "'Z'"],
            id="bad-reliability",
        ),
        pytest.param(
            "claims:\n  - {key: st, text: St., claimant: Somebody, status: done}\n",
            ["claims[0]", "st", "status", "'done'"],
            id="bad-status",
        ),
        pytest.param(
            f"claims:\n  - {GOOD_CLAIM}\n"
            "assessments:\n  - {claim: known, analyst: nobody, credibility: 9,"
            " confidence: low, rationale: Why.}\n",
            ["assessments[0]", "credibility", "9"],
            id="bad-credibility",
        ),
        pytest.param(
            "sources:\n  - {title: Paper, kind: article}\n"
            "claims:\n  - {key: q, text: Q., claimant: Somebody, appearances:"
            " [{source: Paper, excerpt: x, stance: sceptical}]}\n",
            ["claims[0]", "appearances[0]", "stance", "sceptical"],
            id="bad-stance",
        ),
        pytest.param(
            "claims:\n  - {key: d, text: D., claimant: Somebody, stated_on: 27/11/2016}\n",
            ["claims[0]", "stated_on", "27/11/2016"],
            id="bad-date",
        ),
        pytest.param(
            "claims:\n  - {key: t, text: T., claimant: Somebody, claimaint: Somebody}\n",
            ["claims[0]", "claimaint"],
            id="misspelt-field",
        ),
        pytest.param(
            f"claims:\n  - {GOOD_CLAIM}\n  - {GOOD_CLAIM}\n",
            ["claims[1]", "known", "claims[0]"],
            id="repeated-key",
        ),
    ],
)
def test_a_bad_seed_is_refused_naming_the_entry(session, tmp_path, body, names):
    path = write_seed(tmp_path, "actors: [{name: Somebody, kind: person}]\n" + body)
    before = row_counts(session)
    with pytest.raises(SeedError) as raised:
        load_seed(session, path)
    for name in names:
        assert name in str(raised.value)
    assert row_counts(session) == before


def test_an_excerpt_must_be_quoted_from_the_named_text(session, tmp_path):
    (tmp_path / "article.txt").write_text("The “exact” words.\n", encoding="utf-8")
    seed = """
excerpts_from: article.txt
actors: [{name: Somebody, kind: person}]
sources: [{title: Paper, kind: article}]
claims:
  - key: quoted
    text: Words.
    claimant: Somebody
    appearances: [{source: Paper, excerpt: '%s', locator: para 1, stance: neutral}]
"""
    load_seed(session, write_seed(tmp_path, seed % "The “exact” words."))
    with pytest.raises(SeedError, match=r"claims\[0\] 'quoted', appearances\[0\].*excerpt"):
        load_seed(session, write_seed(tmp_path, seed % 'The "exact" words.'))


@pytest.mark.parametrize(
    "text",
    ["claims: [unclosed", "- just\n- a list\n", "plants: []\n"],
    ids=["invalid-yaml", "not-a-mapping", "unknown-section"],
)
def test_a_malformed_seed_file_is_refused(session, tmp_path, text):
    with pytest.raises(SeedError):
        load_seed(session, write_seed(tmp_path, text))


def test_a_missing_seed_file_is_refused(session, tmp_path):
    with pytest.raises(SeedError, match="cannot read"):
        load_seed(session, tmp_path / "absent.yaml")


def test_debkas_account_of_the_isis_video_adds_no_independent_origin(session, loaded):
    """DEBKA Weekly endorses ISIS's claim of a competent defence, but summarises ISIS's own
    video: two sources carry the claim, no independent origin does."""
    from counterclaim.models import claim_corroboration
    from counterclaim.services.rigour.corroboration import corroboration

    claim = session.scalars(select(Claim).where(Claim.text.startswith("ISIS has built"))).one()
    row = session.execute(
        select(claim_corroboration).where(claim_corroboration.c.claim_id == claim.id)
    ).one()
    assert (row.supporting_sources, row.independent_origins, row.circular) == (2, 0, True)
    (group,) = corroboration(session, claim).groups
    assert group.claimant_words and group.claimant_published and not group.independent
