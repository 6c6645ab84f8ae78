"""How a generation request and its output names are stored in a job row (JSON) and read back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from framecast.providers.base import Aspect, GenerationRequest, Mode

_T = TypeVar("_T")


def request_to_json(request: GenerationRequest, *, out_dir: Path, stems: list[str]) -> dict[str, Any]:
    """``stems`` are the output file names without extension, one per requested item."""
    return {
        "mode": request.mode.value,
        "prompt": request.prompt,
        "aspect": request.aspect.value,
        "count": request.count,
        "start_image": str(request.start_image) if request.start_image else None,
        "end_image": str(request.end_image) if request.end_image else None,
        "reference_images": [str(p) for p in request.reference_images],
        "out_dir": str(out_dir),
        "stems": stems,
        # Optional settings only when set, so rows written before they existed read the same.
        **{name: getattr(request, name) for name in request.options_given()},
    }


def request_from_json(data: dict[str, Any]) -> GenerationRequest:
    return GenerationRequest(
        mode=Mode(data["mode"]),
        prompt=data["prompt"],
        aspect=Aspect(data["aspect"]),
        count=int(data["count"]),
        start_image=Path(data["start_image"]) if data.get("start_image") else None,
        end_image=Path(data["end_image"]) if data.get("end_image") else None,
        reference_images=tuple(Path(p) for p in data.get("reference_images") or ()),
        duration_seconds=_optional(data, "duration_seconds", int),
        resolution=_optional(data, "resolution", str),
        negative_prompt=_optional(data, "negative_prompt", str),
        person_generation=_optional(data, "person_generation", str),
        seed=_optional(data, "seed", int),
        generate_audio=_optional(data, "generate_audio", bool),
    )


def _optional(data: dict[str, Any], name: str, kind: Callable[[Any], _T]) -> _T | None:
    value = data.get(name)
    return None if value is None else kind(value)


def output_stems(data: dict[str, Any]) -> list[str]:
    stems = list(data.get("stems") or [])
    if not stems:
        raise ValueError("job request has no output names")
    return stems
