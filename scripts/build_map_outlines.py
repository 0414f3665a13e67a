"""Build ``src/crudeflow/report/static/countries.geojson`` from Natural Earth (public domain).

Source: Natural Earth 1:110m Cultural Vectors, Admin 0 – Countries (public domain,
https://www.naturalearthdata.com/about/terms-of-use/), as shipped in the geopandas 0.14.4
wheel (``geopandas/datasets/naturalearth_lowres``). Nothing is downloaded at run time:
get the wheel with ``pip download geopandas==0.14.4 --no-deps`` and pass its path.

The script reads the shapefile and its dBASE table with ``struct`` (no GIS libraries),
clips every ring to the report region (lon −15..90, lat 20..72) with Sutherland–Hodgman,
simplifies with Douglas–Peucker (tolerance 0.03°), rounds to 0.01° and writes compact
GeoJSON with ``name``, ``iso_a3`` and ``iso_a2`` properties.

    python scripts/build_map_outlines.py geopandas-0.14.4-py3-none-any.whl
"""

from __future__ import annotations

import itertools
import json
import struct
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

REGION = (-15.0, 20.0, 90.0, 72.0)  # lon_min, lat_min, lon_max, lat_max (degrees)
TOLERANCE_DEG = 0.03
MEMBER = "geopandas/datasets/naturalearth_lowres/naturalearth_lowres"
OUT = Path(__file__).resolve().parents[1] / "src/crudeflow/report/static/countries.geojson"

# ISO 3166 alpha-3 -> alpha-2 for every country that reaches into the region.
ISO3_TO_2 = {
    "AFG": "AF", "ALB": "AL", "ARE": "AE", "ARM": "AM", "AUT": "AT", "AZE": "AZ", "BEL": "BE",
    "BGD": "BD", "BGR": "BG", "BIH": "BA", "BLR": "BY", "BTN": "BT", "CHE": "CH", "CHN": "CN",
    "CYP": "CY", "CZE": "CZ", "DEU": "DE", "DNK": "DK", "DZA": "DZ", "EGY": "EG", "ERI": "ER",
    "ESH": "EH", "ESP": "ES", "EST": "EE", "FIN": "FI", "FRA": "FR", "GBR": "GB", "GEO": "GE",
    "GRC": "GR", "GRL": "GL", "HRV": "HR", "HUN": "HU", "IND": "IN", "IRL": "IE", "IRN": "IR",
    "IRQ": "IQ", "ISL": "IS", "ISR": "IL", "ITA": "IT", "JOR": "JO", "KAZ": "KZ", "KGZ": "KG",
    "KOS": "XK", "KWT": "KW", "LBN": "LB", "LBY": "LY", "LTU": "LT", "LUX": "LU", "LVA": "LV",
    "MAR": "MA", "MDA": "MD", "MKD": "MK", "MLI": "ML", "MMR": "MM", "MNE": "ME", "MNG": "MN",
    "MRT": "MR", "NER": "NE", "NLD": "NL", "NOR": "NO", "NPL": "NP", "OMN": "OM", "PAK": "PK",
    "POL": "PL", "PRT": "PT", "PSE": "PS", "QAT": "QA", "ROU": "RO", "RUS": "RU", "SAU": "SA",
    "SDN": "SD", "SRB": "RS", "SVK": "SK", "SVN": "SI", "SWE": "SE", "SYR": "SY", "TCD": "TD",
    "TJK": "TJ", "TKM": "TM", "TUN": "TN", "TUR": "TR", "UKR": "UA", "UZB": "UZ", "YEM": "YE",
    "CYN": "CY", "SOL": "SO", "SOM": "SO", "ETH": "ET", "DJI": "DJ", "SJM": "SJ", "BHR": "BH",
    "LAO": "LA", "THA": "TH", "VNM": "VN", "BRN": "BN", "MLT": "MT", "SEN": "SN", "GMB": "GM",
    "GIN": "GN", "BFA": "BF", "NGA": "NG", "CMR": "CM", "CAF": "CF", "SSD": "SS", "CAN": "CA",
}  # fmt: skip
NAME_TO_ISO3 = {"Kosovo": "KOS", "France": "FRA", "Norway": "NOR", "N. Cyprus": "CYN", "Somaliland": "SOL"}


def read_dbf(data: bytes) -> list[dict[str, str]]:
    """Records of a dBASE III table as strings."""
    n_rec, header_len, rec_len = struct.unpack("<xxxxIHH", data[:12])
    fields = []
    pos = 32
    while data[pos] != 0x0D:
        name = data[pos : pos + 11].split(b"\0")[0].decode("ascii")
        fields.append((name, data[pos + 16]))
        pos += 32
    out = []
    for i in range(n_rec):
        rec = data[header_len + i * rec_len : header_len + (i + 1) * rec_len]
        off = 1  # deletion flag
        row = {}
        for name, length in fields:
            row[name] = rec[off : off + length].decode("utf-8", "replace").strip()
            off += length
        out.append(row)
    return out


