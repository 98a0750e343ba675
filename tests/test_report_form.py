"""The reports form counts a scope before the report is made; the PDF button says why it
is off above the limit; graph nodes carry short labels and link to their claims."""

from counterclaim.report_formats import pdf
from factories import make_actor, make_claim, make_link


def test_count_first_shows_the_scopes_numbers(client, session):
    actor = make_actor(session, name="Counted claimant")
    a, b = make_claim(session, claimant=actor), make_claim(session)
    make_link(session, a, b)
    session.commit()
    page = client.get("/reports/", query_string={"actor": actor.id, "count": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This scope holds 1 claim</strong>" in html and "1 contradiction pair;" in html


def test_the_pdf_button_is_off_above_the_limit(client, session, monkeypatch):
    a = make_claim(session)
    for _ in range(3):
        make_link(session, a, make_claim(session))
    session.commit()
    page = client.get("/reports/report", query_string={"claim": a.id}).get_data(as_text=True)
    assert 'disabled aria-describedby="pdf-reason"' not in page
    monkeypatch.setattr(pdf, "MAX_PAIRS", 2)
    page = client.get("/reports/report", query_string={"claim": a.id}).get_data(as_text=True)
    assert 'disabled aria-describedby="pdf-reason"' in page and "No PDF above 2" in page


def test_graph_nodes_are_labelled_and_link_to_their_claims(client, session):
    a = make_claim(session, claimant=make_actor(session, name="A very long claimant name"))
    make_link(session, a, make_claim(session))
    session.commit()
    page = client.get("/reports/report", query_string={"claim": a.id}).get_data(as_text=True)
    graph = page.split('class="contradiction-graph"', 1)[1].split("</svg>", 1)[0]
    assert f'<a href="/claims/{a.id}">' in graph
    assert f"#{a.id} A very long cla…" in graph


def test_the_claimant_is_picked_by_searching_not_from_every_actor(client, session):
    for n in range(60):
        make_actor(session, name=f"Filler actor {n}")
    abadi = make_actor(session, name="Zz Haider al-Abadi")
    session.commit()
    first = client.get("/reports/").get_data(as_text=True)
    assert f'value="{abadi.id}"' not in first  # past the first page of choices
    found = client.get("/reports/", query_string={"actor_q": "abadi", "find": "actor"})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and f'value="{abadi.id}"' in html and "Filler" not in html
