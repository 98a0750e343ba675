"""The import page: upload, dry run with counts and problems, then import; editors only."""

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counterclaim.models import Actor, Claim, Review, VerdictMapping
from counterclaim.web.access import required_role
from factories import make_actor, make_claim

DATA = Path(__file__).parent / "data" / "exchange"


@pytest.fixture
def app(app, tmp_path):
    app.instance_path = str(tmp_path)  # uploads wait here between the dry run and the import
    return app


def upload(client, name, data=None, **fields):
    data = (DATA / name).read_bytes() if data is None else data
    form = {"file": (io.BytesIO(data), name), "entity": "claims", "dates": "iso", **fields}
    return client.post("/exchange/import", data=form, content_type="multipart/form-data")


def claims(session) -> int:
    return session.scalar(select(func.count()).select_from(Claim))


def token_of(page: str) -> str:
    return re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)


def test_the_import_page_is_for_editors(app, client):
    assert required_role(app.view_functions["exchange.upload"]) == "editor"
    assert required_role(app.view_functions["exchange.confirm"]) == "editor"
    page = client.get("/exchange/import")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.get_data(as_text=True)


def test_a_dry_run_shows_counts_per_entity_then_the_import_writes_them(client, session):
    checked = upload(client, "factcheck-api-response.json")

    page = checked.get_data(as_text=True)
    assert checked.status_code == 200
    assert "<td>claims</td><td>3</td>" in page
    assert "<td>reviews</td><td>4</td>" in page
    assert "Mostly accurate, with some exaggeration" in page  # an unmapped verdict, shown
    assert claims(session) == 0

    done = client.post("/exchange/import/confirm", data={"token": token_of(page)})

    assert done.status_code == 302
    assert claims(session) == 3
    assert session.scalar(select(func.count()).select_from(Review)) == 4
    followed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Created" in followed and "3 claims" in followed
    again = client.post("/exchange/import/confirm", data={"token": token_of(page)})
    assert again.status_code == 302 and claims(session) == 3  # the upload was used up


def test_problems_are_listed_and_the_import_is_not_offered(client, session):
    data = b"text,stated_on\nMosul airport taken,2016-11-01\nNo date,sometime\n"
    page = upload(client, "claims.csv", data).get_data(as_text=True)
    assert "line 3, stated_on: &#39;sometime&#39; is not a date" in page
    assert "would be refused" in page and 'name="token"' not in page
    assert claims(session) == 0


def test_skipping_invalid_records_offers_the_import_of_the_rest(client, session):
    data = b"text,stated_on\nMosul airport taken,2016-11-01\nNo date,sometime\n"
    page = upload(client, "claims.csv", data, skip_invalid="y").get_data(as_text=True)
    client.post("/exchange/import/confirm", data={"token": token_of(page)})
    assert claims(session) == 1


