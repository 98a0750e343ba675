"""The SQL console's page: the schema beside the editor, ids linked to their pages, and a
field for each :name parameter (without script, after Run)."""

import pytest

from research import TIME_LIMIT


@pytest.fixture
def sql_client(app, client, research):
    """The client, its console reading the seeded research database."""
    app.config.update(
        DATABASE_URL=research.url, READONLY_DATABASE_URL=research.readonly_url,
        SQL_TIME_LIMIT=TIME_LIMIT,
    )  # fmt: skip
    return client


def test_the_schema_sidebar_lists_tables_views_and_meanings(client):
    page = client.get("/sql/").get_data(as_text=True)
    sidebar = page.split('class="sidebar schema-sidebar"', 1)[1].split("</aside>", 1)[0]
    assert "<code>claims</code>" in sidebar and "<code>claim_contradictions</code>" in sidebar
    assert "<code>stated_on</code>" in sidebar
    assert "password_hash" not in sidebar


def test_ids_in_results_link_to_their_pages(sql_client, research):
    ((claim_id, claimant_id),) = research.query(
        "SELECT id, claimant_id FROM claims ORDER BY id LIMIT 1"
    )
    sql = f"SELECT id AS claim_id, claimant_id, id FROM claims WHERE id = {claim_id}"
    page = sql_client.get("/sql/", query_string={"sql": sql}).get_data(as_text=True)
    assert f'<td><a href="/claims/{claim_id}">{claim_id}</a></td>' in page
    assert f'<td><a href="/actors/{claimant_id}">{claimant_id}</a></td>' in page
    assert f"<td>{claim_id}</td>" in page  # a bare id names no table: not linked


def test_without_script_run_brings_the_parameter_fields(client):
    sql = "SELECT id FROM claims WHERE status = :status AND id > :after"
    page = client.get("/sql/", query_string={"sql": sql}).get_data(as_text=True)
    assert 'name="p-status"' in page and 'name="p-after"' in page
    assert "fill them in, then run it" in page
