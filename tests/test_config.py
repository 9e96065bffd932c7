from __future__ import annotations

from pathlib import Path

import pytest

from models.config import ConfigError, load_settings


def test_defaults_work_on_a_laptop(tmp_path: Path) -> None:
    s = load_settings({"JUMELAGE_DATA_DIR": str(tmp_path)})
    assert s.domain == "localhost:8000"
    assert s.scheme == "http"
    assert s.database_url.startswith(f"sqlite://{tmp_path / 'jumelage.sqlite3'}?")
    assert "busy_timeout" in s.database_url
    assert len(s.secret_key) >= 32
    assert s.default_timezone == "UTC"


def test_public_domain_defaults_to_https(tmp_path: Path) -> None:
    s = load_settings({"JUMELAGE_DATA_DIR": str(tmp_path), "JUMELAGE_DOMAIN": "ngo.example"})
    assert s.base_url == "https://ngo.example"


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_settings({"JUMELAGE_DATA_DIR": str(tmp_path)}).secret_key
    second = load_settings({"JUMELAGE_DATA_DIR": str(tmp_path)}).secret_key
    assert first == second
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"JUMELAGE_SCHEME": "ftp"}, "JUMELAGE_SCHEME"),
        ({"JUMELAGE_DOMAIN": "https://x.org/path"}, "JUMELAGE_DOMAIN"),
        ({"JUMELAGE_DATABASE_URL": "mysql://x"}, "JUMELAGE_DATABASE_URL"),
        ({"JUMELAGE_SECRET_KEY": "short"}, "JUMELAGE_SECRET_KEY"),
        ({"JUMELAGE_DOMAIN": "ngo.example", "JUMELAGE_SCHEME": "http"}, "JUMELAGE_SCHEME"),
        ({"JUMELAGE_REGISTRATIONS": "everyone"}, "JUMELAGE_REGISTRATIONS"),
        ({"JUMELAGE_DEFAULT_LOCALE": "de"}, "JUMELAGE_DEFAULT_LOCALE"),
        ({"JUMELAGE_DEFAULT_TIMEZONE": "Mars/Olympus"}, "JUMELAGE_DEFAULT_TIMEZONE"),
        ({"JUMELAGE_DEFAULT_TIMEZONE": "../../etc/passwd"}, "JUMELAGE_DEFAULT_TIMEZONE"),
        ({"JUMELAGE_CONFIG": "/nonexistent/jumelage.toml"}, "JUMELAGE_CONFIG"),
        ({"JUMELAGE_DATABASE_URL": "sqlite:///nonexistent/dir/x.db"}, "JUMELAGE_DATABASE_URL"),
        ({"JUMELAGE_TRUSTED_PROXIES": "127.0.0.1, proxy.lan"}, "JUMELAGE_TRUSTED_PROXIES"),
    ],
)
def test_bad_configuration_names_the_variable(
    tmp_path: Path, env: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings({"JUMELAGE_DATA_DIR": str(tmp_path), **env})
    assert info.value.variable == variable
    assert str(info.value).startswith(variable)


def test_toml_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    toml = tmp_path / "jumelage.toml"
    toml.write_text('domain = "ngo.example"\ndefault_locale = "es"\n')
    s = load_settings(
        {
            "JUMELAGE_DATA_DIR": str(tmp_path),
            "JUMELAGE_CONFIG": str(toml),
            "JUMELAGE_DEFAULT_LOCALE": "fr",
        }
    )
    assert s.domain == "ngo.example"
    assert s.default_locale == "fr"


def test_postgresql_scheme_is_accepted(tmp_path: Path) -> None:
    s = load_settings(
        {"JUMELAGE_DATA_DIR": str(tmp_path), "JUMELAGE_DATABASE_URL": "postgresql://u@h/db"}
    )
    assert s.database_url == "postgres://u@h/db"


def test_trusted_proxies_are_addresses_or_networks(tmp_path: Path) -> None:
    s = load_settings(
        {"JUMELAGE_DATA_DIR": str(tmp_path), "JUMELAGE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    )
    assert [str(n) for n in s.trusted_proxies] == ["127.0.0.1/32", "10.0.0.0/8"]
