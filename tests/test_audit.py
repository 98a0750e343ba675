"""The audit trail: every create, update and delete of every entity is a revision, written
in the same transaction; history pages, deleted rows, restore."""

import pytest
from sqlalchemy import func, select

from counterclaim.models import Claim, Revision, SavedQuery, Source
from counterclaim.models.audit import AUDITED, HIDDEN, snapshot
from counterclaim.services.accounts import history
from counterclaim.services.catalogue import tags
from counterclaim.services.errors import NotAllowed
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


def make_saved_query(session, **overrides):
    query = SavedQuery(**{"name": "Contested", "sql": "SELECT 1", **overrides})
    session.add(query)
    session.flush()
    return query


# entity → (factory, field to edit, its new value)
KINDS = {
    "actors": (make_actor, "description", "Edited."),
    "sources": (make_source, "title", "Edited title"),
    "claims": (make_claim, "text", "Edited claim."),
    "claim_sources": (make_appearance, "excerpt", "an edited excerpt"),
    "claim_links": (make_link, "rationale", "Edited rationale."),
    "assessments": (make_assessment, "rationale", "Edited rationale."),
    "annotations": (make_note, "body", "Edited note."),
    "tags": (make_tag, "description", "Edited."),
    "users": (make_user, "display_name", "Edited Name"),
    "saved_queries": (make_saved_query, "description", "Edited."),
    "reviews": (make_review, "verdict", "Mostly False"),
    "actor_aliases": (make_actor_alias, "alias", "Edited alias"),
    "relation_mappings": (make_relation_mapping, "relation", "contradicts"),
    "source_derivations": (make_derivation, "kind", "cites"),
    "claim_outcomes": (make_outcome, "rationale", "Revised: the video was seen."),
    "report_snapshots": (make_snapshot, "scope", "tag=Raqqa"),
}


def revisions_of(session, record) -> list[Revision]:
    entity = record.__tablename__
    return history.history(session, entity, record.id)


def test_every_audited_entity_is_covered():
    assert set(KINDS) == {model.__tablename__ for model in AUDITED}


@pytest.mark.parametrize("entity", sorted(KINDS))
def test_create_update_delete_each_write_a_revision_by_the_acting_user(session, entity):
    factory, field, value = KINDS[entity]
    actor = make_user(session, role="editor")
    session.info["user_id"] = actor.id
    record = factory(session)
    record_id, before = record.id, getattr(record, field)
    created = snapshot(record)
    setattr(record, field, value)
    session.flush()
    session.delete(record)
    session.flush()

    found = history.history(session, entity, record_id)
    assert [r.action for r in found] == ["create", "update", "delete"]
    assert all(r.user_id == actor.id for r in found)
    assert {k: new for k, (old, new) in found[0].changes.items()} == created
    assert all(old is None for old, _new in found[0].changes.values())
    assert found[1].changes == {field: [before, value]}
    deleted = {k: old for k, (old, new) in found[2].changes.items()}
    assert deleted == {**created, field: value}  # the deleted row stays readable
    assert history.replay(found) is None
    assert history.replay(found[:2]) == {**created, field: value}


def test_revisions_roll_back_with_the_change(session):
    nested = session.begin_nested()
    claim = make_claim(session)
    claim_id = claim.id
    nested.rollback()
    assert history.history(session, "claims", claim_id) == []


def test_a_save_that_changes_nothing_writes_no_revision(session):
    claim = make_claim(session)
    claim.text = claim.text
    session.flush()
    assert [r.action for r in revisions_of(session, claim)] == ["create"]


def test_the_secret_columns_are_the_password_hash_and_the_session_token():
    from counterclaim.models import audit

    hidden = set(audit.SECRET)
    assert hidden == {"password_hash", "session_token"}


