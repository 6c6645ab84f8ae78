"""A chat reply as a validated pydantic object, with one repair round when the model gets it wrong."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from framecast.core.errors import ErrorCategory, PermanentError
from framecast.providers.base import ChatMessage, ChatModel

T = TypeVar("T", bound=BaseModel)

# Local models often wrap JSON in a Markdown code fence even when asked not to.
_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)


async def complete_json(
    model: ChatModel,
    messages: Sequence[ChatMessage],
    schema: type[T],
    *,
    temperature: float = 0.3,
) -> T:
    """The reply to ``messages`` parsed as ``schema``.

    When the first reply does not validate, the model is shown its reply and the validation error
    and asked once more. Raises ``PermanentError`` (category ``invalid_input``) when the second
    reply does not validate either, and whatever ``model.complete`` raises.
    """
    json_schema = schema.model_json_schema()
    reply = await model.complete(messages, json_schema=json_schema, temperature=temperature)
    try:
        return _parse(reply, schema)
    except ValidationError as first:
        repair = [
            *messages,
            ChatMessage(role="assistant", content=reply),
            ChatMessage(
                role="user",
                content=(
                    "That reply does not match the required JSON schema:\n"
                    f"{_brief(first)}\n"
                    "Answer again with only the corrected JSON document, nothing else."
                ),
            ),
        ]
    reply = await model.complete(repair, json_schema=json_schema, temperature=temperature)
    try:
        return _parse(reply, schema)
    except ValidationError as second:
        raise PermanentError(
            f"the model's reply did not match {schema.__name__} even after a repair attempt:\n"
            f"{_brief(second)}",
            provider=model.name,
            category=ErrorCategory.INVALID_INPUT,
        ) from second


def _parse(reply: str, schema: type[T]) -> T:
    fenced = _FENCE.match(reply)
    return schema.model_validate_json(fenced.group(1) if fenced else reply.strip())


def _brief(error: ValidationError) -> str:
    """The validation problems, one per line, without pydantic's documentation links."""
    lines = []
    for problem in error.errors(include_url=False)[:10]:
        where = ".".join(str(p) for p in problem["loc"]) or "(whole document)"
        lines.append(f"- {where}: {problem['msg']}")
    return "\n".join(lines)
