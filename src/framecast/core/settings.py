"""One settings class for the whole platform.

Every variable is read from the environment with the prefix ``FRAMECAST_`` (``__`` separates nested
sections, e.g. ``FRAMECAST_GENAIPRO__API_KEY``) or from a ``.env`` file in the working directory.
The original Studio's names ``VEO_API_KEY`` and ``VEO_BASE_URL`` keep working as aliases of
``FRAMECAST_GENAIPRO__API_KEY`` and ``FRAMECAST_GENAIPRO__BASE_URL``; the ``FRAMECAST_`` names win
when both are set. The README's configuration table lists every field below.

Provider names are plain text here, because providers register themselves (``providers/registry.py``,
which this package cannot import): ``providers.registry.check_settings`` refuses an unknown name
when the web application or a CLI command starts.

Settings are never created at import time: call :func:`get_settings` (cached) and
``get_settings.cache_clear()`` after changing the environment in tests.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from framecast.core.errors import ConfigurationError


def default_data_dir() -> Path:
    """Where the database and generated files live unless ``FRAMECAST_DATA_DIR`` says otherwise."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "framecast"


class GenAIProSettings(BaseModel):
    """GenAIPro's Veo API: v1 (SSE, the default) or v2 (202 + polling), by ``api_version``."""

    api_key: SecretStr | None = None
    base_url: str = "https://genaipro.vn/api/v1"
    # Seconds with no SSE event before a running stream counts as stalled (an ambiguous failure).
    idle_timeout_s: float = 60.0
    connect_timeout_s: float = 10.0
    # Free reads (quota, history): attempts in all when refused or cut, and the first pause between.
    read_attempts: int = 3
    read_backoff_s: float = 0.5
    # Requests the provider may have in flight at once, and generation requests per minute.
    concurrency: int = 10
    rate_per_minute: float = 60.0
    # How long to keep looking in /veo/histories for an ambiguous submission before resubmitting.
    reconcile_grace_s: float = 90.0
    reconcile_poll_s: float = 5.0
    # Extra seconds either side of a submission when matching history items by prompt and time.
    reconcile_window_s: float = 600.0
    # Credits one video or image costs (the original app assumed one; v2 documents one per video).
    credits_per_video: int = 1
    credits_per_image: int = 1
    # Whether GenAIPro gives the credits back for a generation it accepted and then failed. v1
    # documents no refund, so such a generation counts as charged and is never sent again on its
    # own; v2 documents an automatic refund.
    refunds_failed_generations: bool = False
    # Hosts (and their subdomains) that may receive the key when a result download answers
    # 401/403; the API's own host and its parent domain always may.
    key_hosts: list[str] = Field(default_factory=lambda: ["genaipro.vn", "genaipro.io"])

    # -- v2, the task API (providers/genaipro/tasks.py) --------------------------------------------
    # 1: v1's SSE streams (as before); 2: submissions answered 202 with task ids, then polled.
    api_version: Literal[1, 2] = 1
    # v2's root, under which /v2/veo/... lives; empty: ``base_url`` without its trailing /v1.
    v2_base_url: str = ""
    # v2 documents 30 requests a minute for submissions and polls together. Every request of an
    # account (one key) takes a place in one sliding minute of ``v2_rate_per_minute``, shared by
    # every worker on every host when ``jobs.shared_limits`` (jobs/shared_window.py), else by one
    # process's provider instance; a submission leaves a polling round's places free, and the
    # poller's rounds send at most ``v2_poll_rate_per_minute``.
    v2_rate_per_minute: float = 30.0
    # The seconds that budget's window slides over: 60 as the service counts (shorter only in tests).
    v2_window_s: float = 60.0
    v2_poll_rate_per_minute: float = 6.0
    # Seconds between two polling rounds (a callback or a new task can bring the next one forward).
    v2_poll_s: float = 10.0
    # With at most this many tasks waiting, a round reads each one (``/v2/veo/tasks/{id}``); with
    # more, it reads ``/v2/veo/histories`` pages, which cost one request for up to 100 tasks.
    v2_poll_by_id_max: int = 2
    # A task still unfinished after this long is looked up in the history like any ambiguous one.
    v2_task_timeout_s: float = 900.0
    # Where GenAIPro may POST "task finished" (``<this>/api/callbacks/genaipro/<token>``); empty:
    # ``web.public_base_url``; both empty: no callback_url is sent and polling alone finds results.
    callback_base_url: str = ""

    @field_validator("api_version", mode="before")
    @classmethod
    def _api_version_from_text(cls, value: object) -> object:
        # Environment variables are text: "2" means 2.
        return int(value) if isinstance(value, str) and value.strip() in ("1", "2") else value


