"""OpenRouter (or any OpenAI-compatible server) chat, and JSON replies validated by pydantic."""

from __future__ import annotations

from framecast.providers.openrouter.chat import OpenRouterChatProvider
from framecast.providers.openrouter.json_reply import complete_json

__all__ = ["OpenRouterChatProvider", "complete_json"]
