"""A binary min-heap in two arrays (keys, values) for the numba kernels."""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["heap_pop", "heap_push"]


@numba.njit(cache=True, nogil=True)
def heap_push(keys: np.ndarray, values: np.ndarray, size: int, key: float, value: int) -> int:
    """Push onto a binary min-heap stored in two arrays; returns the new size."""
    j = size
    while j > 0:
        parent = (j - 1) >> 1
        if keys[parent] <= key:
            break
        keys[j] = keys[parent]
        values[j] = values[parent]
        j = parent
    keys[j] = key
    values[j] = value
    return size + 1


@numba.njit(cache=True, nogil=True)
def heap_pop(keys: np.ndarray, values: np.ndarray, size: int) -> int:
    """Remove the minimum (read it from ``keys[0]``/``values[0]`` first); returns the new size."""
    size -= 1
    if size > 0:
        last_key = keys[size]
        last_value = values[size]
        j = 0
        while True:
            child = 2 * j + 1
            if child >= size:
                break
            if child + 1 < size and keys[child + 1] < keys[child]:
                child += 1
            if keys[child] >= last_key:
                break
            keys[j] = keys[child]
            values[j] = values[child]
            j = child
        keys[j] = last_key
        values[j] = last_value
    return size