def test_secrets_are_marked_changed_but_never_recorded(session):
    user = make_user(session, password_hash="$argon2id$secret")
    user.end_sessions()
    session.flush()
    created, updated = revisions_of(session, user)
    assert created.changes["password_hash"] == [None, HIDDEN]
    assert updated.changes == {"session_token": [HIDDEN, HIDDEN]}
    assert "argon2" not in str(created.changes)


def test_a_claims_tags_are_part_of_its_history(session):
    first, second = make_tag(session, name="Mosul"), make_tag(session, name="Raqqa")
    claim = make_claim(session, tags=[first])
    claim.tags = [first, second]
    session.flush()
    tags.delete_tag(session, first)
    changes = [r.changes.get("tags") for r in revisions_of(session, claim)]
    ids = sorted([first.id, second.id])
    assert changes == [[None, [first.id]], [[first.id], ids], [ids, [second.id]]]


def test_created_by_is_stamped_from_the_acting_user_and_never_overwritten(session):
    author, other = make_user(session), make_user(session)
    session.info["user_id"] = author.id
    claim = make_claim(session)
    explicit = make_claim(session, created_by=other.id)
    assert (claim.created_by, explicit.created_by) == (author.id, other.id)


# --- the history pages ---------------------------------------------------------------------


def test_the_history_page_shows_each_change_as_a_diff(client, session):
    claim = make_claim(session, text="ISIS is collapsing.")
    session.commit()
    data = {"text": "ISIS is collapsing fast.", "claimant_id": claim.claimant_id,
            "status": "under_review", "version": claim.version}  # fmt: skip
    assert client.post(f"/claims/{claim.id}/edit", data=data).status_code == 302
    page = client.get(f"/history/claims/{claim.id}").get_data(as_text=True)
    assert "Updated" in page and "Created" in page
    assert '<td class="old">ISIS is collapsing.</td>' in page
    assert '<td class="new">ISIS is collapsing fast.</td>' in page
    assert f"by {client.user}" in page
    assert 'href="/history/claims/' in client.get(f"/claims/{claim.id}").get_data(as_text=True)


def test_a_deleted_record_stays_readable_in_its_history(client, session):
    source = make_source(session, title="A vanished source", author="K. Writer")
    session.commit()
    assert client.post(f"/sources/{source.id}/delete").status_code == 302
    assert client.get(f"/sources/{source.id}").status_code == 404
    page = client.get(f"/history/sources/{source.id}").get_data(as_text=True)
    assert "was deleted" in page and "A vanished source" in page and "K. Writer" in page
    recent = client.get("/history/?action=delete").get_data(as_text=True)
    assert f"/history/sources/{source.id}" in recent


def test_the_history_of_a_record_never_seen_is_404(client):
    assert client.get("/history/claims/987654").status_code == 404
    assert client.get("/history/passwords/1").status_code == 404


# --- restore -------------------------------------------------------------------------------


def _edited_claim(session):
    tag = make_tag(session)
    claim = make_claim(session, text="First wording.", status="open", tags=[tag])
    claim.text, claim.status, claim.tags = "Second wording.", "under_review", []
    session.flush()
    claim.text = "Third wording."
    session.commit()
    return claim, tag


def test_an_editor_restores_an_earlier_version_and_the_restore_is_a_revision(client, session):
    claim, tag = _edited_claim(session)
    created = revisions_of(session, claim)[0]
    version = claim.version
    url = f"/history/claims/{claim.id}/restore/{created.id}"
    preview = client.get(url)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "After the restore" in page
    assert "Third wording." in page and "First wording." in page and tag.name in page
    session.refresh(claim)
    assert claim.text == "Third wording."  # asking changes nothing
    assert client.post(url, data={"version": str(version)}).status_code == 302
    session.refresh(claim)
    assert (claim.text, claim.status, [t.id for t in claim.tags]) == (
        "First wording.", "open", [tag.id],
    )  # fmt: skip
    assert claim.version == version + 1
    last = revisions_of(session, claim)[-1]
    assert last.action == "restore" and last.user_id == client.user.id
    assert last.changes["text"] == ["Third wording.", "First wording."]


