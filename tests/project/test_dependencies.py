"""The dependency files agree (docs/dependencies.md): requirements.lock pins
exactly the assistant's tree and no development tool; requirements-dev.lock
pins the tools' tree on top of it; pyproject.toml's [project] names the same
direct dependencies and the version of the file VERSION."""

from __future__ import annotations

import functools
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import tomli
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
# What pip freeze leaves out of a lock (make lock: --exclude).
UNPINNED = {"pip", "setuptools", "wheel"}
# Tools of the tests, lint and types: never in the production lock.
DEVELOPMENT_TOOLS = {"pytest", "pytest-cov", "coverage", "hypothesis", "playwright", "pypdf", "ruff", "mypy"}


def name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def direct(path: Path) -> dict[str, str]:
    """name -> specifier of a requirements*.in file."""
    requirements = [Requirement(line) for line in requirement_lines(path)]
    return {name(requirement.name): str(requirement.specifier) for requirement in requirements}


def pins(path: Path) -> dict[str, str]:
    """name -> version of a lock, its `-r` includes left out."""
    pinned = {}
    for line in requirement_lines(path):
        if line.startswith("-r "):
            continue
        package, version = line.split("==")
        pinned[name(package)] = version
    return pinned


@functools.cache
def requires(package: str, extra: str) -> list[Requirement]:
    """What an installed distribution needs, with this extra or none."""
    try:
        lines = distribution(package).requires or []
    except PackageNotFoundError:
        return []
    needed = []
    for line in lines:
        # (packaging 20.9 parses slowly: skip the other extras' lines unparsed)
        marker = line.partition(";")[2]
        if "extra" in marker and not extra:
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
            needed.append(requirement)
    return needed


def tree(roots: list[str]) -> set[str]:
    """The installed distributions these requirements need, transitively."""
    seen: set[tuple[str, str]] = set()
    pending = [Requirement(root) for root in roots]
    while pending:
        requirement = pending.pop()
        key = name(requirement.name)
        for extra in ["", *sorted(requirement.extras)]:
            if (key, extra) not in seen:
                seen.add((key, extra))
                pending.extend(requires(key, extra))
    return {key for key, _ in seen} - UNPINNED


def project() -> dict:
    return tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_production_lock_pins_exactly_the_assistants_tree_and_no_development_tool():
    runtime = pins(ROOT / "requirements.lock")
    assert not DEVELOPMENT_TOOLS & set(runtime)
    assert set(runtime) == tree(requirement_lines(ROOT / "requirements.in"))


def test_the_development_lock_adds_the_tools_tree_to_the_production_lock():
    lines = requirement_lines(ROOT / "requirements-dev.lock")
    assert lines[0] == "-r requirements.lock"
    runtime, development = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    assert set(development) >= DEVELOPMENT_TOOLS
    assert not set(runtime) & set(development)
    wanted = tree(requirement_lines(ROOT / "requirements-dev.in")) - set(runtime)
    assert set(development) == wanted


def test_the_locks_pin_what_this_environment_runs():
    for lock in ("requirements.lock", "requirements-dev.lock"):
        for package, version in pins(ROOT / lock).items():
            assert distribution(package).version == version, (lock, package)


def test_pyproject_names_the_direct_dependencies_and_the_version():
    table = project()
    assert {name(Requirement(line).name): str(Requirement(line).specifier) for line in table["dependencies"]} == direct(
        ROOT / "requirements.in"
    )
    dev = table["optional-dependencies"]["dev"]
    assert {name(Requirement(line).name): str(Requirement(line).specifier) for line in dev} == direct(
        ROOT / "requirements-dev.in"
    )
    assert table["version"] == (ROOT / "VERSION").read_text(encoding="utf-8").strip()
