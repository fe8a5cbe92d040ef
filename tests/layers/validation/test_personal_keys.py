"""Person keys are normalised before counting and hashing (issue #10)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.validation import normalize_person_key, normalize_person_keys


def test_spellings_of_one_pseudonym_are_one_key():
    spellings = ["P-7F3A21", "p-7f3a21", "P-7F3A21\u200b", " P-7F3A21 ", "P\u20117F3A21",
                 "Ｐ－７Ｆ３Ａ２１", "P-7F3A\u00a021", "\ufeffp-7F3a21"]
    assert {normalize_person_key(s) for s in spellings} == {"P-7F3A21"}
    assert normalize_person_key("P-7F3A22") != normalize_person_key("P-7F3A21")


def test_empty_keys_are_none_and_numbers_are_keys():
    for empty in (None, pd.NA, np.nan, "", "  ", "\u200b"):
        assert normalize_person_key(empty) is None
    assert normalize_person_key(4711.0) == normalize_person_key("4711") == "4711"
    assert normalize_person_key("straße-1") == "STRASSE-1"


def test_a_column_is_normalised_once_per_spelling():
    column = pd.Series(["a-1", "A-1", None, "b\u200b-2"], index=[10, 11, 12, 13])
    out = normalize_person_keys(column)
    assert out.tolist() == ["A-1", "A-1", None, "B-2"] and out.index.tolist() == [10, 11, 12, 13]
