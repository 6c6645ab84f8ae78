"""The storyboard card: sized for its aspect, labelled, different per seed, and moving on video."""

from __future__ import annotations

import itertools

import numpy as np
from tests.providers.offline.offline_media import mad

from framecast.providers.offline.cards import PALETTES, card_frames, card_still, pick_palette, render_card

PROMPT = "A paper boat drifting down a rainy street, macro lens"


def test_consecutive_seeds_get_different_palettes() -> None:
    palettes = {pick_palette(PROMPT, seed) for seed in range(4)}
    assert len(palettes) == 4
    assert palettes <= set(PALETTES)


def test_the_still_differs_between_seeds_and_is_the_same_for_the_same_seed() -> None:
    first = card_still(PROMPT, 256, 144, 0)

    assert first.shape == (144, 256, 3)
    assert mad(first, card_still(PROMPT, 256, 144, 0)) == 0
    assert mad(first, card_still(PROMPT, 256, 144, 1)) > 5


def test_the_still_carries_the_label_in_its_top_left_corner() -> None:
    bare = render_card(PROMPT, 400, 224, 0, kicker="Storyboard · image")
    labelled = card_still(PROMPT, 400, 224, 0)

    corner = (slice(0, 40), slice(0, 160))
    assert mad(bare[corner], labelled[corner]) > 5
    assert mad(bare[112:], labelled[112:]) == 0


def test_the_prompt_is_drawn_in_light_letters_across_the_middle_of_the_card() -> None:
    card = render_card(PROMPT, 400, 224, 0, kicker="")

    def light(region: np.ndarray) -> int:
        return int((region.min(axis=2) > 225).sum())

    assert light(card[80:150, 40:360]) > 200
    assert light(card[:40]) == 0
    assert light(card[190:]) == 0


def test_card_frames_move_and_keep_their_size() -> None:
    frames = list(card_frames(PROMPT, 192, 108, 10, 0))

    assert len(frames) == 10
    assert all(frame.shape == (108, 192, 3) for frame in frames)
    assert mad(frames[0], frames[-1]) > 2
    assert all(mad(a, b) > 0 for a, b in itertools.pairwise(frames))
