"""Pure analysis functions: they take GeoDataFrames and arrays and return new ones."""
