"""The home page and the vocabulary reference."""

from flask import Blueprint, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from counterclaim.models import Actor, Claim, ClaimLink, Source, contested_claims

from ..access import requires
from ..database import get_session

bp = Blueprint("main", __name__)


@bp.get("/")
@requires("viewer")
def index():
    session = get_session()
    totals = {
        "claims": session.scalar(select(func.count()).select_from(Claim)),
        "sources": session.scalar(select(func.count()).select_from(Source)),
        "actors": session.scalar(select(func.count()).select_from(Actor)),
        "contradictions": session.scalar(
            select(func.count()).where(ClaimLink.relation == "contradicts")
        ),
    }
    contested = session.execute(
        select(contested_claims)
        .order_by(contested_claims.c.contradictions.desc(), contested_claims.c.claim_id)
        .limit(10)
    ).all()
    recent = session.scalars(
        select(Claim).options(joinedload(Claim.claimant)).order_by(Claim.id.desc()).limit(10)
    )
    return render_template("main/index.html", totals=totals, contested=contested, recent=recent)


@bp.get("/vocabulary")
@requires("viewer")
def vocabulary():
    return render_template("main/vocabulary.html")
