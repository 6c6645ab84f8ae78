"""The Gemini API routes the ``google-genai`` SDK calls for Veo and Imagen (Gemini Developer API
mode, ``v1beta``), as the SDK's converters read and write them:

- ``POST /v1beta/models/{model}:predictLongRunning`` — ``instances[0]`` (``prompt``, ``image``,
  ``lastFrame``, ``referenceImages``) and ``parameters`` (``sampleCount``, ``aspectRatio``,
  ``durationSeconds``, ``resolution``, ``personGeneration``, ``negativePrompt``); answers
  ``{"name": "models/{model}/operations/{id}"}``.
- ``GET /v1beta/models/{model}/operations/{id}`` — ``{"name"}`` while running; done:
  ``response.generateVideoResponse.generatedSamples[].video.uri`` (or ``raiMediaFilteredCount`` /
  ``raiMediaFilteredReasons``), or ``error``.
- ``GET /v1beta/files/{id}:download?alt=media`` — the video's bytes (what ``files.download`` fetches
  for a video's ``uri``, which names Google's host as the real service does: the SDK keeps only the
  file id from it and asks its own base URL).
- ``POST /v1beta/models/{model}:predict`` — Imagen: ``predictions[].bytesBase64Encoded``.

The key is read from ``x-goog-api-key`` (what the SDK sends) or the ``key`` query parameter. Errors
have Google's shape: ``{"error": {"code", "message", "status", "details"}}``.
"""

from __future__ import annotations

import base64
import binascii
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from framecast.emulators.genaipro.media import MediaLibrary
from framecast.emulators.genaipro.sse import DroppedConnection, quiet_deliberate_drops
from framecast.emulators.google_veo.admin import admin_routes
from framecast.emulators.google_veo.config import EmulatorConfig
from framecast.emulators.google_veo.faults import FaultKind, FaultPicker, FaultTarget
from framecast.emulators.google_veo.media import GOOGLE_CARDS
from framecast.emulators.google_veo.state import FILE_HOST, EmulatorState, Operation
from framecast.providers.base import Aspect, Mode

API_PREFIX = "/v1beta"
ASPECTS = {"16:9": Aspect.LANDSCAPE, "9:16": Aspect.PORTRAIT, "1:1": Aspect.SQUARE}
VIDEO_DURATIONS = (4, 5, 6, 7, 8)
RAI_REASON = (
    "Your prompt may contain sensitive words that violate our Responsible AI practices. Try "
    "rephrasing the prompt. Support code: 17301594"
)


