"""Server time of the workbench's pages beside the same data fetched with raw SQL.

Each page is asked for through Flask's test client (the whole request: routing, forms,
services, SQL, template) and timed; the baseline is the same rows fetched by hand-written
SQL through the driver in the same run, so `×raw` is our own overhead. Also counted: the
SQL statements one request sends (they must not grow with the data).
"""

from markupsafe import escape

from .harness import Context, Measurement
from .pages import list_pages


def run(ctx: Context):
    with ctx.driver() as connection:
        firsts: dict[str, float] = {}
        for page in list_pages(ctx, connection):
            m = _measure(ctx, connection, page.name, page.path, page.raw, page.contains)
            label = page.name.rsplit(", ", 1)[0]
            if page.name.endswith("first page"):
                firsts[label] = m.ours_ms
            elif label in firsts:
                deep = m.ours_ms / firsts[label]
                m.extra["vs first page"] = f"×{deep:.2f}"
                m.checks["deep page ≤ 2× first page"] = deep <= 2
            yield m
        claim_id = ctx.claims // 2
        claim_text = ctx.query(connection, "SELECT text FROM claims WHERE id = ?", (claim_id,))[0][
            0
        ]
        yield _measure(ctx, connection, "claim page", f"/claims/{claim_id}",
                       lambda ctx, conn: claim_page_sql(ctx, conn, claim_id),
                       str(escape(claim_text[:40])))  # fmt: skip
        source_id, title = ctx.query(
            connection,
            "SELECT s.id, s.title FROM claim_sources cs JOIN sources s ON s.id = cs.source_id"
            " WHERE cs.claim_id = ?",
            (claim_id,),
        )[0]
        yield _measure(ctx, connection, "source page", f"/sources/{source_id}",
                       lambda ctx, conn: source_page_sql(ctx, conn, source_id),
                       str(escape(title[:40])))  # fmt: skip
        actor_id, name = ctx.query(
            connection, "SELECT a.id, a.name FROM claims c JOIN actors a ON a.id = c.claimant_id"
            " WHERE c.id = ?", (claim_id,))[0]  # fmt: skip
        yield _measure(ctx, connection, "actor page", f"/actors/{actor_id}",
                       lambda ctx, conn: actor_page_sql(ctx, conn, actor_id),
                       str(escape(name)))  # fmt: skip
        latest = ctx.query(connection, "SELECT max(id) FROM claims")[0][0]
        yield _measure(ctx, connection, "home page", "/", home_page_sql, f'href="/claims/{latest}"')
        m = Measurement(name="home page totals, recounted each minute",
                        ours_ms=ctx.time_ms(lambda: recount(ctx)),
                        raw_ms=ctx.time_ms(lambda: count_sql(ctx, connection)))  # fmt: skip
        m.checks["≤ 3× raw SQL"] = m.ratio <= 3
        yield m


def _measure(ctx: Context, connection, name: str, path: str, raw, contains: str) -> Measurement:
    fetch = ctx.get(path, contains=contains)
    m = Measurement(name=name, ours_ms=ctx.time_ms(fetch), statements=ctx.statements(fetch))
    m.raw_ms = ctx.time_ms(lambda: raw(ctx, connection))
    m.checks["≤ 3× raw SQL"] = m.ratio <= 3
    return m


