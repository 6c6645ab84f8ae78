"""``framecast tutor chat`` through the real command: a piped conversation, stored and scored."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import select

from framecast.core.settings import get_settings
from framecast.db.session import Database
from framecast.db.tutor import Conversation, Progress, TutorSession


def chat(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "framecast", "tutor", "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
        check=False,
    )


def test_a_piped_conversation_is_corrected_answered_stored_and_scored() -> None:
    result = chat(stdin="Yesterday I go to the park and I see an dog.\nI like coffee.\n/quit\n")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "go → went" in out
    assert "see → saw" in out
    assert "an dog → a dog" in out
    assert "better: Yesterday I went to the park and I saw a dog." in out
    assert out.count("tutor:") == 3  # the greeting and two replies
    assert "session ended: grammar" in out
    db = Database.from_settings(get_settings())
    try:
        with db.session() as session:
            stored = session.scalar(select(TutorSession))
            assert stored is not None
            assert stored.ended_at is not None
            roles = session.scalars(select(Conversation.role).order_by(Conversation.seq)).all()
            assert roles == ["assistant", "user", "assistant", "user", "assistant"]
            progress = session.scalar(select(Progress))
            assert progress is not None
            assert progress.grammar_score > 0
            assert progress.total_sessions == 1
    finally:
        db.dispose()


def test_korean_explanations_and_bad_options() -> None:
    korean = chat("--language", "ko", stdin="She go to school.\n")
    assert korean.returncode == 0, korean.stderr
    assert any("\uac00" <= ch <= "\ud7a3" for ch in korean.stdout)  # Hangul in the explanation

    bad = chat("--difficulty", "expert", stdin="")
    assert bad.returncode == 2
    assert "difficulty" in bad.stderr