def read_shp(data: bytes) -> list[list[np.ndarray]]:
    """Rings (N×2 lon/lat arrays) of every polygon record of a shapefile."""
    pos = 100
    shapes: list[list[np.ndarray]] = []
    while pos < len(data):
        _, length = struct.unpack(">ii", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + 2 * length]
        pos += 8 + 2 * length
        (kind,) = struct.unpack("<i", body[:4])
        if kind == 0:
            shapes.append([])
            continue
        if kind != 5:
            raise ValueError(f"shape type {kind} is not a polygon")
        n_parts, n_points = struct.unpack("<ii", body[36:44])
        parts = np.frombuffer(body, "<i4", n_parts, 44)
        pts = np.frombuffer(body, "<f8", 2 * n_points, 44 + 4 * n_parts).reshape(-1, 2)
        bounds = [*parts.tolist(), n_points]
        shapes.append([pts[a:b].copy() for a, b in itertools.pairwise(bounds)])
    return shapes


def clip_ring(ring: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Sutherland–Hodgman clip of a closed ring to an axis-aligned box."""
    x0, y0, x1, y1 = box
    pts = [tuple(p) for p in ring[:-1]] if np.allclose(ring[0], ring[-1]) else [tuple(p) for p in ring]
    for axis, bound, keep_above in ((0, x0, True), (0, x1, False), (1, y0, True), (1, y1, False)):
        if not pts:
            break

        def inside(p: tuple[float, float], a: int = axis, b: float = bound, k: bool = keep_above) -> bool:
            return p[a] >= b if k else p[a] <= b

        def cut(p: tuple[float, float], q: tuple[float, float], a: int = axis, b: float = bound):  # type: ignore[no-untyped-def]
            t = (b - p[a]) / (q[a] - p[a])
            r = [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]
            r[a] = b
            return (r[0], r[1])

        out = []
        prev = pts[-1]
        for cur in pts:
            if inside(cur):
                if not inside(prev):
                    out.append(cut(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cut(prev, cur))
            prev = cur
        pts = out
    if len(pts) < 3:
        return np.empty((0, 2))
    arr = np.array(pts)
    return np.vstack([arr, arr[:1]])


def simplify(ring: np.ndarray, tol: float) -> np.ndarray:
    """Douglas–Peucker simplification of a closed ring (endpoints kept)."""
    if len(ring) <= 4:
        return ring
    keep = np.zeros(len(ring), bool)
    keep[0] = keep[-1] = True
    # split a closed ring at its farthest point from the start so the recursion has a chord
    far = int(np.argmax(((ring - ring[0]) ** 2).sum(1)))
    keep[far] = True
    stack = [(0, far), (far, len(ring) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = ring[b] - ring[a]
        d = ring[a + 1 : b] - ring[a]
        norm = float(np.hypot(*seg))
        dist = np.abs(seg[0] * d[:, 1] - seg[1] * d[:, 0]) / norm if norm else np.hypot(d[:, 0], d[:, 1])
        i = int(np.argmax(dist))
        if dist[i] > tol:
            m = a + 1 + i
            keep[m] = True
            stack += [(a, m), (m, b)]
    return ring[keep]


def build(wheel: Path) -> dict[str, Any]:
    """The clipped, simplified FeatureCollection."""
    with zipfile.ZipFile(wheel) as z:
        shp = z.read(MEMBER + ".shp")
        dbf = z.read(MEMBER + ".dbf")
    records = read_dbf(dbf)
    shapes = read_shp(shp)
    features: list[dict[str, Any]] = []
    for rec, rings in zip(records, shapes, strict=True):
        parts = []
        for ring in rings:
            c = clip_ring(ring, REGION)
            if len(c) == 0:
                continue
            s = simplify(c, TOLERANCE_DEG)
            if len(s) < 4:
                continue
            parts.append([[round(float(x), 2), round(float(y), 2)] for x, y in s])
        if not parts:
            continue
        iso3 = rec["iso_a3"] if rec["iso_a3"] != "-99" else NAME_TO_ISO3.get(rec["name"], "-99")
        features.append({
            "type": "Feature",
            "properties": {"name": rec["name"], "iso_a3": iso3, "iso_a2": ISO3_TO_2.get(iso3, "")},
            "geometry": {"type": "MultiPolygon", "coordinates": [[p] for p in parts]},
        })  # fmt: skip
    missing = sorted(f["properties"]["name"] for f in features if not f["properties"]["iso_a2"])
    if missing:
        print("no ISO alpha-2 for:", ", ".join(missing), file=sys.stderr)
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:110m Admin 0 – Countries (public domain), via geopandas 0.14.4 "
        "naturalearth_lowres; clipped to lon -15..90, lat 20..72, simplified 0.03 deg",
        "region": list(REGION),
        "features": features,
    }


def main() -> None:
    """Write the GeoJSON next to the report modules."""
    wheel = Path(sys.argv[1])
    fc = build(wheel)
    text = json.dumps(fc, separators=(",", ":"), ensure_ascii=False)
    OUT.write_text(text + "\n", encoding="utf-8")
    n = sum(len(r) for f in fc["features"] for p in f["geometry"]["coordinates"] for r in p)
    print(f"{OUT}: {len(fc['features'])} countries, {n} points, {len(text) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
