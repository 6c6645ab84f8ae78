"""How a generation request and its output names are stored in a job row (JSON) and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from framecast.providers.base import Aspect, GenerationRequest, Mode


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
    )


def output_stems(data: dict[str, Any]) -> list[str]:
    stems = list(data.get("stems") or [])
    if not stems:
        raise ValueError("job request has no output names")
    return stems