# -- Google Veo (google-genai) ---------------------------------------------------------------------


class GoogleSettings(BaseModel):
    """Google's Veo and Imagen through the official ``google-genai`` SDK: the Gemini Developer API
    with ``api_key``, or Vertex AI with ``vertex_project`` and ``vertex_location`` (credentials
    from Application Default Credentials, as the SDK finds them)."""

    api_key: SecretStr | None = None
    # Vertex AI instead of the Gemini Developer API when a project is set.
    vertex_project: str | None = None
    vertex_location: str = "us-central1"
    # The SDK's ``http_options.base_url`` (an emulator); empty: the SDK's own endpoint.
    base_url: str = ""
    video_model: str = "veo-3.1-generate-preview"
    image_model: str = "imagen-4.0-generate-001"
    # Seconds between two polls of a running operation (Google's examples wait 10 s).
    poll_s: float = 10.0
    # Polls of one operation that may fail in a row (cut, 429, 5xx) before it is handed to reconcile.
    poll_attempts: int = 5
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 120.0
    # Requests in flight at once and generation requests per minute (the account's limits).
    concurrency: int = 4
    rate_per_minute: float = 10.0


class OfflineSettings(BaseModel):
    """The built-in renderer that needs no key."""

    seconds: float = 8.0
    fps: int = 24
    # Height of landscape video (width for portrait); 720 gives 1280x720 and 720x1280.
    short_side: int = 720


class JobSettings(BaseModel):
    """The durable queue."""

    lease_s: float = 30.0
    heartbeat_s: float = 5.0
    poll_s: float = 0.2
    # A remote provider account's concurrency and rate are kept in the database for every worker on
    # every host (jobs/shared_limits.py); false: each worker process keeps its own.
    shared_limits: bool = True
    # Seconds between two publications of a process's counters and histograms to the database, which
    # any server's /metrics sums (db/metric_totals.py); 0: only when the process stops cleanly.
    metrics_publish_s: float = 5.0
    max_attempts: int = 8
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0


SIGNUP_MODES = ("closed", "invite", "open")
# Labels of letters, digits and inner hyphens, separated by dots ("school.example", "xn--...").
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")
CORS_ORIGINS_VARIABLE = "FRAMECAST_WEB__CORS_ORIGINS"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A host as browsers write it in ``Origin``: a name (internationalised ones in punycode), an IPv4
# address, or an IPv6 address (brackets removed by urlsplit).
_ORIGIN_HOST = re.compile(r"[a-z0-9.-]+|[0-9a-f:.]+")


def web_origin(value: str) -> str:
    """``value`` written as a browser writes the ``Origin`` header: ``scheme://host[:port]`` in lower
    case, without a default port (``https://App.example:443/`` gives ``https://app.example``).

    Raises ``ValueError`` naming ``FRAMECAST_WEB__CORS_ORIGINS`` for anything else: another scheme, a
    path, a query, a user name, a wildcard or a bad port.
    """
    problem = (
        f"{CORS_ORIGINS_VARIABLE}: {value!r} is not an origin; write each as scheme://host[:port], "
        "e.g. https://app.example.com or http://localhost:3000 (http or https, no path, no wildcard)"
    )
    text = value.strip()
    parts = urlsplit(text)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(problem) from None
    host = parts.hostname
    if (
        parts.scheme not in _DEFAULT_PORTS
        or not host
        or not _ORIGIN_HOST.fullmatch(host)
        or "*" in text
        or "@" in parts.netloc
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
        or text.endswith(("?", "#"))
    ):
        raise ValueError(problem)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme}://{netloc}"


