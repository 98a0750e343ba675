"""The synthetic generator: deterministic, shaped like real work, appendable."""

import hashlib

import pytest
from sqlalchemy import func, select

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Claim, ClaimLink, ClaimSource
from counterclaim.services import migrations
from counterclaim.services.demo import synthetic
from factories import make_claim


@pytest.fixture(params=ENGINES)
def fresh_engine(request, database_url_factory):
    def make():
        engine = make_engine(database_url_factory(request.param))
        migrations.upgrade(engine)
        made.append(engine)
        return engine

    made = []
    yield make
    for engine in made:
        engine.dispose()


def _fingerprint(engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for row in connection.execute(
            select(Claim.id, Claim.text, Claim.claimant_id).order_by(Claim.id)
        ):
            digest.update(repr(tuple(row)).encode())
        links = select(ClaimLink.from_claim_id, ClaimLink.to_claim_id, ClaimLink.relation)
        for row in connection.execute(links.order_by(ClaimLink.id)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_data(fresh_engine):
    first, second, other = fresh_engine(), fresh_engine(), fresh_engine()
    synthetic.generate(first, claims=300, seed=7)
    synthetic.generate(second, claims=300, seed=7)
    synthetic.generate(other, claims=300, seed=8)
    assert _fingerprint(first) == _fingerprint(second) != _fingerprint(other)


def test_the_data_is_shaped_like_real_work(fresh_engine):
    engine = fresh_engine()
    written = synthetic.generate(engine, claims=2_000, seed=1)
    assert written["claims"] == 2_000
    links = written["claim_links"]
    assert 1.6 <= links / 2_000 <= 2.4  # about two links per claim
    with engine.connect() as connection:
        contradictions = connection.scalar(
            select(func.count()).where(ClaimLink.relation == "contradicts")
        )
        relations = connection.scalar(select(func.count(func.distinct(ClaimLink.relation))))
        appearances = connection.scalar(select(func.count()).select_from(ClaimSource))
    assert 0.25 <= contradictions / links <= 0.45 and relations == 5
    assert appearances >= 2_000


def test_a_second_run_appends_and_ordinary_inserts_still_work(fresh_engine):
    engine = fresh_engine()
    synthetic.generate(engine, claims=200, seed=1)
    synthetic.generate(engine, claims=100, seed=2)
    with make_sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Claim)) == 300
        claim = make_claim(session)  # ids continue after the generated ones
        session.commit()
        assert claim.id == 301
