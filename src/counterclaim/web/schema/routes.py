"""The data dictionary: every table, view and column, the vocabularies, the diagram."""

from flask import Blueprint, Response, render_template

from counterclaim.services.research.er_diagram import er_diagram_svg
from counterclaim.services.research.schema import data_dictionary

from ..access import requires
from ..database import get_session

bp = Blueprint("schema", __name__, url_prefix="/schema")


@bp.get("/")
@requires("viewer")
def index():
    dictionary = data_dictionary(get_session().connection())
    return render_template("schema/index.html", dictionary=dictionary)


@bp.get("/diagram.svg")
@requires("viewer")
def diagram():
    dictionary = data_dictionary(get_session().connection())
    svg = er_diagram_svg([table for table in dictionary.tables if table.present])
    return Response(svg, mimetype="image/svg+xml")
