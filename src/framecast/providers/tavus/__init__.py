"""Tavus real-time avatar conversations."""

from __future__ import annotations

from framecast.providers.tavus.conversations import TavusConversation, TavusConversations

__all__ = ["TavusConversation", "TavusConversations"]
