"""analyses/network."""
