"""Helpers shared by the tests: paths, sample inputs, a tiny named network, result checks."""
