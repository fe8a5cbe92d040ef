"""A 4-ary min-heap in two arrays (keys, values) for the numba kernels.

Four children per entry instead of two: half the levels, and the four children lie side by side
(one cache line of keys). Measured on the Aachen network, one-to-all Dijkstra from 1–200
sources: 0.70–0.80× the time of the binary heap, same distances (interleaved, 30 rounds).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["heap_pop", "heap_push"]


@numba.njit(cache=True, nogil=True)
def heap_push(keys: np.ndarray, values: np.ndarray, size: int, key: float, value: int) -> int:
    """Push onto the 4-ary min-heap stored in two arrays; returns the new size."""
    j = size
    while j > 0:
        parent = (j - 1) >> 2
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
            first = 4 * j + 1
            if first >= size:
                break
            child = first
            child_key = keys[first]
            for other in range(first + 1, min(first + 4, size)):
                if keys[other] < child_key:
                    child_key = keys[other]
                    child = other
            if child_key >= last_key:
                break
            keys[j] = child_key
            values[j] = values[child]
            j = child
        keys[j] = last_key
        values[j] = last_value
    return size
