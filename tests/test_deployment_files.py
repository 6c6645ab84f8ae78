"""``Dockerfile`` and ``compose.yaml`` name only commands, options and settings that exist.

No container engine runs here, so the files are read as text: every ``framecast …`` command they run
goes through the real command's parser (Click, as ``framecast`` itself parses it), every
``FRAMECAST_*`` variable must be a field of :class:`Settings` (nested ``__`` ones too) and validate,
and the published ports must be the ones the commands listen on and the image exposes.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.core
import yaml
from pydantic import BaseModel
from typer.testing import CliRunner

from framecast.cli.main import mounted_app
from framecast.core.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
# What a server in a container listens on to be reachable from outside it.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the address the files must use, not one this test binds
PREFIX = "FRAMECAST_"
# Variables of our image that are Python's or pip's, not Framecast settings.
RUNTIME_VARIABLES = re.compile(r"PYTHON[A-Z_]*|PIP_[A-Z_]+")
# ``${NAME}``, ``${NAME:-default}``, ``${NAME-default}``: compose fills these in from the shell or .env.
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?P<default>[^}]*))?\}")


# Reading the files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dockerfile:
    instructions: list[tuple[str, str]]

    def values(self, instruction: str) -> list[str]:
        return [value for name, value in self.instructions if name == instruction]

    def exec_form(self, instruction: str) -> list[str] | None:
        """The last CMD or ENTRYPOINT as a list; only the JSON (exec) form is accepted, so that the
        command is PID 1 and receives SIGTERM."""
        values = self.values(instruction)
        if not values:
            return None
        argv = json.loads(values[-1])
        assert isinstance(argv, list), f"{instruction} must be in exec form: {values[-1]}"
        return [str(part) for part in argv]

    def env(self) -> dict[str, str]:
        variables: dict[str, str] = {}
        for value in self.values("ENV"):
            for pair in shlex.split(value):
                name, sep, text = pair.partition("=")
                assert sep, f"ENV needs NAME=value pairs: {value}"
                variables[name] = text
        return variables


def read_dockerfile() -> Dockerfile:
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        name, _, value = (pending + line).partition(" ")
        instructions.append((name.upper(), value.strip()))
        pending = ""
    return Dockerfile(instructions)


def read_compose() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(compose, dict)
    return compose


def interpolated(text: str) -> str:
    """``text`` as compose would fill it in with nothing set: each variable's default, else empty."""
    return INTERPOLATION.sub(lambda match: match.group("default") or "", text)


def argv_of(value: str | list[Any]) -> list[str]:
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    return {str(name): interpolated(str(value)) for name, value in environment.items()}


def runs_our_image(service: dict[str, Any]) -> bool:
    return "build" in service or str(service.get("image", "")).startswith("framecast")


def framecast_services() -> dict[str, dict[str, Any]]:
    return {name: service for name, service in read_compose()["services"].items() if runs_our_image(service)}


def service_argv(service: dict[str, Any]) -> list[str]:
    """What a service of our image runs: its entrypoint and command, else the image's."""
    dockerfile = read_dockerfile()
    entrypoint = (
        argv_of(service["entrypoint"]) if "entrypoint" in service else dockerfile.exec_form("ENTRYPOINT")
    )
    command = argv_of(service["command"]) if "command" in service else dockerfile.exec_form("CMD")
    return [*(entrypoint or []), *(command or [])]


# Checking commands and settings against the real ones ----------------------------------------------


@dataclass(frozen=True)
class Parsed:
    path: tuple[str, ...]  # the command names, e.g. ("emulator", "genaipro")
    params: dict[str, Any]  # every option's value, converted as the command receives it


def parsed(argv: list[str]) -> Parsed:
    """``argv`` as the real ``framecast`` parses it (converted, not run).

    Fails when a command name, an option or an option's value is wrong: ``--help`` after the exact
    command must succeed (Click resolves every command name on the way), and the command itself must
    then parse every option given."""
    assert argv[:1] == ["framecast"], f"not a framecast command: {argv}"
    app = mounted_app()
    help_result = CliRunner().invoke(app, [*argv[1:], "--help"])
    assert help_result.exit_code == 0, f"{shlex.join(argv)}: {help_result.output}"
    # typer ships its own copy of Click; its classes are reached through typer's public modules.
    command = typer.main.get_command(app)
    path: list[str] = []
    rest = argv[1:]
    while isinstance(command, typer.core.TyperGroup) and rest and not rest[0].startswith("-"):
        assert rest[0] in command.commands, f"{shlex.join(argv)}: no command {rest[0]!r}"
        command = command.commands[rest[0]]
        path.append(rest.pop(0))
    try:
        with command.make_context(" ".join(["framecast", *path]), rest) as ctx:
            return Parsed(tuple(path), dict(ctx.params))
    except typer.TyperException as exc:
        pytest.fail(f"{shlex.join(argv)}: {exc.format_message()}")