class WebSettings(BaseModel):
    """The web application: sessions, uploads, login protection."""

    # Fernet/HMAC secret; empty means a random one generated once into ``<data_dir>/secret.key``.
    secret_key: SecretStr | None = None
    session_days: float = 14.0
    token_days: float = 30.0
    # "auto": Secure cookies when the request came over HTTPS (or X-Forwarded-Proto says so).
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    # Believe X-Forwarded-Proto from any client, for Secure cookies only: for a server reachable
    # solely through a TLS proxy. Prefer ``forwarded_allow_ips``, which believes only named proxies.
    trust_forwarded_proto: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_batch_file_bytes: int = 5 * 1024 * 1024
    # All the images of one batch upload together (each also within max_upload_bytes).
    max_batch_images_bytes: int = 1024 * 1024 * 1024
    # Any other request body (JSON, forms): small, so nobody can make the server parse megabytes.
    max_json_bytes: int = 1024 * 1024
    # Origins the Tutor's real-time page may show in a frame (the Tavus room); no other page may.
    frame_sources: list[str] = Field(default_factory=lambda: ["https://tavus.daily.co", "https://*.daily.co"])
    # Password guessing is slowed, never locked (web/security/ratelimit.py): failed logins (and
    # wrong current passwords) are counted within ``login_window_s`` per (account, client address)
    # pair, and per client address across accounts (an IPv6 address counts by its /64). Past a limit
    # each further try waits ``login_delay_s`` since the latest failure, doubling with every failure
    # past it, at most ``login_window_s``. Guesses from elsewhere never slow the account's own user.
    login_attempts: int = 10
    login_attempts_per_address: int = 100
    login_window_s: float = 900.0
    login_delay_s: float = 2.0
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto ``framecast serve`` believes: addresses or
    # networks, comma-separated ("127.0.0.1", "10.0.0.0/8,::1"), or "*". Empty: none, and the client
    # address is the TCP peer's. A named proxy's X-Forwarded-Proto also sets the request's scheme, so
    # ``trust_forwarded_proto`` (which believes that header from anyone) is then not needed.
    forwarded_allow_ips: str = ""
    # Where users open this server (https://studio.example.com): invitation and password reset links
    # start with it. Empty: ``tutor.public_base_url`` if set, else the API answers a relative link
    # (the Users page completes it with the address the administrator's browser is using).
    public_base_url: str = ""
    # With a public base URL set, media URLs in API answers and socket messages (files, posters,
    # ZIP parts, Tutor speech and videos) are absolute and signed, and play without a cookie for
    # this long (rounded up to 5 minutes); an expired or changed link answers 403.
    media_url_ttl_s: float = Field(default=3600.0, gt=0)
    # Run the job worker inside ``framecast serve`` (switch off when ``framecast worker`` runs apart).
    embedded_worker: bool = True
    # Bearer token a Prometheus scraper sends to ``GET /metrics`` (administrators may read it too).
    # Empty: only administrators.
    metrics_token: SecretStr | None = None
    # Who may create an account on ``/signup`` and ``POST /api/users/register``
    # (web/security/signup.py): "closed" (only administrators make accounts and invitations),
    # "invite" (a valid invitation code or link is needed) or "open" (anyone, or with
    # ``signup_email_domain`` only addresses at that domain). New accounts are ordinary users.
    signup: Literal["closed", "invite", "open"] = "closed"
    # With ``signup`` "open": only addresses at exactly this domain may sign up ("school.example").
    signup_email_domain: str = ""
    # Sign-ups per client address an hour (accounts made, or refused because the email has one);
    # a class behind one school address needs about one per learner.
    signup_per_hour: int = Field(default=10, ge=1)

    @field_validator("signup", mode="before")
    @classmethod
    def _signup_mode(cls, value: object) -> object:
        if isinstance(value, str):
            mode = value.strip().lower()
            if mode not in SIGNUP_MODES:
                raise ValueError(
                    f"FRAMECAST_WEB__SIGNUP must be closed, invite or open (it is {value.strip()!r})"
                )
            return mode
        return value

    @field_validator("signup_email_domain", mode="before")
    @classmethod
    def _signup_domain(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        domain = value.strip().lower().removeprefix("@")
        if domain and not _DOMAIN.match(domain):
            raise ValueError(
                "FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN must be a domain such as school.example "
                f"(it is {value.strip()!r})"
            )
        return domain

    @model_validator(mode="after")
    def _domain_needs_open_signup(self) -> WebSettings:
        if self.signup_email_domain and self.signup != "open":
            raise ValueError(
                "FRAMECAST_WEB__SIGNUP_EMAIL_DOMAIN applies only when FRAMECAST_WEB__SIGNUP is open "
                f"(it is {self.signup}); set FRAMECAST_WEB__SIGNUP=open or remove the domain"
            )
        return self

    # Origins of other frontends (https://app.school.example, http://localhost:3000) whose pages may
    # call the REST API and the media routes with a bearer token (web/cors.py); never with cookies.
    # Comma-separated or a JSON list. Empty: no other origin may.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _origins_from_text(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{CORS_ORIGINS_VARIABLE}: not a JSON list ({exc.msg})") from None
        return [part.strip() for part in text.split(",") if part.strip()]

    @field_validator("cors_origins")
    @classmethod
    def _origins_are_origins(cls, value: list[str]) -> list[str]:
        return [web_origin(origin) for origin in value]


class ElevenLabsSettings(BaseModel):
    """ElevenLabs Scribe speech-to-text and text-to-speech."""

    api_key: SecretStr | None = None
    base_url: str = "https://api.elevenlabs.io"
    stt_model_id: str = "scribe_v1"
    # Rachel, the voice the original tutor used.
    voice_id: str = "21m00Tcm4TlvDq8ikWAM"
    tts_model_id: str = "eleven_multilingual_v2"
    output_format: str = "mp3_44100_128"


class OpenRouterSettings(BaseModel):
    """OpenRouter chat, or any OpenAI-compatible server (a local Ollama needs no key)."""

    api_key: SecretStr | None = None
    base_url: str = "https://openrouter.ai/api/v1"
    model: str = "openai/gpt-5-chat"
    # Attribution headers (HTTP-Referer, X-Title); empty means not sent.
    app_url: str = ""
    app_name: str = "Framecast"


class DIDSettings(BaseModel):
    """D-ID talks (talking-head video); the key is sent after ``Basic`` as D-ID Studio shows it."""

    api_key: SecretStr | None = None
    base_url: str = "https://api.d-id.com"


class TavusSettings(BaseModel):
    """Tavus real-time conversations."""

    api_key: SecretStr | None = None
    base_url: str = "https://tavusapi.com"
    replica_id: str | None = None
    persona_id: str | None = None
    # The replica does not join and nothing is billed: for integration tests.
    test_mode: bool = False


class TutorSettings(BaseModel):
    """Which provider does each Tutor capability, and the conversation engine's limits.

    Each capability names a registered provider (``providers/tutor_registry.py``) or ``auto``, which
    picks a remote provider whose key is configured, else the offline one.
    """

    # offline | elevenlabs
    stt: str = "auto"
    tts: str = "auto"
    # offline = rule-based checker + scripted tutor; openrouter = any OpenAI-compatible chat model.
    chat: str = "auto"
    # offline | did | none (no video)
    avatar: str = "auto"
    # Explanation and feedback language for new learners: en | ko.
    language: Literal["en", "ko"] = "en"
    # espeak-ng voice of the offline tutor.
    offline_voice: str = "en-us+f2"
    max_audio_bytes: int = 5 * 1024 * 1024
    max_text_chars: int = 1000
    # Longest recording heard, in seconds: a conversation turn, and a practice attempt (one phrase).
    # pocketsphinx needs about a quarter of a recording's length to hear it.
    max_turn_seconds: float = 60.0
    max_practice_seconds: float = 15.0
    # Recordings one learner may have waiting for the recogniser or being heard, at once.
    recognitions_per_user: int = 2
    # Text and spoken messages one learner may send per minute (over every socket of theirs).
    turns_per_minute: int = 20
    # Avatar videos one learner may have waiting or rendering; later replies come without a video.
    max_pending_videos: int = 3
    # A word whose pronunciation score (0..1) is below this becomes a pronunciation correction.
    pronunciation_threshold: float = 0.3
    # Avatar video renders (jobs of the queue, under its lease and heartbeat): attempts before a
    # message's video is marked failed.
    avatar_attempts: int = 3
    # Load the offline models when the server starts, so the first learner does not wait for them.
    warm_up: bool = True
    # Where this server is reachable from the internet (D-ID downloads the speech from there).
    public_base_url: str = ""


STORAGE_URL_VARIABLE = "FRAMECAST_STORAGE__URL"


class StorageSettings(BaseModel):
    """Where every file the project writes and serves is kept (``core/storage``): the data dir (empty
    ``url``, the default) or S3-compatible object storage (``url = s3://bucket/prefix``)."""

    # Empty: files under ``data_dir``. ``s3://bucket`` or ``s3://bucket/prefix``: that bucket.
    url: str = ""
    # The S3 API's address (MinIO, Ceph, R2, a test server); empty: AWS for ``region``.
    endpoint: str = ""
    region: str = "us-east-1"
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    # Address the bucket in the path (``http://host/bucket/key``), as MinIO and most non-AWS stores
    # expect, instead of in the host name (``http://bucket.host/key``).
    path_style: bool = True
    # How long a presigned media URL stays valid.
    presign_seconds: int = Field(default=900, ge=1, le=7 * 24 * 3600)
    # "presign": browsers fetch media straight from the store with a presigned URL; "proxy": the
    # server reads the store and streams it (when browsers cannot reach the store).
    serve: Literal["presign", "proxy"] = "presign"

    @field_validator("url")
    @classmethod
    def _url_is_s3(cls, value: str) -> str:
        text = value.strip()
        if not text:
            return ""
        parts = urlsplit(text)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(
                f"{STORAGE_URL_VARIABLE}: {value!r} is not a storage address; write s3://bucket or "
                "s3://bucket/prefix, or leave it empty to keep files in the data dir"
            )
        return text.rstrip("/")

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_http(cls, value: str) -> str:
        text = value.strip()
        if text and urlsplit(text).scheme not in ("http", "https"):
            raise ValueError(
                f"FRAMECAST_STORAGE__ENDPOINT: {value!r} is not an http(s) address, e.g. http://127.0.0.1:9000"
            )
        return text.rstrip("/")

    @property
    def is_s3(self) -> bool:
        return self.url.startswith("s3://")

    @property
    def bucket(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def prefix(self) -> str:
        return urlsplit(self.url).path.strip("/")


class Settings(BaseSettings):
    """Framecast settings; see the module docstring for sources and precedence."""

    model_config = SettingsConfigDict(
        env_prefix="FRAMECAST_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    environment: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(default_factory=default_data_dir)
    # SQLAlchemy URL; empty means a SQLite file ``framecast.db`` in ``data_dir``.
    database_url: str = ""
    # A registered Studio provider: offline | genaipro (and any a plugin registers).
    default_provider: str = "offline"
    log_level: str = "INFO"
    # "text": the usual lines; "json": one JSON object per record (time, level, logger, message,
    # exception, extra fields) for log collectors (core/log_format.py).
    log_format: Literal["text", "json"] = "text"
    # Largest file a download may write, in bytes (a guard against a runaway server).
    max_download_bytes: int = 4 * 1024**3
    genaipro: GenAIProSettings = Field(default_factory=GenAIProSettings)
    google: GoogleSettings = Field(default_factory=GoogleSettings)
    offline: OfflineSettings = Field(default_factory=OfflineSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    elevenlabs: ElevenLabsSettings = Field(default_factory=ElevenLabsSettings)
    openrouter: OpenRouterSettings = Field(default_factory=OpenRouterSettings)
    did: DIDSettings = Field(default_factory=DIDSettings)
    tavus: TavusSettings = Field(default_factory=TavusSettings)
    tutor: TutorSettings = Field(default_factory=TutorSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)

    @model_validator(mode="before")
    @classmethod
    def _seed_aliases(cls, data: Any) -> Any:
        """Accept the original Studio's ``VEO_API_KEY`` / ``VEO_BASE_URL`` when ours are unset."""
        if not isinstance(data, dict):
            return data
        genaipro = data.get("genaipro")
        section: dict[str, Any] = dict(genaipro) if isinstance(genaipro, dict) else {}
        for legacy, field in (("VEO_API_KEY", "api_key"), ("VEO_BASE_URL", "base_url")):
            value = os.environ.get(legacy) or _dotenv_value(legacy)
            if value and field not in section:
                section[field] = value
        if section or genaipro is not None:
            data = {**data, "genaipro": section}
        return data

    @property
    def database_url_resolved(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'framecast.db'}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


def _dotenv_value(name: str) -> str | None:
    path = Path(".env")
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == name:
            return value.strip().strip("'\"")
    return None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; tests call ``get_settings.cache_clear()``.

    Raises ``ConfigurationError`` naming each refused variable (``FRAMECAST_LOG_FORMAT: ...``), so that
    a command stops with one line instead of a traceback.
    """
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigurationError(settings_problems(exc)) from None


def settings_problems(error: ValidationError) -> str:
    """What ``error`` refused, one problem per variable: ``FRAMECAST_<SECTION>__<FIELD>: <why>``."""
    problems = []
    for problem in error.errors():
        why = str(problem["msg"]).removeprefix("Value error, ")
        if "FRAMECAST_" not in why:
            fields = [str(part) for part in problem["loc"] if not isinstance(part, int)]
            why = f"FRAMECAST_{'__'.join(fields).upper()}: {why}"
        problems.append(why)
    return "; ".join(problems)
