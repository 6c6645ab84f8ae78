"""What Google charges, as an estimate in US dollars: Google bills money, not credits, and only for
what it generated (a failed or fully filtered operation produces no video and is not billed).

UNVERIFIED: Google's own pricing page (https://ai.google.dev/gemini-api/docs/pricing) was not
available to check; the figures below come from secondary sources read on 2026-12-03 —
fastgptplus.com/en/posts/gemini-api-key-veo-31 ("$0.15-$0.40 per second", 2025-10-18) and
docs.dev.xavier.icvr.xyz/models/google-vertex/veo-3.1.html (Veo 3.1 $0.40/s, Fast $0.15/s; Veo 3.0
the same). Check them against Google's page before relying on an estimate; a model not listed has
no estimate.
"""

from __future__ import annotations

# The day the figures below were read: the "price table of <date>" next to every estimate.
PRICE_DATE = "2026-12-03"
PRICE_SOURCE = (
    f"unverified: secondary copies of https://ai.google.dev/gemini-api/docs/pricing, read {PRICE_DATE}"
)

# US dollars per second of generated video, by model.
DOLLARS_PER_VIDEO_SECOND: dict[str, float] = {
    "veo-3.1-generate-preview": 0.40,
    "veo-3.1-fast-generate-preview": 0.15,
    "veo-3.0-generate-001": 0.40,
    "veo-3.0-fast-generate-001": 0.15,
}
# US dollars per image, by model (unverified as above).
DOLLARS_PER_IMAGE: dict[str, float] = {
    "imagen-4.0-generate-001": 0.04,
}
# The length of a video when the request does not say (Veo 3.x makes 8-second clips by default).
DEFAULT_VIDEO_SECONDS = 8.0


def video_price(model: str) -> float | None:
    return DOLLARS_PER_VIDEO_SECOND.get(model)


def image_price(model: str) -> float | None:
    return DOLLARS_PER_IMAGE.get(model)
