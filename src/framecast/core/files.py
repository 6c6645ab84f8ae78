"""Writing files so that a reader (or a crash) never sees half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old file or the new, never half.

    The folder is created when missing. Raises :class:`OSError` when it is not writable; no
    temporary file is left behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; results are meant to be read like any other output.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """:func:`write_bytes_atomically` for ``text`` in UTF-8 (newlines written as given).

    Raises :class:`UnicodeEncodeError` for text that is not valid Unicode (nothing is written).
    """
    write_bytes_atomically(path, text.encode("utf-8"))
