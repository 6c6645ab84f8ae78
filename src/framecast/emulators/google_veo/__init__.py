"""An emulator of the Gemini API endpoints ``google-genai`` calls for Veo and Imagen, with faults.

``app.py`` serves ``POST /v1beta/models/{model}:predictLongRunning``, ``GET /v1beta/{operation}``,
``GET /v1beta/files/{id}:download`` and ``POST /v1beta/models/{model}:predict``; ``admin.py`` the
``/_emulator`` routes; ``testing.py`` runs it in a thread for tests.
"""
