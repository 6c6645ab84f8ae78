"""The label each form field has on the page, so that an error names what the user sees
("Start frame: the file is empty"), never the internal field name (``start_image``).

:func:`field_error` builds such an error; it keeps the internal name in ``InvalidInputError.field``
(and so in the JSON error's ``details.field``) for pages that point at the field.
"""

from __future__ import annotations

from framecast.core.errors import InvalidInputError
from framecast.providers.base import OPTION_TITLES

FIELD_LABELS: dict[str, str] = {
    # Studio forms
    "mode": "Mode",
    "prompt": "Prompt",
    "aspect": "Aspect",
    "count": "Number",
    "provider": "Provider",
    "start_image": "Start frame",
    "end_image": "End frame",
    "reference_images": "Reference images",
    # The options only some providers take ("Duration", "Seed"...), and the quote's length.
    **OPTION_TITLES,
    "duration": OPTION_TITLES["duration_seconds"],
    # Batch forms
    "kind": "Batch kind",
    "file": "Prompts file",
    "frame": "Start frame",
    "reference": "Reference image",
    "images": "Numbered images",
    "upload_id": "Batch upload",
    "force": "Start anyway",
    # Queue, history
    "state": "State",
    "provider_id": "History item",
    # Settings
    "default_provider": "Default provider",
    "concurrency": "Concurrency",
    "api_key": "API key",
    # Accounts
    "email": "Email",
    "name": "Name",
    "password": "Password",
    "password_confirm": "Password again",
    "confirm_password": "Confirm password",
    "invite": "Invitation",
    "current_password": "Current password",
    "new_password": "New password",
    "new_password_confirm": "New password again",
    # Classes
    "code": "Class code",
}


# A field that one form labels otherwise than :data:`FIELD_LABELS` does, keyed by the method and
# path template of the route the form posts to: the classes page's ``name`` is "Class name" (an
# account's is "Name"), as the classes' own checks say (``tutor/classes.check_class_name``).
ROUTE_LABELS: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/api/classes"): {"name": "Class name"},
}


def label(field: str, *, route: tuple[str, str] | None = None) -> str:
    """The page's label for ``field`` (the name itself, capitalised, for a field not listed), on
    the form of ``route`` (``(method, path template)``, see :data:`ROUTE_LABELS`) when given.

    ``"images: 3_x.jpg"`` (a field and which of its files) gives ``"Numbered images: 3_x.jpg"``.
    """
    name, sep, detail = field.partition(": ")
    own = ROUTE_LABELS.get(route, {}) if route else {}
    shown = own.get(name) or FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()
    return f"{shown}: {detail}" if sep else shown


def field_error(field: str, problem: str, *, shown: str | None = None) -> InvalidInputError:
    """``InvalidInputError("<label>: <problem>", field=<field name>)``; ``shown`` replaces the label."""
    return InvalidInputError(f"{shown or label(field)}: {problem}", field=field.partition(": ")[0])
