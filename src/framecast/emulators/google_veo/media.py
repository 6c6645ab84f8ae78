"""The card text on the Google emulator's media; the renders and their cache are the GenAIPro
emulator's (:class:`framecast.emulators.genaipro.media.MediaLibrary`)."""

from __future__ import annotations

from framecast.providers.base import Mode

GOOGLE_CARDS = {
    Mode.TEXT: "Google Veo emulator: text to video",
    Mode.FRAMES: "Google Veo emulator: frames to video",
    Mode.INGREDIENTS: "Google Veo emulator: ingredients to video",
    Mode.IMAGE: "Google Imagen emulator: create image",
}
