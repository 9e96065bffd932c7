"""The settings object: read once at start-up from ``JUMELAGE_*`` variables (and an optional TOML
file), validated, then passed down. Nothing else in the project reads the environment."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from models import media_store
from models.zones import is_zone

LOCALES = ("fr", "en", "es")
REGISTRATION_MODES = ("open", "approval", "invitation")
_DOMAIN_RE = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$")


class ConfigError(Exception):
    """Bad or contradictory configuration; the message names the variable at fault."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Settings:
    domain: str
    scheme: str
    data_dir: Path
    database_url: str
    secret_key: str
    default_locale: str = "en"
    # Dates for visitors and for accounts that chose no zone (an IANA name).
    default_timezone: str = "UTC"
    registrations: str = "open"
    instance_name: str = "Jumelage"
    allow_private_addresses: bool = False
    inline_worker: bool = True
    # One line per request on stdout (off: a little more speed when a proxy logs already).
    access_log: bool = True
    # A LibreTranslate-compatible service for the "translate" button (none: no button).
    translate_url: str = ""
    translate_key: str = ""
    # Where e-mail goes out (none: members cannot ask for mail).
    smtp_url: str = ""
    mail_from: str = ""
    # The domain of the list addresses (``reply+...@``, ``<slug>@``): the instance's host if unset.
    mail_domain: str = ""
    # Reverse proxies whose X-Forwarded-For names the client (none: the peer is the client).
    trusted_proxies: tuple[IPNetwork, ...] = ()
    # Bearer token of /metrics (none: /metrics answers 404).
    metrics_token: str = ""
    # Where uploaded files and pictures live (none: the data directory; ``models.media_store``).
    media_url: str = ""
    s3_endpoint: str = ""
    s3_region: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    # The key that signs Web Push requests (VAPID, RFC 8292), PEM; generated on first start.
    vapid_private_key: str = ""

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.domain}"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite://").split("?", 1)[0])


def is_loopback_host(domain: str) -> bool:
    host = domain.rsplit(":", 1)[0] if domain.count(":") == 1 else domain
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _read_toml(path: str) -> dict[str, str]:
    """Keys of the TOML file are the variable names without the prefix, in any case."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise ConfigError("JUMELAGE_CONFIG", f"cannot read {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("JUMELAGE_CONFIG", f"{path} is not valid TOML: {exc}") from exc
    return {f"JUMELAGE_{k.upper()}": str(v) for k, v in data.items()}


def _choice(env: Mapping[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.get(name, default).strip().lower()
    if value not in allowed:
        raise ConfigError(name, f"must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    url = env.get("JUMELAGE_DATABASE_URL", "").strip()
    if not url:
        # WAL with synchronous=NORMAL survives crashes of the application (a power cut may lose
        # the last commits); busy_timeout lets `serve` and `worker` processes share the file.
        return f"sqlite://{data_dir / 'jumelage.sqlite3'}?synchronous=NORMAL&busy_timeout=5000"
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        _check_sqlite_path(url)
    if scheme == "postgresql":
        url = "postgres" + url[len("postgresql") :]
    elif scheme not in ("sqlite", "postgres"):
        raise ConfigError("JUMELAGE_DATABASE_URL", "must start with sqlite:// or postgres://")
    return url


def _check_sqlite_path(url: str) -> None:
    """tortoise-orm 1.1 waits forever when SQLite cannot open its file (the error raised in the
    connection thread never reaches the caller), so an unusable path is refused here."""
    path = Path(url.removeprefix("sqlite://").split("?", 1)[0])
    if str(path) == ":memory:":
        return
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK):
        raise ConfigError("JUMELAGE_DATABASE_URL", f"cannot write to the folder of {path}")


def _secret_key(env: Mapping[str, str], data_dir: Path) -> str:
    """An explicit key wins; otherwise one is generated on first start and kept in the data dir."""
    key = env.get("JUMELAGE_SECRET_KEY", "").strip()
    if key:
        if len(key) < 32:
            raise ConfigError("JUMELAGE_SECRET_KEY", "must be at least 32 characters long")
        return key
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def _vapid_private_key(data_dir: Path) -> str:
    """A P-256 key made on first start and kept in the data directory: apps subscribe with
    its public half, so it must never change under them. Written under a temporary name and
    linked into place, so two processes starting together keep the same one."""
    path = data_dir / "vapid_private_key.pem"
    if path.exists():
        return path.read_text()
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    draft = data_dir / f".vapid_private_key.{os.getpid()}"
    draft.write_bytes(pem)
    draft.chmod(0o600)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: a plain exclusive create
        with contextlib.suppress(FileExistsError), open(path, "xb") as fh:
            fh.write(pem)
    finally:
        draft.unlink()
    path.chmod(0o600)
    return path.read_text()


def load_settings(
    environ: Mapping[str, str] | None = None, listen_port: int | None = None
) -> Settings:
    """``listen_port``: where ``serve`` listens, the default domain's port on a laptop."""
    env: dict[str, str] = dict(os.environ if environ is None else environ)
    if env.get("JUMELAGE_CONFIG"):
        env = {**_read_toml(env["JUMELAGE_CONFIG"]), **env}
    domain = env.get("JUMELAGE_DOMAIN", f"localhost:{listen_port or 8000}").strip().lower()
    if not _DOMAIN_RE.match(domain):
        raise ConfigError(
            "JUMELAGE_DOMAIN", f"must be a host name with an optional port, not {domain!r}"
        )
    default_scheme = "http" if is_loopback_host(domain) else "https"
    scheme = _choice(env, "JUMELAGE_SCHEME", default_scheme, ("http", "https"))
    if (
        scheme == "http"
        and not is_loopback_host(domain)
        and env.get("JUMELAGE_INSECURE_HTTP", "") != "1"
    ):
        raise ConfigError(
            "JUMELAGE_SCHEME",
            f"http is only for local use; {domain} needs https (or set JUMELAGE_INSECURE_HTTP=1)",
        )
    data_dir = Path(env.get("JUMELAGE_DATA_DIR", "./data")).expanduser().resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError("JUMELAGE_DATA_DIR", f"cannot create {data_dir}: {exc.strerror}") from exc
    settings = Settings(
        domain=domain,
        scheme=scheme,
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        secret_key=_secret_key(env, data_dir),
        default_locale=_choice(env, "JUMELAGE_DEFAULT_LOCALE", "en", LOCALES),
        default_timezone=_zone(env, "JUMELAGE_DEFAULT_TIMEZONE"),
        registrations=_choice(env, "JUMELAGE_REGISTRATIONS", "open", REGISTRATION_MODES),
        instance_name=env.get("JUMELAGE_INSTANCE_NAME", "Jumelage").strip()[:80] or "Jumelage",
        allow_private_addresses=env.get("JUMELAGE_ALLOW_PRIVATE_ADDRESSES", "") == "1",
        inline_worker=_choice(env, "JUMELAGE_INLINE_WORKER", "1", ("0", "1")) == "1",
        access_log=_choice(env, "JUMELAGE_ACCESS_LOG", "1", ("0", "1")) == "1",
        translate_url=_service_url(env, "JUMELAGE_TRANSLATE_URL"),
        translate_key=env.get("JUMELAGE_TRANSLATE_KEY", "").strip(),
        smtp_url=_smtp_url(env),
        mail_from=env.get("JUMELAGE_MAIL_FROM", "").strip() or f"jumelage@{domain.split(':')[0]}",
        mail_domain=_mail_domain(env, domain),
        trusted_proxies=_networks(env, "JUMELAGE_TRUSTED_PROXIES"),
        metrics_token=_metrics_token(env),
        vapid_private_key=_vapid_private_key(data_dir),
        **_media_store(env),
    )
    media_store.configure(data_dir, s3_location(settings))
    return settings