@pytest.mark.parametrize(
    ("name", "data", "fields", "message"),
    [
        ("broken.json", b'{"claims": [', {}, "broken.json: broken JSON at line 1, column 13"),
        ("latin.csv", "text\nMossoul été\n".encode("latin-1"), {}, "latin.csv is not UTF-8"),
        ("c.csv", b"Claim\nX\n", {"columns": "text=Claim\nclaimant=Who"},
         "the column &#39;Who&#39; (mapped to claimant) is not in the header"),
    ],
)  # fmt: skip
def test_a_bad_file_gets_its_message_next_to_the_field(client, session, name, data, fields,
                                                       message):  # fmt: skip
    response = upload(client, name, data, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert claims(session) == 0


def test_a_file_over_the_upload_limit_is_refused(app, client, session):
    app.config["IMPORT_UPLOAD_MAX_BYTES"] = 1024
    response = upload(client, "big.csv", b"text\n" + b"x" * 4096 + b"\n")
    assert response.status_code == 413
    assert "over the import limit of 1.0 KiB" in response.get_data(as_text=True)


def test_latin1_imports_when_the_encoding_is_named(client, session):
    data = "text,claimant\nMossoul: la bataille de l'été,AFP\n".encode("cp1252")
    page = upload(client, "c.csv", data, encoding="cp1252").get_data(as_text=True)
    client.post("/exchange/import/confirm", data={"token": token_of(page)})
    assert session.scalars(select(Claim.text)).all() == ["Mossoul: la bataille de l'été"]


def test_an_unknown_upload_is_refused_with_a_message(client):
    response = client.post("/exchange/import/confirm", data={"token": "0" * 32},
                           follow_redirects=True)  # fmt: skip
    assert "expired or was already imported" in response.get_data(as_text=True)


def test_the_import_needs_a_csrf_token(csrf_app):
    data = {"file": (io.BytesIO(b"text\nx\n"), "c.csv")}
    response = csrf_app.test_client().post(
        "/exchange/import", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400


def test_the_verdict_mapping_page_lists_defaults_and_editors_change_it(app, client, session):
    assert required_role(app.view_functions["exchange.verdicts"]) == "viewer"
    assert required_role(app.view_functions["exchange.map_verdict"]) == "editor"
    assert required_role(app.view_functions["exchange.unmap_verdict"]) == "editor"
    page = client.get("/exchange/verdicts").get_data(as_text=True)
    assert '<td dir="auto">Pants on Fire</td>' in page and '<td dir="auto">مضلل</td>' in page

    saved = client.post("/exchange/verdicts", data={"verdict": "Misleading!", "credibility": "5",
                                                    "note": "Desk rule"})  # fmt: skip
    assert saved.status_code == 302
    row = session.scalars(select(VerdictMapping)).one()
    assert (row.verdict, row.label, row.credibility) == ("misleading", "Misleading!", 5)

    client.post("/exchange/verdicts/remove", data={"verdict": "misleading"})
    assert session.scalars(select(VerdictMapping)).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verdict": "", "credibility": "3"}, "This field is required."),
        ({"verdict": "!!!", "credibility": "3"}, "at least one letter or digit"),
        ({"verdict": "x", "credibility": "9"}, "Not a valid choice"),
    ],  # fmt: skip
)
def test_a_bad_verdict_mapping_is_refused_next_to_the_field(client, session, data, message):
    response = client.post("/exchange/verdicts", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert session.scalars(select(VerdictMapping)).all() == []


def test_the_page_imports_nested_json_lines_with_each_set_and_tags(client, session):
    checked = upload(
        client, "reviews-nested.jsonl", columns="text=claim\nverdict=@.rating\nreview_url=@.url",
        each="reviews", constants="reviewer=Desk import", add_tags="desk, 2023",
    )  # fmt: skip
    page = checked.get_data(as_text=True)
    assert checked.status_code == 200, page
    assert "<td>claims</td><td>4</td>" in page and "<td>reviews</td><td>5</td>" in page
    done = client.post("/exchange/import/confirm", data={"token": token_of(page)})
    assert done.status_code == 302 and claims(session) == 4
    tagged = session.scalars(select(Claim)).first()
    assert sorted(t.name for t in tagged.tags) == ["2023", "desk"]


def test_a_bad_set_line_is_refused_next_to_the_file(client, session):
    page = upload(client, "reviews-nested.jsonl", constants="colour=red").get_data(as_text=True)
    assert "unknown field &#39;colour&#39;" in page and claims(session) == 0


def test_an_editor_re_maps_stored_reviews_and_sees_the_unmapped(app, client, session):
    assert required_role(app.view_functions["exchange.reapply_verdicts"]) == "editor"
    upload_page = upload(client, "factcheck-api-response.json").get_data(as_text=True)
    client.post("/exchange/import/confirm", data={"token": token_of(upload_page)})
    page = client.get("/exchange/verdicts").get_data(as_text=True)
    assert '<td dir="auto">Mostly accurate, with some exaggeration</td><td>1</td>' in page

    client.post("/exchange/verdicts", data={"verdict": "Mostly accurate, with some exaggeration",
                                            "credibility": "2"})  # fmt: skip
    done = client.post("/exchange/verdicts/reapply")
    assert done.status_code == 302
    review = session.scalars(select(Review).where(Review.verdict.like("Mostly accurate%"))).one()
    assert (review.credibility, review.mapping_origin) == (2, "team")
    page = client.get("/exchange/verdicts").get_data(as_text=True)
    assert "Every stored review's verdict is mapped." in page


def test_a_viewer_cannot_re_map(login_as):
    assert login_as("viewer").post("/exchange/verdicts/reapply").status_code == 403


def test_the_claim_page_shows_the_fact_checkers_verdicts_apart(client, session):
    upload_page = upload(client, "factcheck-api-claims-array.json").get_data(as_text=True)
    client.post("/exchange/import/confirm", data={"token": token_of(upload_page)})
    claim = session.scalars(
        select(Claim).where(Claim.text.like("Electricity in Mosul%"))
    ).one()  # fmt: skip
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    section = page[page.index('<section id="reviews">') : page.index('<section id="assessments">')]
    assert (
        "Tigris Check" in section and "خبر كاذب" in section and "maps to 5, improbable" in section
    )
    assert "Not assessed yet." in page  # fact-checkers are not analysts


def test_an_editor_adds_a_name_and_merges_a_duplicate_actor(app, client, session):
    assert required_role(app.view_functions["exchange.merge"]) == "editor"
    keep = make_actor(session, name="Haider al-Abadi")
    other = make_actor(session, name="حيدر العبادي")
    claim = make_claim(session, claimant=other)
    session.commit()
    keep_id, other_id, claim_id = keep.id, other.id, claim.id

    added = client.post(f"/exchange/actors/{keep.id}/names", data={"alias": "H. al-Abadi"})
    assert added.status_code == 302
    asked = client.post(f"/exchange/actors/{keep.id}/merge", data={"other_id": other.id})
    assert asked.status_code == 200 and "Merge “حيدر العبادي” into" in asked.get_data(as_text=True)
    assert session.get(Actor, other.id) is not None  # only asked
    done = client.post(f"/exchange/actors/{keep.id}/merge",
                       data={"other_id": other.id, "confirmed": "yes"})  # fmt: skip
    assert done.status_code == 302
    session.expunge_all()
    assert session.get(Actor, other_id) is None
    assert session.get(Claim, claim_id).claimant_id == keep_id
    page = client.get(f"/actors/{keep_id}").get_data(as_text=True)
    assert "Also known as" in page and "H. al-Abadi" in page and "حيدر العبادي" in page

    data = "text,claimant\nIraq is winning,حيدر العبادي\n".encode()
    page = upload(client, "a.csv", data).get_data(as_text=True)
    assert "<td>actors</td>" not in page  # the alias matched: no new actor


@pytest.mark.parametrize(
    ("other_id", "message"),
    [("", "This field is required"), ("987654", "There is no actor #987654.")],
)
def test_a_bad_merge_is_refused_next_to_the_field(client, session, other_id, message):
    keep = make_actor(session)
    session.commit()
    page = client.post(f"/exchange/actors/{keep.id}/merge", data={"other_id": other_id})
    assert page.status_code == 400 and message in page.get_data(as_text=True)


def test_merging_an_actor_into_itself_is_refused(client, session):
    keep = make_actor(session)
    session.commit()
    page = client.post(f"/exchange/actors/{keep.id}/merge",
                       data={"other_id": keep.id, "confirmed": "yes"})  # fmt: skip
    assert page.status_code == 400
    assert "cannot be merged into itself" in page.get_data(as_text=True)
