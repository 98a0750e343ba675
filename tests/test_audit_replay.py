"""Replaying a record's revisions rebuilds its current state exactly, whatever sequence of
edits, tag changes and restores made it (a Hypothesis stateful test, on both engines)."""

from contextlib import suppress
from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from counterclaim.models.audit import snapshot
from counterclaim.models.vocabulary import CLAIM_STATUS, RELIABILITY
from counterclaim.services.accounts import history
from counterclaim.services.catalogue import sources
from counterclaim.services.claims import claims
from counterclaim.services.errors import NotAllowed
from factories import make_actor, make_tag, make_user

texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1,
                max_size=40).filter(str.strip)  # fmt: skip
dates = st.none() | st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


def test_replaying_revisions_rebuilds_the_current_state(session):
    actors = [make_actor(session) for _ in range(2)]
    tags = [make_tag(session) for _ in range(3)]
    users = [make_user(session), make_user(session, role="editor")]
    session.flush()

    class Edits(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.transaction = session.begin_nested()
            self.claim = claims.create_claim(
                session, text="A claim.", claimant_id=actors[0].id, tags=[tags[0]]
            )
            self.source = sources.create_source(session, title="A source", reliability="C")

        @rule(who=st.sampled_from(users), text=texts, status=st.sampled_from(list(CLAIM_STATUS)),
              stated_on=dates, verbatim=st.booleans(), claimant=st.sampled_from(actors),
              chosen=st.sets(st.sampled_from(tags)))  # fmt: skip
        def edit_claim(self, who, text, status, stated_on, verbatim, claimant, chosen):
            session.info["user_id"] = who.id
            claims.update_claim(
                session, self.claim, self.claim.version, tags=sorted(chosen, key=lambda t: t.id),
                text=text, status=status, stated_on=stated_on, is_verbatim=verbatim,
                claimant_id=claimant.id,
            )  # fmt: skip

        @rule(title=texts, reliability=st.sampled_from(list(RELIABILITY)), published=dates,
              publisher=st.none() | st.sampled_from(actors), notes=texts | st.just(""))  # fmt: skip
        def edit_source(self, title, reliability, published, publisher, notes):
            sources.update_source(
                session, self.source, self.source.version, title=title, reliability=reliability,
                published_on=published, publisher_id=publisher and publisher.id, notes=notes,
            )  # fmt: skip

        @precondition(lambda self: len(history.history(session, "claims", self.claim.id)) > 1)
        @rule(data=st.data(), entity=st.sampled_from(["claims", "sources"]))
        def restore(self, data, entity):
            record = self.claim if entity == "claims" else self.source
            revisions = history.history(session, entity, record.id)
            chosen = data.draw(st.sampled_from(revisions))
            with suppress(NotAllowed):  # already as it was: nothing restored, nothing recorded
                history.restore(session, entity, record.id, chosen.id)

        @invariant()
        def replay_matches(self):
            for entity, record in (("claims", self.claim), ("sources", self.source)):
                session.flush()
                session.expire(record)
                replayed = history.replay(history.history(session, entity, record.id))
                assert replayed == snapshot(record)

        def teardown(self):
            session.info.pop("user_id", None)
            # Keep this example's rows (the test's own transaction is rolled back at the
            # end): rolling back here would let SQLite hand the next example's claim the
            # same id, and an example must never meet another's leftovers.
            self.transaction.commit()

    Edits.TestCase.settings = settings(
        max_examples=10, stateful_step_count=6, deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )  # fmt: skip
    Edits.TestCase().runTest()