def claim_page_sql(ctx: Context, c, claim_id: int) -> None:
    """Fetch what a claim's page shows: the claim, its sources, related claims, judgments."""
    q = ctx.query
    q(c, "SELECT cl.*, a.name FROM claims cl JOIN actors a ON a.id = cl.claimant_id"
         " WHERE cl.id = ?", (claim_id,))  # fmt: skip
    q(c, "SELECT t.id, t.name FROM claim_tags ct JOIN tags t ON t.id = ct.tag_id"
         " WHERE ct.claim_id = ? ORDER BY t.name", (claim_id,))  # fmt: skip
    links = q(c, "SELECT id, from_claim_id, to_claim_id, relation, strength, rationale"
                 " FROM claim_links WHERE from_claim_id = ? OR to_claim_id = ? ORDER BY id",
              (claim_id, claim_id))  # fmt: skip
    ids = [claim_id] + [row[2] if row[1] == claim_id else row[1] for row in links]
    marks = ", ".join("?" * len(ids))
    q(c, "SELECT cl.id, cl.text, cl.is_verbatim, cl.stated_on, cl.status, a.id, a.name"
         f" FROM claims cl JOIN actors a ON a.id = cl.claimant_id WHERE cl.id IN ({marks})",  # noqa: S608
      ids)  # fmt: skip
    q(c, "SELECT cs.claim_id, cs.excerpt, cs.locator, cs.stance, s.id, s.title, s.reliability"
         " FROM claim_sources cs JOIN sources s ON s.id = cs.source_id"
         f" WHERE cs.claim_id IN ({marks}) ORDER BY cs.id", ids)  # noqa: S608  # fmt: skip
    q(c, "SELECT x.*, u.display_name FROM assessments x JOIN users u ON u.id = x.analyst_id"
         " WHERE x.claim_id = ? ORDER BY x.id DESC", (claim_id,))  # fmt: skip
    q(c, "SELECT n.*, u.display_name FROM annotations n JOIN users u ON u.id = n.author_id"
         " WHERE n.claim_id = ? ORDER BY n.id", (claim_id,))  # fmt: skip
    # The consensus is computed from the assessments fetched above, as the page does.


def source_page_sql(ctx: Context, c, source_id: int) -> None:
    """Fetch what a source's page shows: the source, the claims it carries, its notes."""
    q = ctx.query
    q(c, "SELECT s.*, a.name FROM sources s LEFT JOIN actors a ON a.id = s.publisher_id"
         " WHERE s.id = ?", (source_id,))  # fmt: skip
    q(c, "SELECT cs.*, cl.text, a.name FROM claim_sources cs JOIN claims cl ON cl.id = cs.claim_id"
         " JOIN actors a ON a.id = cl.claimant_id WHERE cs.source_id = ?"
         " ORDER BY cs.locator, cs.id LIMIT 200", (source_id,))  # fmt: skip
    q(c, "SELECT n.*, u.display_name FROM annotations n JOIN users u ON u.id = n.author_id"
         " WHERE n.source_id = ? ORDER BY n.id", (source_id,))  # fmt: skip


def actor_page_sql(ctx: Context, c, actor_id: int) -> None:
    """Fetch what an actor's page shows: the actor, their latest claims, their sources."""
    q = ctx.query
    q(c, "SELECT * FROM actors WHERE id = ?", (actor_id,))
    q(c, "SELECT id, text, stated_on, status FROM claims WHERE claimant_id = ?"
         " ORDER BY stated_on DESC, id DESC LIMIT 50", (actor_id,))  # fmt: skip
    q(c, "SELECT id, title FROM sources WHERE publisher_id = ? ORDER BY id DESC LIMIT 50",
      (actor_id,))  # fmt: skip


def home_page_sql(ctx: Context, c) -> None:
    """Fetch what the home page fetches on a visit: the latest contradictions and claims."""
    q = ctx.query
    q(c, "SELECT l.id, l.from_claim_id, l.to_claim_id, f.text, fa.name, t.text, ta.name"
         " FROM claim_links l JOIN claims f ON f.id = l.from_claim_id"
         " JOIN actors fa ON fa.id = f.claimant_id JOIN claims t ON t.id = l.to_claim_id"
         " JOIN actors ta ON ta.id = t.claimant_id WHERE l.relation = 'contradicts'"
         " ORDER BY l.id DESC LIMIT 10")  # fmt: skip
    q(c, "SELECT cl.id, cl.text, a.name FROM claims cl JOIN actors a ON a.id = cl.claimant_id"
         " ORDER BY cl.id DESC LIMIT 10")  # fmt: skip


def count_sql(ctx: Context, c) -> None:
    """Count what the home page counts (it does so once a minute, not on every visit)."""
    for table in ("claims", "sources", "actors"):
        ctx.query(c, f"SELECT count(*) FROM {table}")  # noqa: S608
    ctx.query(c, "SELECT count(*) FROM claim_links WHERE relation = 'contradicts'")


def recount(ctx: Context) -> None:
    """Count the home page's totals as the workbench does when they are a minute old."""
    from counterclaim.services import overview

    with ctx.app().app_context():
        from counterclaim.web.database import get_session

        overview.count_totals(get_session())
