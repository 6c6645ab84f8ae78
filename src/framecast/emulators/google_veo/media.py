"""The files the Google emulator serves: the GenAIPro emulator's renders of the offline renderer
(one clip per mode and aspect, one image per aspect, rendered once and cached), with cards that say
which emulator made them."""

from __future__ import annotations

from pathlib import Path

from framecast.emulators.genaipro.media import FPS
from framecast.emulators.genaipro.media import MediaLibrary as _RenderCache
from framecast.providers.base import Aspect, Mode

CARD_TEXT = {
    Mode.TEXT: "Google Veo emulator: text to video",
    Mode.FRAMES: "Google Veo emulator: frames to video",
    Mode.INGREDIENTS: "Google Veo emulator: ingredients to video",
    Mode.IMAGE: "Google Imagen emulator: create image",
}


class MediaLibrary(_RenderCache):
    """The GenAIPro emulator's cache and render steps, with this emulator's card text.

    (The render steps are the base class's, only the text differs; once the base class takes the
    card text as an argument this class can go.)
    """

    def _render_video(self, mode: Mode, aspect: Aspect, start: Path | None, dest: Path) -> None:
        from framecast.providers.offline import render

        text, seconds, size, seed = CARD_TEXT[mode], self.seconds, self.short_side, self.seed
        if mode is Mode.TEXT or start is None:
            render.render_text_video(text, aspect, dest, seconds=seconds, fps=FPS, short_side=size, seed=seed)
        elif mode is Mode.FRAMES:
            render.render_frames_video(
                text, start, None, aspect, dest, seconds=seconds, fps=FPS, short_side=size, seed=seed
            )
        else:
            render.render_ingredients_video(
                text, [start], aspect, dest, seconds=seconds, fps=FPS, short_side=size, seed=seed
            )

    def _render_image(self, aspect: Aspect, dest: Path) -> None:
        from framecast.providers.offline import render

        render.render_image(CARD_TEXT[Mode.IMAGE], aspect, dest, short_side=self.short_side, seed=self.seed)