def _media_store(env: Mapping[str, str]) -> dict[str, str]:
    """``JUMELAGE_MEDIA_URL=s3://bucket/prefix`` and how to reach the bucket: an endpoint for a
    store other than AWS (MinIO, Garage...), a region, and both keys or none (then the
    client's own chain: its AWS_* variables, an instance role)."""
    found = {
        "media_url": env.get("JUMELAGE_MEDIA_URL", "").strip(),
        "s3_endpoint": _service_url(env, "JUMELAGE_S3_ENDPOINT"),
        "s3_region": env.get("JUMELAGE_S3_REGION", "").strip(),
        "s3_access_key": env.get("JUMELAGE_S3_ACCESS_KEY", "").strip(),
        "s3_secret_key": env.get("JUMELAGE_S3_SECRET_KEY", "").strip(),
    }
    if found["media_url"]:
        try:
            media_store.parse_media_url(found["media_url"])
        except ValueError as exc:
            raise ConfigError("JUMELAGE_MEDIA_URL", str(exc)) from None
    if bool(found["s3_access_key"]) != bool(found["s3_secret_key"]):
        raise ConfigError("JUMELAGE_S3_SECRET_KEY", "give both S3 keys, or neither")
    return found


def s3_location(settings: Settings) -> media_store.S3Location | None:
    """The bucket of the settings, or None for the data directory."""
    if not settings.media_url:
        return None
    bucket, prefix = media_store.parse_media_url(settings.media_url)
    return media_store.S3Location(
        bucket,
        prefix,
        settings.s3_endpoint,
        settings.s3_region,
        settings.s3_access_key,
        settings.s3_secret_key,
    )


def _metrics_token(env: Mapping[str, str]) -> str:
    token = env.get("JUMELAGE_METRICS_TOKEN", "").strip()
    if token and len(token) < 16:
        raise ConfigError("JUMELAGE_METRICS_TOKEN", "at least 16 characters")
    return token


def _networks(env: Mapping[str, str], name: str) -> tuple[IPNetwork, ...]:
    """Comma-separated addresses or networks, ``127.0.0.1, 10.0.0.0/8``."""
    networks = []
    for part in env.get(name, "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise ConfigError(name, f"{part.strip()!r} is not an address or a network") from None
    return tuple(networks)


def _zone(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip() or "UTC"
    if not is_zone(value):
        raise ConfigError(name, f"must be an IANA time zone such as Europe/Paris, not {value!r}")
    return value


def _mail_domain(env: Mapping[str, str], domain: str) -> str:
    value = env.get("JUMELAGE_MAIL_DOMAIN", "").strip().lower().rstrip(".")
    if not value:
        return domain.split(":")[0]
    if ":" in value or not _DOMAIN_RE.match(value):
        raise ConfigError("JUMELAGE_MAIL_DOMAIN", f"must be a domain name, not {value!r}")
    return value


def _smtp_url(env: Mapping[str, str]) -> str:
    url = env.get("JUMELAGE_SMTP_URL", "").strip()
    if url and not url.startswith(("smtp://", "smtps://")):
        raise ConfigError("JUMELAGE_SMTP_URL", f"must start with smtp:// or smtps://, not {url!r}")
    return url


def _service_url(env: Mapping[str, str], name: str) -> str:
    url = env.get(name, "").strip().rstrip("/")
    if url and not url.startswith(("https://", "http://")):
        raise ConfigError(name, f"must be an http(s) address, not {url!r}")
    return url
