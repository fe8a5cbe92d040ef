"""Travel profiles: the table in data/profile.toml and the rules it puts on edges."""

from __future__ import annotations

import numpy as np

from analyses.network.profiles import get_profile


def test_profiles_on_the_aachen_network(aachen_store):
    edges = aachen_store.read_layer("netz_kanten")
    steps = edges["treppe"].to_numpy(dtype=bool)
    assert steps.sum() > 500
    blocked = {}
    for name in ("fuss", "rollator", "rollstuhl"):
        for mode in ("optimistisch", "pessimistisch"):
            factors = get_profile(name).edge_factors(edges, mode)
            blocked[name, mode] = np.isinf(factors)
    assert not blocked["fuss", "optimistisch"].any()
    assert blocked["rollstuhl", "optimistisch"][steps].all()
    assert blocked["rollator", "optimistisch"][steps].all()
    # Pessimism only adds barriers, never removes one.
    assert (blocked["rollstuhl", "optimistisch"] <= blocked["rollstuhl", "pessimistisch"]).all()
    assert blocked["rollstuhl", "pessimistisch"].sum() > blocked["rollstuhl", "optimistisch"].sum()
    # every edge tagged wheelchair=no is blocked for wheelchairs
    assert blocked["rollstuhl", "optimistisch"][(edges["wheelchair"] == "no").to_numpy()].all()
