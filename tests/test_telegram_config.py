"""Settings of the Telegram bot: read once from the environment, checked, never leaked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.cli_run import NO_TOKEN, serve
from bot.config import (
    DEFAULT_API_URL,
    ENVIRONMENT_VARIABLES,
    BotConfig,
    ConfigError,
    load_config,
)
from bot.telegram_app import MENU_COMMANDS
from conversations.commands import COMMANDS, DUTCH_ALIASES
from storage import DEFAULT_DB_PATH

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:ABC-def_ghi"
ALIASES_NOT_SHOWN = {"lang", "vorige"}  # typed variants; the table shows /taal and /terug


def test_defaults_without_any_setting() -> None:
    config = load_config({})
    assert config.token is None
    assert config.api_url == DEFAULT_API_URL
    assert config.file_url == "https://api.telegram.org/file/bot"
    assert config.db_path == DEFAULT_DB_PATH  # the same file as the console chat
    assert (config.default_language, config.log_level) == ("nl", "INFO")
    assert config.webhook_url is None
    assert config.heartbeat_file is None
    assert config.retention_days == 180
    assert config.allowed_user_ids is None
    assert config.is_allowed(123)  # no allowlist: everyone
    assert config.admin_user_ids == frozenset()
    assert config.rate_limit == 30
    assert config.user_rate_limit == 30


def test_every_setting_is_read() -> None:
    config = load_config(
        {
            "TELEGRAM_BOT_TOKEN": f"  {TOKEN}\n",
            "TELEGRAM_API_URL": "http://127.0.0.1:8081/bot",
            "IMVO_COACH_DB": "/data/x.db",
            "DEFAULT_LANGUAGE": "EN",
            "LOG_LEVEL": "debug",
            "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
            "WEBHOOK_SECRET": "s3cret_-",
            "PORT": "8080",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "HEARTBEAT_FILE": "/tmp/hb",
            "POLL_TIMEOUT": "1",
            "LOG_SALT": "pepper",
            "RETENTION_DAYS": "30",
            "ALLOWED_USER_IDS": "1001, 1002 1003",
            "ADMIN_USER_IDS": "42",
            "TELEGRAM_RATE_LIMIT": "0",
        }
    )
    assert config.token == TOKEN
    assert config.file_url == "http://127.0.0.1:8081/file/bot"
    assert config.db_path == Path("/data/x.db")
    assert (config.default_language, config.log_level) == ("en", "DEBUG")
    assert config.webhook_path == "telegram/hook"
    assert (config.webhook_port, config.webhook_listen) == (8080, "127.0.0.1")
    assert config.heartbeat_file == Path("/tmp/hb")
    assert (config.poll_timeout, config.log_salt) == (1, "pepper")
    assert config.retention_days == 30
    assert config.allowed_user_ids == {1001, 1002, 1003}
    assert config.admin_user_ids == {42}
    assert config.rate_limit == 0
    assert config.is_allowed(1002)
    assert config.is_allowed(42)  # an admin needs no place on the allowlist
    assert not config.is_allowed(7)


def test_token_from_a_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text(TOKEN + "\n", encoding="utf-8")
    assert load_config({"TELEGRAM_BOT_TOKEN_FILE": str(secret)}).token == TOKEN
    # The variable wins over the file.
    env = {"TELEGRAM_BOT_TOKEN": "9:x", "TELEGRAM_BOT_TOKEN_FILE": str(secret)}
    assert load_config(env).token == "9:x"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"TELEGRAM_BOT_TOKEN_FILE": "/nonexistent/token"},
            "TELEGRAM_BOT_TOKEN_FILE: cannot read",
        ),
        ({"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN: does not look like"),
        ({"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL: expected an http(s) URL"),
        ({"DEFAULT_LANGUAGE": "de"}, "DEFAULT_LANGUAGE: expected one of nl, en"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL: expected DEBUG"),
        ({"PORT": "eighty"}, "PORT: expected a whole number"),
        ({"PORT": "70000"}, "PORT: expected a number from 1 to 65535"),
        ({"WEBHOOK_URL": "https://x.org/h"}, "WEBHOOK_SECRET: required when WEBHOOK_URL"),
        ({"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET: use 1-256 characters"),
        ({"RETENTION_DAYS": "0"}, "RETENTION_DAYS: expected a number from 1 to 3650"),
        ({"ALLOWED_USER_IDS": "1001, @anna"}, "ALLOWED_USER_IDS: expected Telegram user IDs"),
        ({"ADMIN_USER_IDS": "-5"}, "ADMIN_USER_IDS: expected Telegram user IDs"),
        ({"TELEGRAM_RATE_LIMIT": "fast"}, "TELEGRAM_RATE_LIMIT: expected a whole number"),
    ],
    ids=[
        "unreadable-file",
        "bad-token",
        "bad-url",
        "language",
        "level",
        "port",
        "range",
        "webhook-without-secret",
        "bad-secret",
        "retention",
        "allowlist",
        "admins",
        "rate",
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(env)


def test_empty_token_file_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "token"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty"):
        load_config({"TELEGRAM_BOT_TOKEN_FILE": str(empty)})


def test_bad_token_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config({"TELEGRAM_BOT_TOKEN": "123:almost right!"})
    assert "almost" not in str(caught.value)


def test_repr_hides_token_and_secret() -> None:
    config = BotConfig(token=TOKEN, webhook_secret="hush-hush")
    for text in (repr(config), str(config), f"{config}"):
        assert TOKEN not in text
        assert "hush-hush" not in text
        assert "token=<set>" in text


def test_env_example_documents_every_setting_and_nothing_else() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert documented == set(ENVIRONMENT_VARIABLES)
    source = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'_(?:clean|read_int|read_url|read_ids)\(env, "([A-Z_]+)"', source))
    read |= set(re.findall(r'_clean\(environ, "([A-Z_]+)"', source))
    assert read == set(ENVIRONMENT_VARIABLES)


def test_run_without_token_explains_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ENVIRONMENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == NO_TOKEN + "\n"
    assert "TELEGRAM_BOT_TOKEN" in NO_TOKEN
    assert "imvo-coach chat" in NO_TOKEN


def test_run_with_bad_setting_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DEFAULT_LANGUAGE", "fr")
    assert main(["run"]) == 2
    assert capsys.readouterr().err.startswith("Error: DEFAULT_LANGUAGE:")


def test_readme_documents_every_command_and_alias() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running on Telegram", 1)[1].split("\n## ", 1)[0]
    for name in (*COMMANDS, *DUTCH_ALIASES):
        if name not in ALIASES_NOT_SHOWN:
            assert f"`/{name}`" in section, name
    for word in ("docker compose up", "imvo-coach run", "TELEGRAM_BOT_TOKEN", "WEBHOOK_URL"):
        assert word in section


def test_menu_commands_are_engine_commands_with_texts() -> None:
    texts = yaml.safe_load((ROOT / "knowledge/data/ui/bot.yaml").read_text(encoding="utf-8"))
    for name in MENU_COMMANDS:
        assert name in COMMANDS
        description = texts[f"telegram.command.{name}"]
        assert 1 <= len(description["nl"]) <= 256
        assert 1 <= len(description["en"]) <= 256


def test_run_with_an_unusable_database_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr("bot.telegram_logging.configure_logging", lambda *args: None)
    config = BotConfig(token=TOKEN, db_path=tmp_path)  # a folder, not a database file
    assert serve(config) == 1
    assert capsys.readouterr().err.startswith(f"Error: cannot open the database {tmp_path}")


def test_run_refuses_a_database_from_a_newer_release(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    from storage import Store

    path = tmp_path / "future.db"
    Store(path).close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    monkeypatch.setattr("bot.telegram_logging.configure_logging", lambda *args: None)
    assert serve(BotConfig(token=TOKEN, db_path=path)) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"Error: cannot open the database {path}: the database {path} has")
    assert "schema version 99, but this version of imvo-coach supports up to" in error
    assert "upgrade imvo-coach or use another database file" in error
