"""GenAIPro's Veo API, v1 (``https://genaipro.vn/api/v1``): paid, remote, answers over Server-Sent Events.

Each generation is one POST whose reply is an SSE stream (``starting`` -> ``processing`` -> a
completion carrying history objects with file URLs, or an ``error`` event). The stream cannot be
re-attached, so anything that ends it early is *ambiguous* and is settled through the history.

Modules:

* :mod:`~framecast.providers.genaipro.sse` — a tolerant event decoder for raw bytes (``data:`` with or
  without a space, CR/LF/CRLF, a final event without its blank line) and :func:`interpret`, which
  turns an event into ``Status`` / ``Completed`` / ``Failed`` / ``Malformed``.
* :mod:`~framecast.providers.genaipro.client` — :class:`GenAIProClient`: the POST-SSE call with the
  write-ahead journal, JSON GETs, and the translation of every failure into an error category.
* :mod:`~framecast.providers.genaipro.uploads` — images for multipart fields, typed by content.
* :mod:`~framecast.providers.genaipro.video` — :class:`GenAIProVideoProvider` (text, frames, ingredients).
* :mod:`~framecast.providers.genaipro.image` — :class:`GenAIProImageProvider` (create-image).
* :mod:`~framecast.providers.genaipro.history` — :class:`GenAIProHistoryProvider`: ``/veo/histories``
  and ``reconcile`` (by provider id, else by prompt and time window).
* :mod:`~framecast.providers.genaipro.quota` — :class:`GenAIProQuotaProvider`: ``/veo/me``, falling
  back to the ``/veo/credits`` packages.

Every provider takes ``(http, config, api_key=None)``; the key falls back to
``FRAMECAST_GENAIPRO__API_KEY`` (alias ``VEO_API_KEY``).
"""
