"""Distances as Elasticsearch measures them, and the grid the nearby page cache shares pages on."""

from __future__ import annotations

import math

# Elasticsearch's arc distance (GeoUtils.EARTH_MEAN_RADIUS): an item's distance recomputed here matches the
# engine's own sort value to the metre.
EARTH_MEAN_RADIUS_M = 6371008.7714
METRES_PER_DEGREE = math.pi * EARTH_MEAN_RADIUS_M / 180


def arc_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def grid_cell(lat: float, lon: float, metres: float) -> tuple[int, int] | tuple[float, float]:
    """The square of about `metres` a point falls in (0: the point itself). Longitude steps widen with the
    latitude's cosine, so a cell is about as wide as it is tall anywhere the board serves."""
    if metres <= 0:
        return lat, lon
    step = metres / METRES_PER_DEGREE
    row = math.floor(lat / step)
    width = step / max(math.cos(math.radians((row + 0.5) * step)), 0.01)
    return row, math.floor(lon / width)
