"""The lock files (requirements/*.txt, from `make lock`) pin what pyproject.toml asks for."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)")


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def _declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    dev = [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return runtime, dev


def test_every_declared_dependency_is_pinned_within_its_range() -> None:
    runtime, dev = _declared()
    base, everything = _pins("base.txt"), _pins("dev.txt")
    problems = []
    for lock, requirements in (("base.txt", (base, runtime)), ("dev.txt", (everything, runtime + dev))):
        pins, wanted = requirements
        for requirement in wanted:
            version = pins.get(canonicalize_name(requirement.name))
            if version is None or not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{lock}: {requirement} pinned as {version}")
    assert problems == [], "run `make lock` after changing pyproject.toml"


def test_developers_run_the_versions_a_server_runs() -> None:
    base, everything = _pins("base.txt"), _pins("dev.txt")
    assert base, "requirements/base.txt pins nothing"
    differing = {name: (v, everything.get(name)) for name, v in base.items() if everything.get(name) != v}
    assert differing == {}
