"""Google's Veo (video) and Imagen (images) through the official ``google-genai`` SDK.

One module per capability — ``video.py``, ``image.py``, ``history.py`` (reconcile by operation
name) — beside the SDK client and its error translation (``client.py``, ``failures.py``), the
long-running operation (``operations.py``), verified result files (``results.py``) and the price
table (``pricing.py``). The Gemini Developer API is reached with a key, Vertex AI with a project and
location; ``FRAMECAST_GOOGLE__BASE_URL`` points the SDK at ``framecast emulator google-veo``.
"""
