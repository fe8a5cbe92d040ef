"""German number input: decimal comma in every number and coordinate field, errors beside it.

Streamlit's ``st.number_input`` shows ``50.77530`` and turns a typed ``50,7790`` into
``507790``. The fields here are text fields read by the project's one number parser
(:func:`layers.validation.parse_decimal`, the same that reads uploaded tables): ``50,7790``,
``50.7790`` and ``1.234,5`` are accepted; anything else, or a value outside the allowed range,
gets a German message directly below the field that caused it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from layers.formatting import de_number

__all__ = ["ERROR_SUFFIX", "decimal_input", "decimal_text", "parse_number", "value_of"]

#: Session key suffix under which a field's last error is kept (for tests and callbacks).
ERROR_SUFFIX = "__fehler"


def decimal_text(value: float, decimals: int = 6) -> str:
    """A number as a field shows it: decimal comma, no thousands separator, no trailing zeros."""
    text = f"{float(value):.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if text else "0"


def parse_number(text: object) -> float | None:
    """One typed number (decimal comma or point), ``None`` if empty.

    Raises
    ------
    ValueError
        If the text is not a number (the message is German).
    """
    from layers.validation import parse_decimal

    if text is None or not str(text).strip():
        return None
    numbers, problems = parse_decimal(pd.Series([str(text)]), spalte="Eingabe")
    if problems or pd.isna(numbers.iloc[0]):
        raise ValueError(f"„{text}“ ist keine Zahl.")
    return float(numbers.iloc[0])


def _range_text(minimum: float | None, maximum: float | None, decimals: int) -> str:
    def show(value: float) -> str:
        return de_number(value, 0 if float(value).is_integer() else decimals).replace("-", "−")

    if minimum is not None and maximum is not None:
        return f"zwischen {show(minimum)} und {show(maximum)}"
    if minimum is not None:
        return f"mindestens {show(minimum)}"
    return f"höchstens {show(maximum)}" if maximum is not None else ""


def check_value(text: object, *, minimum: float | None = None, maximum: float | None = None,
                decimals: int = 6, example: str = "") -> tuple[float | None, str]:
    """Parse a field's text and check its range: ``(value, "")`` or ``(None, German error)``."""
    try:
        value = parse_number(text)
    except ValueError as exc:
        hint = f" Beispiel: {example}" if example else ""
        return None, f"{exc} Schreiben Sie die Zahl mit Komma oder Punkt, ohne Einheit.{hint}"
    if value is None:
        return None, ""
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return None, (f"{decimal_text(value, decimals)} liegt außerhalb des erlaubten Bereichs: "
                      f"{_range_text(minimum, maximum, decimals)}.")
    return value, ""


def decimal_input(label: str, key: str, *, default: float | None = None, decimals: int = 6,
                  minimum: float | None = None, maximum: float | None = None,
                  example: str = "", help: str | None = None, target: Any = None,
                  required: bool = False) -> float | None:
    """A number field that takes a decimal comma; returns its value or ``None``.

    Parameters
    ----------
    label, key
        Label and session key of the text field (the key holds the typed text).
    default
        Initial value (shown with a decimal comma).
    decimals
        Places kept when a value is shown.
    minimum, maximum
        Allowed range; outside it the field shows an error and the value is ``None``.
    example
        Shown as placeholder and in the error, e.g. ``"50,7753"``.
    help
        Tooltip of the field.
    target
        Container to draw into (a column); the error appears in the same container, directly
        below the field.
    required
        An empty field is an error.
    """
    place = target if target is not None else st
    if key not in st.session_state and default is not None:
        st.session_state[key] = decimal_text(default, decimals)
    text = place.text_input(label, key=key, help=help,
                            placeholder=f"z. B. {example}" if example else None)
    value, message = check_value(text, minimum=minimum, maximum=maximum, decimals=decimals,
                                 example=example)
    if not message and required and value is None:
        message = f"Bitte eine Zahl eintragen{f', z. B. {example}' if example else ''}."
    st.session_state[key + ERROR_SUFFIX] = message
    if message:
        place.error(f"{label}: {message}", icon=":material/error:")
    return value


def value_of(key: str) -> float | None:
    """The value of a :func:`decimal_input` field by its key (``None`` if empty or wrong)."""
    value, message = check_value(st.session_state.get(key))
    return None if message else value