def test_a_restore_without_the_previewed_version_or_after_a_save_changes_nothing(client, session):
    claim, _tag = _edited_claim(session)
    created = revisions_of(session, claim)[0]
    url = f"/history/claims/{claim.id}/restore/{created.id}"
    previewed = claim.version
    assert client.post(url).status_code == 400
    claim.status = "settled"  # a colleague saves meanwhile
    session.commit()

    response = client.post(url, data={"version": str(previewed)})

    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone saved this record since" in page and "settled" in page
    session.refresh(claim)
    assert (claim.text, claim.status) == ("Third wording.", "settled")


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_only_an_editor_may_restore(login_as, session, role):
    claim, _tag = _edited_claim(session)
    first = revisions_of(session, claim)[0]
    response = login_as(role).post(f"/history/claims/{claim.id}/restore/{first.id}")
    assert response.status_code == 403
    assert session.scalar(select(Claim.text).where(Claim.id == claim.id)) == "Third wording."


def test_restore_refusals_are_explained(session):
    claim, _tag = _edited_claim(session)
    revisions = revisions_of(session, claim)
    with pytest.raises(NotAllowed, match="already as it was"):
        history.restore(session, "claims", claim.id, revisions[-1].id)
    with pytest.raises(NotAllowed, match="no revision"):
        history.restore(session, "claims", claim.id, 987654)
    with pytest.raises(NotAllowed, match="Only claims and sources"):
        history.restore(session, "actors", claim.claimant_id, revisions[0].id)
    source = make_source(session)
    source_id, created = source.id, revisions_of(session, source)[0]
    session.delete(source)
    session.flush()
    with pytest.raises(NotAllowed, match="deleted"):
        history.restore(session, "sources", source_id, created.id)


def test_restoring_a_version_whose_publisher_is_gone_is_refused(session):
    publisher = make_actor(session)
    source = make_source(session, publisher=publisher)
    created = revisions_of(session, source)[0]
    source.publisher_id = None
    session.flush()
    session.delete(publisher)
    session.flush()
    with pytest.raises(NotAllowed, match="publisher no longer exists"):
        history.restore(session, "sources", source.id, created.id)


def test_no_bulk_statement_touches_an_audited_table():
    """Bulk UPDATE/DELETE would skip the trail: the services use the ORM for changes."""
    import ast
    from pathlib import Path

    services = Path(__file__).resolve().parent.parent / "src" / "counterclaim" / "services"
    offenders = []
    for path in sorted(services.rglob("*.py")):  # the capability packages too
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {
                    "update",
                    "delete",
                }:
                    offenders.append(f"{path.relative_to(services)}::{function.name}")
    # A dump writes rows under the ids and revisions it names (revisions included), then
    # fills self-references in with one UPDATE per column (services/exchange/dump.py).
    assert offenders == ["exchange/dump.py::_fill_self_references"]


def test_the_seed_load_is_audited(session):
    from counterclaim.services.demo import seed

    before = session.scalar(select(func.count()).select_from(Revision))
    report = seed.load_seed(session, seed.default_seed_path())
    after = session.scalar(select(func.count()).select_from(Revision))
    assert after - before >= report.total - report.created["claim_tags"]
    assert session.scalar(select(func.count()).where(Revision.entity == Source.__tablename__))


def test_the_history_of_accounts_is_for_admins_only(login_as, session):
    user = make_user(session, display_name="Secret Agent")
    session.commit()
    editor, admin = login_as("editor"), login_as("admin")
    assert editor.get(f"/history/users/{user.id}").status_code == 403
    assert "Secret Agent" not in editor.get("/history/").get_data(as_text=True)
    assert "Secret Agent" in admin.get(f"/history/users/{user.id}").get_data(as_text=True)
    assert "Secret Agent" in admin.get("/history/?entity=users").get_data(as_text=True)
