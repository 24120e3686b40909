"""The Docker artefacts: no engine runs here, so check the properties that matter."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _instructions() -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _final_stage() -> list[tuple[str, str]]:
    instructions = _instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def test_slim_python_311_base() -> None:
    bases = [rest for keyword, rest in _instructions() if keyword == "FROM"]
    assert bases
    assert all(base.startswith("python:3.11-slim") for base in bases)


def test_runs_as_a_fixed_non_root_user() -> None:
    users = [rest for keyword, rest in _final_stage() if keyword == "USER"]
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert re.fullmatch(r"\d{4,}(:\d{4,})?", users[-1])
    runs = " ".join(rest for keyword, rest in _final_stage() if keyword == "RUN")
    assert f"--uid {users[-1].split(':')[0]}" in runs
    assert "chown app:app /data" in runs


def test_data_volume_and_database_path() -> None:
    stage = _final_stage()
    volumes = [json.loads(rest) for keyword, rest in stage if keyword == "VOLUME"]
    assert volumes == [["/data"]]
    env = " ".join(rest for keyword, rest in stage if keyword == "ENV")
    assert "IMVO_COACH_DB=/data/" in env
    baked = [rest for keyword, rest in _instructions() if keyword in ("ENV", "ARG")]
    assert not [rest for rest in baked if "TOKEN" in rest], "never bake the token into the image"


def test_healthcheck_watches_the_heartbeat_file() -> None:
    stage = _final_stage()
    checks = [rest for keyword, rest in stage if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    command = json.loads(checks[0].split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "HEARTBEAT_FILE" in command[2]
    env = " ".join(rest for keyword, rest in stage if keyword == "ENV")
    assert "HEARTBEAT_FILE=/tmp/" in env


def test_exec_form_cmd_runs_the_bot() -> None:
    cmds = [rest for keyword, rest in _final_stage() if keyword == "CMD"]
    assert json.loads(cmds[-1]) == ["imvo-coach", "run"]
    assert not [rest for keyword, rest in _instructions() if keyword == "ENTRYPOINT"]


def test_build_context_keeps_secrets_and_databases_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for pattern in (".env", ".git", ".venv", "*.db", "secrets"):
        assert pattern in ignored
    assert "!.env.example" in ignored
    copied = [rest for keyword, rest in _instructions() if keyword == "COPY"]
    for package in ("bot", "conversations", "documents", "knowledge", "storage"):
        assert f"{package} ./{package}" in copied


def test_compose_runs_the_image_with_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    service = compose["services"]["bot"]
    assert service["build"] == "."
    assert service["env_file"] == ".env"
    assert "imvo-data:/data" in service["volumes"]
    assert service["environment"]["IMVO_COACH_DB"].startswith("/data/")
    assert "imvo-data" in compose["volumes"]
    assert service["restart"] == "unless-stopped"


def test_the_wheel_in_the_image_gets_the_knowledge_base() -> None:
    """Hatchling leaves out what .gitignore ignores; knowledge/data must not be among it."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout")
    shipped = [
        str(path.relative_to(ROOT))
        for folder in ("knowledge/data", "documents/exports")
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(shipped),
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert ignored == []
