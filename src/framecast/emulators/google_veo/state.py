"""The emulator's memory: operations by name, generated files by id, and the statistics."""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from framecast.emulators.google_veo.faults import FaultKind
from framecast.providers.base import Aspect, Mode

FILE_HOST = "https://generativelanguage.googleapis.com"


@dataclass
class Operation:
    name: str
    model: str
    mode: Mode
    aspect: Aspect
    count: int
    prompt: str
    created: float  # time.monotonic()
    fault: FaultKind | None = None  # operation_error / rai_filtered: how it ends
    file_ids: list[str] = field(default_factory=list)
    finished: bool = False  # counted as completed or failed already


@dataclass
class EmulatorState:
    operations: dict[str, Operation] = field(default_factory=dict)
    files: dict[str, tuple[Mode, Aspect]] = field(default_factory=dict)
    stats: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    prompts: list[str] = field(default_factory=list)

    def create_operation(
        self, model: str, mode: Mode, aspect: Aspect, count: int, prompt: str, fault: FaultKind | None
    ) -> Operation:
        name = f"models/{model}/operations/{secrets.token_hex(6)}"
        operation = Operation(name, model, mode, aspect, count, prompt, time.monotonic(), fault)
        self.operations[name] = operation
        self.stats["operations_created"] += 1
        self.prompts.append(prompt)
        return operation

    def add_file(self, mode: Mode, aspect: Aspect) -> str:
        """A new file id (lower-case letters and digits, as the SDK's file-name parser expects)."""
        file_id = secrets.token_hex(8)
        self.files[file_id] = (mode, aspect)
        return file_id

    def stats_json(self) -> dict[str, Any]:
        return {
            "requests": self.stats["requests"],
            "operations_created": self.stats["operations_created"],
            "images_created": self.stats["images_created"],
            "refused": self.stats["refused"],
            "polls": self.stats["polls"],
            "downloads": self.stats["downloads"],
            "completed": self.stats["completed"],
            "failed": self.stats["failed"],
            "running": sum(1 for op in self.operations.values() if not op.finished),
            "faults": dict(self.faults),
            "prompts": list(self.prompts),
        }
