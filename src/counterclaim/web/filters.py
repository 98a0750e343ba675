"""Template filters and the vocabularies every template may show."""

from flask import Flask, request, url_for
from markupsafe import Markup

from counterclaim.models import vocabulary
from counterclaim.services.accounts.history import REFERENCES, changes_of
from counterclaim.services.claims import consensus
from counterclaim.services.claims.notes import render_markdown

from .access import may_change
from .edits import shown


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.add_template_filter(_markdown, "markdown")
    app.add_template_global(_url_with, "url_with")
    app.add_template_global(may_change, "may_change")
    app.add_template_global(changes_of, "service_changes")
    app.add_template_global(shown, "shown")
    app.add_template_global(
        {name: (label, model.__tablename__) for name, (label, model, _) in REFERENCES.items()},
        "history_references",
    )
    app.add_template_filter(consensus.meaning, "credibility_meaning")
    app.jinja_env.tests["http_url"] = _is_http_url
    app.context_processor(lambda: {"vocab": vocabulary})


def _is_http_url(value) -> bool:
    """Tell whether a stored address may become a link: http(s) only, never javascript:."""
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _markdown(body: str) -> Markup:
    return Markup(render_markdown(body))  # noqa: S704 - sanitised by nh3 in render_markdown


def _url_with(**changes) -> str:
    """Return the current page's URL with some query parameters changed or dropped."""
    args = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)
