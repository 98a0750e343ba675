"""The README stays true: every command and option, every setting and every research view
that the code has is documented there, and no section was doubled by a merge.

In the way Datasette tests its documentation: the lists come from the code (click's
commands, the environment the settings read, the view metadata), never from a copy.
"""

import os
import re
from pathlib import Path

import click
import pytest

from counterclaim import config
from counterclaim.cli import main as cli
from counterclaim.models.views import view_metadata

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The text of the README's `## title` section."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.S | re.M)
    assert match, f"the README has no '## {title}' section"
    return match.group(1)


def _commands(group: click.Group, path=()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


COMMANDS = dict(_commands(cli))


def _cli_rows() -> dict[str, str]:
    """Each row of the CLI table, by the command it starts with."""
    rows = {}
    for line in _section("The CLI").splitlines():
        match = re.match(r"\| `counterclaim ((?:[a-z][a-z-]*(?: |`))+)", line)
        if match:
            words = match.group(1).rstrip("`").split()
            for length in range(len(words), 0, -1):
                if " ".join(words[:length]) in COMMANDS:
                    rows[" ".join(words[:length])] = line
                    break
    return rows


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_a_row_in_the_cli_table(name):
    assert name in _cli_rows(), f"`counterclaim {name}` is missing from the README's CLI table"


@pytest.mark.parametrize(
    ("name", "option"),
    [
        (name, option)
        for name, command in sorted(COMMANDS.items())
        for parameter in command.params
        if isinstance(parameter, click.Option) and not parameter.hidden
        for option in parameter.opts
        if option.startswith("--")
    ],
)
def test_every_option_appears_in_its_commands_row(name, option):
    row = _cli_rows().get(name, "")
    assert re.search(rf"{re.escape(option)}(?![\w-])", row), (
        f"`counterclaim {name} {option}` is not in its row of the README's CLI table"
    )


class _RecordingEnvironment(dict):
    """os.environ's stand-in that remembers every name asked for."""

    def __init__(self, real):
        super().__init__(real)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.asked.add(key)
        return super().__contains__(key)


def _settings_read_by_the_code(monkeypatch, tmp_path) -> set[str]:
    environment = _RecordingEnvironment(os.environ)
    monkeypatch.setattr(os, "environ", environment)
    config.from_environment(tmp_path)
    config.instance_path()
    named = {
        name
        for folder in ("src", "tests")
        for path in (ROOT / folder).rglob("*.py")
        for name in re.findall(r"COUNTERCLAIM_[A-Z0-9_]*[A-Z0-9]", path.read_text("utf-8"))
    }
    return {n for n in environment.asked if n.startswith("COUNTERCLAIM_")} | named


def test_every_setting_the_code_reads_is_in_the_settings_table(monkeypatch, tmp_path):
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", _section("Settings"), re.M))
    missing = _settings_read_by_the_code(monkeypatch, tmp_path) - documented
    assert not missing, f"settings read by the code but not in the README: {sorted(missing)}"


def test_every_documented_setting_is_read_by_the_code(monkeypatch, tmp_path):
    documented = set(re.findall(r"`(COUNTERCLAIM_[A-Z0-9_]+)`", README))
    unread = documented - _settings_read_by_the_code(monkeypatch, tmp_path)
    assert not unread, f"the README documents settings nothing reads: {sorted(unread)}"


@pytest.mark.parametrize("view", sorted(view_metadata.tables))
def test_every_research_view_and_its_columns_are_documented(view):
    table = view_metadata.tables[view]
    match = re.search(rf"`{view}\(([^)]*)\)`", README)
    assert match, f"the research view {view} is not in the README's data dictionary"
    listed = {c.strip() for c in match.group(1).replace("\n", " ").split(",")}
    assert {c.name for c in table.columns} <= listed, f"{view}: columns missing in the README"


def test_no_line_is_repeated_word_for_word():
    lines = [line for line in README.splitlines() if len(line) > 30]
    doubled = sorted({line for line in lines if lines.count(line) > 1})
    assert not doubled, f"lines a merge may have doubled: {doubled[:5]}"


SERVICES = ROOT / "src" / "counterclaim" / "services"


def _expand(path: str) -> list[str]:
    """`services/x/{a,b}.py` -> the paths it names."""
    match = re.search(r"\{([^}]*)\}", path)
    if not match:
        return [path]
    return [path[: match.start()] + part + path[match.end() :] for part in match[1].split(",")]


@pytest.mark.parametrize(
    "path",
    sorted({p for m in re.findall(r"`(services/[\w/{},]+\.py)", README) for p in _expand(m)}),
)
def test_every_service_module_the_readme_names_exists(path):
    assert (ROOT / "src" / "counterclaim" / path).is_file(), f"README names {path}"


@pytest.mark.parametrize(
    "package", sorted(p.name for p in SERVICES.iterdir() if (p / "__init__.py").is_file())
)
def test_every_services_package_is_in_the_architecture_tree(package):
    assert re.search(rf"^ {{4}}{package}/ ", _section("Architecture"), re.M), package
