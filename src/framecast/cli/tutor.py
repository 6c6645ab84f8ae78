"""``framecast tutor chat``: an English lesson in the terminal, offline unless ``--online``.

Each line you type is one turn: the tutor's corrections (with explanations in ``--language``), a
better way to say it, and the tutor's reply. An empty line or ``/quit`` (or end of input) ends the
session and shows its scores; the conversation is stored like any other, so it appears in the web
Tutor of the same account. Lines are read from standard input, so a script can pipe a conversation.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy import select

from framecast.cli.context import open_database, run_async
from framecast.core.errors import InvalidInputError
from framecast.core.settings import Settings, get_settings
from framecast.db.accounts import User
from framecast.db.session import Database
from framecast.tutor import store
from framecast.tutor.runtime import TutorRuntime
from framecast.tutor.sessions import create_session, end_session
from framecast.web.security.accounts import NewUser, create_user

app = typer.Typer(no_args_is_help=True, help="English conversation practice.")
console = Console(highlight=False)

_SEVERITY_COLOURS = {"high": "red", "medium": "yellow", "low": "blue"}


def _learner(db: Database, email: str) -> int:
    """The account for ``email``, created (without a usable password) when it does not exist."""
    with db.session() as session:
        user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if user_id is not None:
        return user_id
    name = email.split("@", 1)[0] or "learner"
    return create_user(db, NewUser(email, name, secrets.token_urlsafe(24), is_admin=False)).id


def _offline(settings: Settings) -> Settings:
    tutor = settings.tutor.model_copy(update={"stt": "offline", "tts": "offline", "chat": "offline"})
    return settings.model_copy(update={"tutor": tutor})


def _show(payload: dict[str, Any], audio_dir: Path | None) -> None:
    kind, data = payload["type"], payload["data"]
    if kind == "correction":
        for c in data["corrections"]:
            colour = _SEVERITY_COLOURS.get(c["severity"], "white")
            console.print(
                f"  [{colour}]{c['type']}[/]: [strike]{c['original']}[/] → [bold]{c['corrected']}[/]"
                f"  [dim]{c['explanation']}[/]"
            )
        if data.get("better_expression"):
            console.print(f"  [green]better:[/] {data['better_expression']}")
        if not data["has_errors"]:
            console.print(f"  [green]{data['feedback']}[/]")
    elif kind == "response":
        console.print(f"[bold cyan]tutor:[/] {data['text']}")
        if audio_dir is not None and data.get("audio"):
            import base64

            audio_dir.mkdir(parents=True, exist_ok=True)
            path = audio_dir / f"{data['message_id']}.mp3"
            path.write_bytes(base64.b64decode(data["audio"]))
            console.print(f"  [dim]speech: {path}[/]")
    elif kind == "video_update":
        console.print(f"  [dim]video: {data['video_url']}[/]")
    elif kind == "error":
        console.print(f"  [red]error:[/] {data['message']}")


@app.command()
def chat(
    email: Annotated[
        str, typer.Option("--email", help="The learner's account (created without a password if new).")
    ] = "learner@localhost",
    difficulty: Annotated[
        str, typer.Option("--difficulty", help="beginner | intermediate | advanced")
    ] = "beginner",
    topic: Annotated[
        str | None,
        typer.Option(
            "--topic", help="greeting, daily_life, work, travel, shopping, health, opinions, small_talk"
        ),
    ] = None,
    language: Annotated[
        str | None, typer.Option("--language", help="Explanations in en (English) or ko (Korean).")
    ] = None,
    online: Annotated[
        bool,
        typer.Option("--online", help="Use the providers configured in settings instead of offline ones."),
    ] = False,
    save_audio: Annotated[
        Path | None, typer.Option("--save-audio", help="Write the tutor's speech (MP3) into this folder.")
    ] = None,
) -> None:
    """Hold a typed conversation with the tutor; an empty line or /quit ends it."""
    settings = get_settings()
    settings = settings if online else _offline(settings)
    settings = settings.model_copy(update={"tutor": settings.tutor.model_copy(update={"avatar": "none"})})
    db = open_database(settings)
    try:
        user_id = _learner(db, email)
        info = create_session(
            db,
            user_id,
            difficulty=difficulty,
            topic=topic,
            language=language,
            default_language=settings.tutor.language,
        )
        run_async(lambda stop: _converse(db, settings, info.id, user_id, stop, save_audio))
        ended = end_session(db, info.id, user_id)
    finally:
        db.dispose()
    scores = ended.scores
    if scores is None:
        console.print("session ended (nothing was said, so nothing was scored)")
        return
    parts = [f"grammar {scores.grammar:.0f}", f"vocabulary {scores.vocabulary:.0f}"]
    if scores.pronunciation is not None:
        parts.append(f"pronunciation {scores.pronunciation:.0f}")
    console.print(f"session ended: {', '.join(parts)} (out of 100)")


async def _converse(
    db: Database,
    settings: Settings,
    session_id: str,
    user_id: int,
    stop: asyncio.Event,
    audio_dir: Path | None,
) -> None:
    runtime = TutorRuntime(db, settings)
    try:
        lesson, _ = store.lesson_for(db, session_id, user_id)

        async def send(payload: dict[str, Any]) -> None:
            _show(payload, audio_dir)

        await runtime.engine.open(lesson, send)
        while not stop.is_set():
            if sys.stdin.isatty():
                console.print("[bold]you:[/] ", end="")
            line = await asyncio.to_thread(sys.stdin.readline)
            text = line.strip()
            if not line or not text or text == "/quit":
                break
            if not sys.stdin.isatty():
                console.print(f"[bold]you:[/] {text}")
            try:
                await runtime.engine.text_turn(lesson, text, send)
            except InvalidInputError as exc:
                console.print(f"  [red]error:[/] {exc}")
    finally:
        await runtime.services.aclose()