def setting_field(variable: str) -> bool:
    """Whether ``FRAMECAST_A__B`` names a field ``a.b`` of :class:`Settings`."""
    if not variable.startswith(PREFIX):
        return False
    model: type[BaseModel] = Settings
    *sections, leaf = variable.removeprefix(PREFIX).lower().split("__")
    for section in sections:
        field = model.model_fields.get(section)
        annotation = field.annotation if field else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return False
        model = annotation
    return leaf in model.model_fields


def assert_settings(variables: dict[str, str], where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every variable is a setting of ours, and together they make valid settings."""
    unknown = [
        name for name in variables if not RUNTIME_VARIABLES.fullmatch(name) and not setting_field(name)
    ]
    assert not unknown, f"{where}: not Framecast settings: {unknown}"
    with monkeypatch.context() as env:
        for name, value in variables.items():
            env.setenv(name, value)
        Settings()  # raises when a value does not validate


def published_container_ports(service: dict[str, Any]) -> set[int]:
    ports: set[int] = set()
    for entry in service.get("ports", []):
        target = entry.get("target") if isinstance(entry, dict) else str(entry).rsplit(":", 1)[-1]
        ports.add(int(str(target).split("/")[0]))
    return ports


# The tests -----------------------------------------------------------------------------------------


def test_the_framecast_command_of_the_files_is_the_packaged_one() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["framecast"] == "framecast.cli.main:main"


def test_the_image_is_python_3_11_slim_run_by_a_user_of_its_own() -> None:
    dockerfile = read_dockerfile()
    assert dockerfile.values("FROM")[0] == "python:3.11-slim"
    assert any(re.fullmatch(r"pip install \.( .*)?", run) for run in dockerfile.values("RUN"))
    users = dockerfile.values("USER")
    assert users, "the image must not run as root"
    assert users[-1] not in {"root", "0"}


def test_the_images_default_command_exists_and_listens_on_the_exposed_port() -> None:
    dockerfile = read_dockerfile()
    argv = [*(dockerfile.exec_form("ENTRYPOINT") or []), *(dockerfile.exec_form("CMD") or [])]
    ctx = parsed(argv)
    assert ctx.path == ("serve",)
    assert ctx.params["host"] == ALL_INTERFACES
    exposed = {int(port.split("/")[0]) for value in dockerfile.values("EXPOSE") for port in value.split()}
    assert exposed == {ctx.params["port"]}


def test_the_images_variables_are_settings_and_its_data_dir_is_the_volume(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dockerfile = read_dockerfile()
    variables = dockerfile.env()
    assert_settings(variables, "Dockerfile ENV", monkeypatch)
    volumes = [path for value in dockerfile.values("VOLUME") for path in argv_of(json.loads(value))]
    assert volumes == [variables["FRAMECAST_DATA_DIR"]]


def test_every_service_of_our_image_runs_an_existing_command_with_existing_options() -> None:
    services = framecast_services()
    assert services
    for name, service in services.items():
        parsed(service_argv(service))
        assert "healthcheck" not in service or "framecast" not in str(service["healthcheck"]), name


def test_every_framecast_variable_in_compose_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, service in framecast_services().items():
        assert_settings(environment_of(service), f"compose service {name}", monkeypatch)


def test_the_services_are_a_database_a_migration_a_server_two_workers_and_an_optional_emulator() -> None:
    compose = read_compose()
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    assert "healthcheck" in services["db"]
    commands = {name: parsed(service_argv(service)) for name, service in framecast_services().items()}
    assert {name: ctx.path for name, ctx in commands.items()} == {
        "migrate": ("db", "upgrade"),
        "server": ("serve",),
        "worker": ("worker",),
        "emulator": ("emulator", "genaipro"),
    }
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("server", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert commands["server"].params["no_worker"] is True
    assert services["worker"]["deploy"]["replicas"] == 2
    assert services["emulator"]["profiles"] == ["emulator"]
    assert all("profiles" not in service for name, service in services.items() if name != "emulator")
    for name in ("migrate", "server", "worker"):
        assert environment_of(services[name])["FRAMECAST_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_published_ports_are_the_ones_the_commands_listen_on_and_the_image_exposes() -> None:
    services = framecast_services()
    for name, service in services.items():
        ports = published_container_ports(service)
        if not ports:
            continue
        ctx = parsed(service_argv(service))
        assert ctx.params["host"] == ALL_INTERFACES, f"{name} must listen beyond the container"
        assert ports == {ctx.params["port"]}, name
    exposed = {
        int(port.split("/")[0]) for value in read_dockerfile().values("EXPOSE") for port in value.split()
    }
    assert published_container_ports(services["server"]) == exposed


def test_every_service_of_our_image_that_uses_the_data_dir_mounts_it_where_the_settings_point() -> None:
    data_dir = read_dockerfile().env()["FRAMECAST_DATA_DIR"]
    for name, service in framecast_services().items():
        if name == "emulator":  # needs no data dir
            continue
        assert environment_of(service).get("FRAMECAST_DATA_DIR", data_dir) == data_dir
        targets = [str(volume).split(":")[1] for volume in service.get("volumes", [])]
        assert data_dir in targets, name
