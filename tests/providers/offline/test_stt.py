async def test_silence_and_a_too_short_clip_are_heard_as_nothing() -> None:
    from framecast.providers.offline.audio import pcm_to_wav
    from framecast.providers.offline.stt import OfflineSpeechToTextProvider, is_silent

    provider = OfflineSpeechToTextProvider()
    assert (await provider.transcribe(pcm_to_wav(bytes(32000), 16000))).text == ""
    assert (await provider.transcribe(pcm_to_wav(b"\x00\x10\x00\xf0" * 16, 16000))).text == ""  # 4 ms
    assert is_silent(b"")
    assert not is_silent((b"\x00\x10\x00\xf0") * 4000)
