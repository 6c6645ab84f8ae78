"""What Google charges, as an estimate in US dollars: Google bills money, not credits, and only for
what it generated (a failed or fully filtered operation produces no video and is not billed).

Google's own pricing page (https://ai.google.dev/gemini-api/docs/pricing) cannot be read from
here; the figures below are copies of it, each named with where and when it was read:

- Veo 3.1 (standard): $0.40 a second at 720p and 1080p, $0.60 at 4k — the api-evangelist/gemini
  transcription of Google's page (plans/gemini-plans-pricing.yml, generated 2026-09-20, "every
  price_text was found verbatim in the fetched page text": "Veo 3.1 Standard video with audio
  $0.40 (720p and 1080p) … $0.60 (4k)"); reapi.ai's table citing the same page (May 2026) agrees.
- Veo 3.1 Fast: $0.10 at 720p, $0.12 at 1080p, $0.30 at 4k — reapi.ai ("Cheapest Veo 3.1 API in
  2026", May 2026, quoting the Gemini API docs; earlier copies of 2025 said $0.15 at every size).
- Veo 3.0 and Fast: $0.40 and $0.15 a second (secondary copies of late 2025; not re-checked).
- Imagen 4: $0.04 an image (secondary copies of 2025).

Check them against Google's page before relying on an estimate; a model not listed has no estimate.
"""

from __future__ import annotations

from collections.abc import Mapping

# The day the figures below were read: the "price table of <date>" next to every estimate.
PRICE_DATE = "2026-12-04"
PRICE_SOURCE = (
    "copies of https://ai.google.dev/gemini-api/docs/pricing (Veo 3.1: transcribed 2026-09-20; "
    f"others: secondary sources), read {PRICE_DATE}"
)

# The resolution a request that names none gets (Veo 3.x: 720p).
DEFAULT_RESOLUTION = "720p"
# US dollars per second of generated video, by model and resolution.
DOLLARS_PER_VIDEO_SECOND: dict[str, dict[str, float]] = {
    "veo-3.1-generate-preview": {"720p": 0.40, "1080p": 0.40, "4k": 0.60},
    "veo-3.1-generate-001": {"720p": 0.40, "1080p": 0.40, "4k": 0.60},
    "veo-3.1-fast-generate-preview": {"720p": 0.10, "1080p": 0.12, "4k": 0.30},
    "veo-3.1-fast-generate-001": {"720p": 0.10, "1080p": 0.12, "4k": 0.30},
    "veo-3.0-generate-001": {"720p": 0.40, "1080p": 0.40},
    "veo-3.0-fast-generate-001": {"720p": 0.15, "1080p": 0.15},
}
# US dollars per image, by model.
DOLLARS_PER_IMAGE: dict[str, float] = {
    "imagen-4.0-generate-001": 0.04,
}
# The length of a video when the request does not say (Veo 3.x makes 8-second clips by default).
DEFAULT_VIDEO_SECONDS = 8.0


def video_price(model: str) -> float | None:
    """Dollars a second at the default resolution, None for a model not in the table."""
    return video_prices(model).get(DEFAULT_RESOLUTION)


def video_prices(model: str) -> Mapping[str, float]:
    """Dollars a second by resolution (empty for a model not in the table)."""
    return DOLLARS_PER_VIDEO_SECOND.get(model, {})


def image_price(model: str) -> float | None:
    return DOLLARS_PER_IMAGE.get(model)
