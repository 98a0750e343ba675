"""The exchange area's blueprint, which the import views (routes.py) and the actor-name
views (aliases.py) both join."""

from flask import Blueprint

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