class GoogleEmulator:
    """One emulated Google account: its config, state, faults and rendered media."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.initial_config = config
        self._temp = tempfile.TemporaryDirectory(prefix="framecast-google-emulator-")
        self.reset(config)
        root = config.media_dir or Path(self._temp.name)
        self.media = MediaLibrary(
            root,
            seconds=config.media_seconds,
            short_side=config.media_size,
            seed=config.seed,
            cards=GOOGLE_CARDS,
            cards_name="google",
        )

    def reset(self, config: EmulatorConfig) -> None:
        self.config = config
        self.state = EmulatorState()
        self.faults = FaultPicker(config.fault_rate, config.seed, config.fault_kinds)

    def close(self) -> None:
        self._temp.cleanup()


def google_error(
    code: int, status: str, message: str, details: list[dict[str, Any]] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=code)


def create_app(config: EmulatorConfig) -> Starlette:
    quiet_deliberate_drops()
    emulator = GoogleEmulator(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            emulator.close()

    def refused_key(request: Request) -> Response | None:
        key = request.headers.get("x-goog-api-key") or request.query_params.get("key") or ""
        if not key.strip():
            return google_error(
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers. "
                "Please use API Key or other form of API consumer identity to call this API.",
            )
        expected = emulator.config.api_key
        if expected is not None and key != expected:
            return google_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
            )
        return None

    def create_fault(kind: FaultKind | None) -> Response | None:
        if kind is FaultKind.RESOURCE_EXHAUSTED:
            emulator.state.stats["refused"] += 1
            return google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "You exceeded your current quota, please check your plan and billing details.",
                [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s"}],
            )
        if kind is FaultKind.UNAVAILABLE:
            emulator.state.stats["refused"] += 1
            return google_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")
        return None

    async def models_post(request: Request) -> Response:
        rest = request.path_params["rest"]
        model, _, method = rest.rpartition(":")
        if method not in ("predictLongRunning", "predict") or not model:
            return google_error(404, "NOT_FOUND", f"Method not found: {rest}")
        refusal = refused_key(request)
        if refusal is not None:
            return refusal
        emulator.state.stats["requests"] += 1
        try:
            body = await request.json()
            instance = (body.get("instances") or [{}])[0]
            parameters = body.get("parameters") or {}
        except (ValueError, AttributeError, IndexError, TypeError):
            return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        kind = emulator.faults.pick(FaultTarget.CREATE)
        if kind is not None:
            emulator.state.faults[kind.value] += 1
        refused = create_fault(kind)
        if refused is not None:
            return refused
        if method == "predict":
            return await predict_images(model, instance, parameters, kind)
        problem, mode = _video_request(instance, parameters)
        if problem:
            return google_error(400, "INVALID_ARGUMENT", problem)
        operation = emulator.state.create_operation(
            model,
            mode,
            ASPECTS[parameters.get("aspectRatio", "16:9")],
            int(parameters.get("sampleCount", 1)),
            str(instance.get("prompt") or ""),
            kind if kind and kind.creates else None,
        )
        # Render before answering, so the clip is ready when the operation is done (a cold render
        # takes seconds; the operation's latency is counted from creation all the same).
        await _media_for(emulator, operation.mode, operation.aspect)
        return JSONResponse({"name": operation.name})

    async def predict_images(
        model: str, instance: dict[str, Any], parameters: dict[str, Any], kind: FaultKind | None
    ) -> Response:
        prompt = str(instance.get("prompt") or "")
        if not prompt.strip():
            return google_error(400, "INVALID_ARGUMENT", "A prompt is required.")
        aspect = ASPECTS.get(str(parameters.get("aspectRatio", "1:1")))
        count = int(parameters.get("sampleCount", 4))
        if aspect is None or not 1 <= count <= 4:
            return google_error(400, "INVALID_ARGUMENT", "aspectRatio or sampleCount is not supported.")
        emulator.state.prompts.append(prompt)
        if kind in (FaultKind.RAI_FILTERED, FaultKind.OPERATION_ERROR):
            return JSONResponse({"predictions": [{"raiFilteredReason": RAI_REASON}] * count})
        image = await emulator.media.image(aspect)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        emulator.state.stats["images_created"] += count
        return JSONResponse(
            {"predictions": [{"bytesBase64Encoded": encoded, "mimeType": "image/png"}] * count}
        )

    async def get_resource(request: Request) -> Response:
        name = request.path_params["rest"]
        if "/operations/" not in name:
            if name.startswith("files/") and name.endswith(":download"):
                return await download(request, name.removeprefix("files/").removesuffix(":download"))
            return google_error(404, "NOT_FOUND", f"Requested entity was not found: {name}")
        refusal = refused_key(request)
        if refusal is not None:
            return refusal
        emulator.state.stats["polls"] += 1
        operation = emulator.state.operations.get(name)
        if operation is None:
            return google_error(404, "NOT_FOUND", f"Operation not found: {name}")
        kind = emulator.faults.pick(FaultTarget.POLL)
        if kind is not None:
            emulator.state.faults[kind.value] += 1
        if kind is FaultKind.POLL_UNAVAILABLE:
            return google_error(503, "UNAVAILABLE", "The service is currently unavailable.")
        body = _operation_json(emulator, operation)
        if kind is FaultKind.DROP_POLL:
            return CutResponse(body)
        return JSONResponse(body)

    async def download(request: Request, file_id: str) -> Response:
        refusal = refused_key(request)
        if refusal is not None:
            return refusal
        found = emulator.state.files.get(file_id)
        if found is None:
            return google_error(404, "NOT_FOUND", f"File {file_id} not found.")
        emulator.state.stats["downloads"] += 1
        return FileResponse(await _media_for(emulator, *found), media_type="video/mp4")

    routes = [
        Route(f"{API_PREFIX}/models/{{rest:path}}", models_post, methods=["POST"]),
        Route(f"{API_PREFIX}/{{rest:path}}", get_resource, methods=["GET"]),
        *admin_routes(emulator),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.emulator = emulator
    return app


def emulator_of(app: Starlette) -> GoogleEmulator:
    emulator: GoogleEmulator = app.state.emulator
    return emulator


async def _media_for(emulator: GoogleEmulator, mode: Mode, aspect: Aspect) -> Path:
    return await emulator.media.video(mode, aspect)


def _video_request(instance: dict[str, Any], parameters: dict[str, Any]) -> tuple[str | None, Mode]:
    """A problem with the request as the real API words it (None when fine), and its mode."""
    references = instance.get("referenceImages") or []
    image = instance.get("image")
    mode = Mode.INGREDIENTS if references else Mode.FRAMES if image else Mode.TEXT
    if not str(instance.get("prompt") or "").strip() and mode is not Mode.FRAMES:
        return "A prompt is required.", mode
    if parameters.get("aspectRatio", "16:9") not in ("16:9", "9:16"):
        return "aspectRatio must be 16:9 or 9:16.", mode
    if not 1 <= int(parameters.get("sampleCount", 1)) <= 4:
        return "sampleCount must be between 1 and 4.", mode
    duration = parameters.get("durationSeconds")
    if duration is not None and int(duration) not in VIDEO_DURATIONS:
        return f"durationSeconds must be one of {', '.join(map(str, VIDEO_DURATIONS))}.", mode
    if references and (image or instance.get("lastFrame")):
        return "referenceImages cannot be combined with image or lastFrame.", mode
    if len(references) > 3:
        return "At most 3 asset reference images are supported.", mode
    if instance.get("lastFrame") and not image:
        return "lastFrame needs an image.", mode
    for picture in [image, instance.get("lastFrame"), *[r.get("image") for r in references]]:
        if picture is None:
            continue
        try:
            base64.b64decode(picture.get("bytesBase64Encoded") or "", validate=True)
        except (binascii.Error, AttributeError):
            return "Image bytes are not valid base64.", mode
    return None, mode


def _operation_json(emulator: GoogleEmulator, operation: Operation) -> dict[str, Any]:
    if time.monotonic() - operation.created < emulator.config.latency:
        return {
            "name": operation.name,
            "metadata": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningMetadata"
            },
        }
    body: dict[str, Any] = {"name": operation.name, "done": True}
    if operation.fault is FaultKind.OPERATION_ERROR:
        body["error"] = {"code": 13, "message": "Video generation failed due to an internal error."}
        _finish(emulator, operation, failed=True)
        return body
    if operation.fault is FaultKind.RAI_FILTERED:
        samples: dict[str, Any] = {
            "raiMediaFilteredCount": operation.count,
            "raiMediaFilteredReasons": [RAI_REASON],
        }
        _finish(emulator, operation, failed=True)
    else:
        if not operation.file_ids:
            operation.file_ids = [
                emulator.state.add_file(operation.mode, operation.aspect) for _ in range(operation.count)
            ]
        samples = {
            "generatedSamples": [
                {"video": {"uri": f"{FILE_HOST}{API_PREFIX}/files/{fid}:download?alt=media"}}
                for fid in operation.file_ids
            ]
        }
        _finish(emulator, operation, failed=False)
    body["response"] = {
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse",
        "generateVideoResponse": samples,
    }
    return body


def _finish(emulator: GoogleEmulator, operation: Operation, *, failed: bool) -> None:
    if not operation.finished:
        operation.finished = True
        emulator.state.stats["failed" if failed else "completed"] += 1


class CutResponse(Response):
    """A 200 whose declared body is cut halfway: the client sees the connection end mid-answer."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._payload = JSONResponse(body).body
        self.status_code = 200
        self.background = None
        self.init_headers({"content-type": "application/json", "content-length": str(len(self._payload))})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send(
            {
                "type": "http.response.body",
                "body": self._payload[: len(self._payload) // 2],
                "more_body": True,
            }
        )
        raise DroppedConnection
