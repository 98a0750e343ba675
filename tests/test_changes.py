"""Report snapshots and "changes since": exactly the changes made after a snapshot, from
the audit trail, as a page and from the command line."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from conftest import ENGINES
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import ClaimLink, ReportSnapshot, Tag
from counterclaim.services import migrations
from counterclaim.services.catalogue import derivations
from counterclaim.services.demo.seed import default_seed_path, load_seed
from counterclaim.services.reports import changes
from counterclaim.services.reports.changes import SinceError
from counterclaim.services.reports.reports import ReportScope
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_source,
    make_tag,
    make_user,
    run_cli,
)


def world(session):
    """A tagged scope with claims, a contradiction, ratings and a source, before a snapshot."""
    mosul = make_tag(session, name="Mosul-changes")
    outside = make_claim(session, text="Outside the scope")
    old = make_claim(session, text="ISIS is collapsing.", tags=[mosul])
    counter = make_claim(session, text="ISIS defends Mosul competently.", tags=[mosul])
    gone = make_link(session, old, counter, relation="contradicts")
    a, b = make_user(session), make_user(session)
    make_assessment(session, old, a, credibility=2)
    make_assessment(session, old, b, credibility=3)
    paper = make_source(session, title="Old paper")
    make_appearance(session, old, paper)
    return locals()


def test_a_change_report_lists_exactly_the_changes_made_after_a_snapshot(session):
    w = world(session)
    scope = ReportScope(tags=("Mosul-changes",))
    snapshot = changes.save_snapshot(session, scope, {"summary": {}}, by=None)
    session.flush()

    new = make_claim(session, text="The army stalled.", tags=[w["mosul"]])
    make_claim(session, text="Unscoped new claim")  # outside the tag: not listed
    session.delete(session.get(ClaimLink, w["gone"].id))
    added = make_link(session, new, w["old"], relation="contradicts")
    make_link(session, new, w["counter"], relation="supports")  # not a contradiction
    make_link(session, w["outside"], make_claim(session), relation="contradicts")  # unscoped
    make_assessment(session, w["old"], w["a"], credibility=5)  # 2,3 → 3,5: moves, disagrees
    w["counter"].status = "retracted"
    video = make_source(session, title="ISIS video")
    make_appearance(session, new, video, stance="origin")
    make_source(session, title="A source carrying nothing in scope")
    derivation = derivations.add_derivation(session, w["paper"], video, "summarises")
    session.flush()

    since, found_snapshot = changes.parse_since(session, str(snapshot.id))
    assert found_snapshot is snapshot
    found = changes.changes_since(session, since, changes.scope_of(snapshot)).as_dict()

    ids = sorted([w["old"].id, w["counter"].id])
    assert found["new_claims"] == [{"claim": new.id, "text": "The army stalled."}]
    assert found["new_contradictions"] == [
        {
            "link": added.id,
            "claim": min(new.id, w["old"].id),
            "counterclaim": max(new.id, w["old"].id),
        }
    ]
    assert found["removed_contradictions"] == [
        {"link": w["gone"].id, "claim": ids[0], "counterclaim": ids[1]}
    ]
    assert found["consensus_moved"] == [
        {"claim": w["old"].id, "text": "ISIS is collapsing.", "from": 2.5, "to": 4.0}
    ]
    assert found["new_disagreements"] == [{"claim": w["old"].id, "text": "ISIS is collapsing."}]
    assert found["retractions"] == [
        {"claim": w["counter"].id, "text": "ISIS defends Mosul competently."}
    ]
    assert found["new_sources"] == [{"source": video.id, "title": "ISIS video"}]
    assert found["new_derivations"] == [
        {"derivation": derivation.id, "source": w["paper"].id, "derived_from": video.id,
         "kind": "summarises"}
    ]  # fmt: skip


def test_nothing_changed_is_an_empty_report(session):
    world(session)
    scope = ReportScope(tags=("Mosul-changes",))
    snapshot = changes.save_snapshot(session, scope, {}, by=None)
    session.flush()
    found = changes.changes_since(session, changes.parse_since(session, str(snapshot.id))[0], scope)
    assert found.total == 0


@pytest.mark.parametrize(
    ("value", "message"),
    [("999999", "no snapshot #999999"), ("yesterday", "neither a snapshot"),
     ("2016-13-01", "neither a snapshot"), ("", "neither a snapshot")],
)  # fmt: skip
def test_a_bad_since_is_refused_with_a_reason(session, value, message):
    with pytest.raises(SinceError, match=message):
        changes.parse_since(session, value)


def test_a_date_means_from_its_first_moment(session):
    since, snapshot = changes.parse_since(session, "2016-11-27")
    assert (since, snapshot) == (datetime(2016, 11, 27, tzinfo=UTC), None)


def test_editors_save_a_snapshot_and_read_the_changes_page(login_as, session):
    world(session)
    session.commit()
    viewer = login_as("viewer")
    assert viewer.post("/reports/snapshots?tag=Mosul-changes").status_code == 403
    editor = login_as("editor")
    answer = editor.post("/reports/snapshots?tag=Mosul-changes")
    assert answer.status_code == 302
    snapshot = session.query(ReportSnapshot).order_by(ReportSnapshot.id.desc()).first()
    assert snapshot.scope == "tag=Mosul-changes"
    assert snapshot.content["summary"]["claims"] == 2
    assert f"/reports/changes?since={snapshot.id}" in answer.headers["Location"]

    make_claim(session, text="After the snapshot <b>", tags=[session.merge(world_tag(session))])
    session.commit()
    page = viewer.get(f"/reports/changes?since={snapshot.id}").get_data(as_text=True)
    assert "After the snapshot &lt;b&gt;" in page
    bad = viewer.get("/reports/changes?since=nonsense")
    assert bad.status_code == 400 and "neither a snapshot" in bad.get_data(as_text=True)


def world_tag(session):
    from counterclaim.models import Tag

    return session.query(Tag).filter_by(name="Mosul-changes").one()


def test_the_page_from_a_date_lists_claims_made_since(client, session):
    make_claim(session, claimant=make_actor(session), text="Made today")
    session.commit()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    page = client.get(f"/reports/changes?since={yesterday}").get_data(as_text=True)
    assert "Made today" in page


def test_json_changes_are_plain_data(session):
    found = changes.changes_since(session, datetime.now(UTC), ReportScope())
    assert json.loads(json.dumps(found.as_dict()))["new_claims"] == []


# --- the command line ----------------------------------------------------------------------


@pytest.fixture(params=ENGINES)
def seeded(request, database_url_factory):
    url = database_url_factory(request.param)
    engine = make_engine(url)
    migrations.upgrade(engine)
    with make_sessionmaker(engine).begin() as session:
        load_seed(session, default_seed_path())
    yield url, engine
    engine.dispose()


def run(url, *args):
    return run_cli(url, "report", *args)


def test_the_cli_saves_a_snapshot_and_reports_changes_since_it(seeded, tmp_path):
    url, engine = seeded
    code, output = run(url, "--tag", "Mosul", "--snapshot", "-o", str(tmp_path / "r.md"))
    assert code == 0, output
    number = int(re.search(r"Saved snapshot #(\d+)", output).group(1))
    code, output = run(url, "--since", str(number), "--format", "json")
    assert code == 0 and json.loads(output)["new_claims"] == []

    with make_sessionmaker(engine).begin() as session:
        mosul = session.query(Tag).filter_by(name="Mosul").one()
        claim = make_claim(session, text="A claim after the snapshot", tags=[mosul])
    code, output = run(url, "--since", str(number), "--format", "json")
    assert [c["claim"] for c in json.loads(output)["new_claims"]] == [claim.id]
    code, output = run(url, "--since", str(number))
    assert code == 0 and output.startswith(f"# Changes since snapshot #{number}")
    assert f"#{claim.id} A claim after the snapshot" in output
    code, output = run(url, "--since", str(number), "--format", "html")
    assert code == 0 and "A claim after the snapshot" in output and "<!doctype html>" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "1", "--format", "pdf"],
         "Error: --since: a change report is Markdown, HTML or JSON, not PDF.\n"),
        (["--since", "1", "--format", "csv"],
         "Error: --since: a change report is Markdown, HTML or JSON, not CSV.\n"),
        (["--since", "4242"], "Error: --since: there is no snapshot #4242.\n"),
        (["--since", "last week"],
         "Error: --since: 'last week' is neither a snapshot number nor a date (YYYY-MM-DD).\n"),
    ],
)  # fmt: skip
def test_the_cli_refuses_what_it_cannot_do_in_one_line(seeded, args, message):
    assert run(seeded[0], *args) == (1, message)
