"""Settings: the example config is valid; a bad one stops with one line naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.config import ConfigError, RegistrationMode, load_settings
from tests.support.paths import EXAMPLE_CONFIG


def test_example_config_is_valid() -> None:
    settings = load_settings(EXAMPLE_CONFIG, {})
    assert settings.network.registration is RegistrationMode.OPEN
    assert [c.key for c in settings.categories][:2] == ["business", "tourism"]
    assert settings.telegram_token is None


def test_environment_overrides_and_secrets() -> None:
    settings = load_settings(
        EXAMPLE_CONFIG,
        {
            "RELAIS_NETWORK__REGISTRATION": "approval",
            "RELAIS_TELEGRAM_TOKEN": "123:abc",
            "RELAIS_DATABASE_URL": "postgresql+asyncpg://u:secret@db/relais",
        },
    )
    assert settings.network.registration is RegistrationMode.APPROVAL
    assert settings.telegram_token is not None
    assert "123:abc" not in repr(settings)
    assert settings.database.url.startswith("postgresql+asyncpg://")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            'registration = "open"',
            "network.registration: Input should be 'open', 'approval' or 'sponsor'",
        ),
        ('timezone = "Europe/Paris"', "network.timezone: unknown time zone 'Mars/Olympus'"),
        ("daily_cap = 30", "points.daily_cap: Input should be a valid integer"),
        ('coordinators = ["console:carol"]', "roles.coordinators: 'carol' is not platform:user"),
    ],
)
def test_bad_value_names_the_key(tmp_path: Path, change: str, expected: str) -> None:
    replacement = {
        'registration = "open"': 'registration = "maybe"',
        'timezone = "Europe/Paris"': 'timezone = "Mars/Olympus"',
        "daily_cap = 30": 'daily_cap = "lots"',
        'coordinators = ["console:carol"]': 'coordinators = ["carol"]',
    }[change]
    path = tmp_path / "bad.toml"
    path.write_text(EXAMPLE_CONFIG.read_text().replace(change, replacement))
    with pytest.raises(ConfigError) as error:
        load_settings(path, {})
    assert expected in str(error.value)


def test_token_in_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "leaky.toml"
    path.write_text('telegram_token = "123:abc"\n' + EXAMPLE_CONFIG.read_text())
    with pytest.raises(ConfigError, match="RELAIS_TELEGRAM_TOKEN"):
        load_settings(path, {})


def test_cli_config_error_exits_2_without_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(EXAMPLE_CONFIG.read_text().replace("[network]", "[network]\ncolour = 1"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(path), "db", "upgrade"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().endswith("network.colour: unknown setting")
    assert "Traceback" not in result.stderr


def test_discord_token_needs_a_server_to_register_commands() -> None:
    with pytest.raises(ConfigError, match=r"discord.guild_id: required when RELAIS_DISCORD_TOKEN"):
        load_settings(EXAMPLE_CONFIG, {"RELAIS_DISCORD_TOKEN": "x"})
    settings = load_settings(
        EXAMPLE_CONFIG, {"RELAIS_DISCORD_TOKEN": "x", "RELAIS_DISCORD__GUILD_ID": "42"}
    )
    assert settings.discord.guild_id == 42 and settings.discord.pace_messages == 5
    assert "x" not in repr(settings.discord_token)


@pytest.mark.parametrize(
    ("discord", "message"),
    [
        (
            "guild_id = 1\ncategory_roles = { business = 11, opera = 12 }",
            r"discord.category_roles: unknown category 'opera'$",
        ),
        (
            "guild_id = 1\ncategory_roles = { business = 11 }\nreferent_role = 11",
            r"role 11 is given twice",
        ),
        ("category_roles = { business = 11 }", r"discord.guild_id: required when Discord roles"),
        ("guild_id = 1\ncoordinator_role = -3", r"discord.coordinator_role: .*greater than 0"),
        (
            'channel_category = "Ambassadors"',
            r"discord.guild_id: required when discord.channel_category is set",
        ),
        ('guild_id = 1\nchannel_category = ""', r"discord.channel_category: .*at least 1"),
    ],
)
def test_discord_roles_are_checked_with_one_line(
    tmp_path: Path, discord: str, message: str
) -> None:
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        "[discord]\n", f"[discord]\n{discord}\n"
    )
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(path, {})
    assert "\n" not in str(caught.value)


def test_discord_roles_map_to_what_they_stand_for(tmp_path: Path) -> None:
    discord = "guild_id = 1\ncategory_roles = { business = 11 }\nreferent_role = 12"
    text = EXAMPLE_CONFIG.read_text(encoding="utf-8")
    text = text.replace("[discord]\n", f"[discord]\n{discord}\n")
    path = tmp_path / "config.toml"
    path.write_text(text.replace("greet_newcomers = false", "greet_newcomers = true"))
    settings = load_settings(path, {})
    assert settings.discord.managed_roles() == {11: "category:business", 12: "referent"}
    assert settings.discord.greet_newcomers
    assert load_settings(EXAMPLE_CONFIG, {}).discord.managed_roles() == {}
