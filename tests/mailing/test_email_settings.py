"""``[email]`` and ``[web]`` settings: checked at start with the key named; the SMTP
password only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import ConfigError, EmailTls, Settings, load_settings
from tests.support.paths import EXAMPLE_CONFIG


def settings(**env: str) -> Settings:
    return load_settings(EXAMPLE_CONFIG, {f"RELAIS_{k.upper()}": v for k, v in env.items()})


def test_email_is_off_until_a_host_is_set() -> None:
    loaded = load_settings(EXAMPLE_CONFIG, {})
    assert not loaded.email.enabled
    assert loaded.web.listen is None


def test_a_host_needs_a_sender_and_the_password_comes_from_the_environment() -> None:
    with pytest.raises(ConfigError, match=r"email\.from_address: required"):
        settings(email__host="smtp.example.org")
    loaded = load_settings(
        EXAMPLE_CONFIG,
        {
            "RELAIS_EMAIL__HOST": "smtp.example.org",
            "RELAIS_EMAIL__FROM_ADDRESS": "team@example.org",
            "RELAIS_EMAIL__TLS": "implicit",
            "RELAIS_EMAIL_PASSWORD": "s3cret-smtp-password",
        },
    )
    assert loaded.email.enabled and loaded.email.tls is EmailTls.IMPLICIT
    assert loaded.email.replies_to == "team@example.org"
    assert loaded.email_password is not None
    assert loaded.email_password.get_secret_value() == "s3cret-smtp-password"
    assert "s3cret" not in repr(loaded)


def test_bad_values_name_their_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"email\.tls"):
        settings(email__tls="ssl")
    with pytest.raises(ConfigError, match=r"email\.from_address"):
        settings(email__host="h", email__from_address="not an address")
    with pytest.raises(ConfigError, match=r"web\.listen"):
        settings(web__listen="localhost")
    with pytest.raises(ConfigError, match=r"web\.public_url"):
        settings(web__public_url="relais.example.org")
    loaded = load_settings(
        EXAMPLE_CONFIG, {"RELAIS_WEB__PUBLIC_URL": "https://relais.example.org/"}
    )
    assert loaded.web.public_url == "https://relais.example.org"
    secret_in_file = tmp_path / "config.toml"
    secret_in_file.write_text(
        'email_password = "x"\n' + EXAMPLE_CONFIG.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="RELAIS_EMAIL_PASSWORD"):
        load_settings(secret_in_file, {})
