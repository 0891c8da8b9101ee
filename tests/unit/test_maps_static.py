"""Static maps: PNG / SVG / PDF are valid and non-trivial; national maps place the insets."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import numpy as np
import pytest
import shapely

from iceberg.errors import IcebergDataError
from iceberg.maps import style
from iceberg.maps.classes import MapClasses
from iceberg.maps.static import plot


def tiny_nation() -> gpd.GeoDataFrame:
    """Four contiguous-US counties (TN, KY) plus one each in Alaska, Hawaii, Puerto Rico."""
    boxes = [shapely.box(-90 + i % 2, 35 + i // 2, -89 + i % 2, 36 + i // 2) for i in range(4)]
    boxes += [shapely.box(-150, 61, -148, 62), shapely.box(-156.0, 19.5, -155.2, 20.1),
              shapely.box(-66.5, 18.1, -66.2, 18.3)]
    geoid = ["47001", "47003", "21001", "21003", "02020", "15001", "72001"]
    return gpd.GeoDataFrame(
        {
            "geoid": geoid,
            "state_fips": [g[:2] for g in geoid],
            "state_abbr": ["TN", "TN", "KY", "KY", "AK", "HI", "PR"],
            "name": list("ABCDEFG"),
            "hidden_index": [0.1, 0.2, 0.3, 0.4, 0.5, np.nan, 0.25],
            "exposed_wages": [1e8, 2e8, 3e8, 4e8, 5e8, 6e8, 7e8],
        },
        geometry=boxes,
        crs="EPSG:4269",
    )


def _png_pixels(path):
    import matplotlib.image as mpimg

    return mpimg.imread(path)


def test_png_national_with_insets(tmp_path):
    path = plot(tiny_nation(), "hidden_index", tmp_path / "us.png", dpi=60,
                subtitle="Scenario: test")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = _png_pixels(path)
    assert img.shape[:2] == (round(7.4 * 60), 11 * 60)  # default 11 x 7.4 in at 60 dpi
    assert img[..., :3].std() > 0.05  # not blank
    # every class colour used by a county is painted somewhere
    cls = MapClasses.fit(tiny_nation()["hidden_index"], "hidden_index")
    rgb = (img[..., :3] * 255).round().astype(int).reshape(-1, 3)
    painted = {tuple(p) for p in np.unique(rgb, axis=0)}
    for colour in set(cls.colours_for(tiny_nation()["hidden_index"])):
        target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert any(max(abs(a - b) for a, b in zip(p, target)) <= 2 for p in painted), colour


def test_svg_parses_and_holds_text(tmp_path):
    path = plot(tiny_nation(), "exposed_wages", tmp_path / "us.svg", title="Exposed wages")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = path.read_text(encoding="utf-8")
    assert path.stat().st_size > 20_000
    # matplotlib writes text as glyph paths; the title is kept in the <!-- comments -->
    assert "Exposed wages" in text


def test_pdf_header_and_size(tmp_path):
    path = plot(tiny_nation(), "hidden_index", tmp_path / "us.pdf")
    data = path.read_bytes()
    assert data[:5] == b"%PDF-" and b"%%EOF" in data[-64:]
    assert len(data) > 5_000


def test_single_state_zooms_without_insets(tmp_path):
    whole = plot(tiny_nation(), "hidden_index", tmp_path / "tn.png", state="TN", dpi=50)
    img = _png_pixels(whole)
    # the Tennessee map is wider than tall (two 1 degree counties side by side)
    assert img.shape[1] > img.shape[0]
    by_fips = plot(tiny_nation(), "hidden_index", tmp_path / "tn47.png", state="47", dpi=50)
    assert np.array_equal(_png_pixels(by_fips), img)
    with pytest.raises(IcebergDataError, match="no county"):
        plot(tiny_nation(), "hidden_index", tmp_path / "x.png", state="TX")


def test_missing_values_drawn_light_grey(tmp_path):
    path = plot(tiny_nation(), "hidden_index", tmp_path / "hi.png", state="HI", dpi=50)
    rgb = (_png_pixels(path)[..., :3] * 255).round().astype(int)
    grey = tuple(int(style.MISSING_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    assert (np.abs(rgb - np.array(grey)).max(axis=-1) <= 2).sum() > 100


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="format"):
        plot(tiny_nation(), "hidden_index", tmp_path / "x.jpg")
    with pytest.raises(IcebergDataError, match="metric"):
        plot(tiny_nation(), "nope", tmp_path / "x.png")
    assert not list(tmp_path.iterdir())


def _captured_figure(monkeypatch):
    """Patch savefig to keep the figure that plot() draws."""
    from matplotlib.figure import Figure

    seen = {}
    original = Figure.savefig

    def savefig(self, *args, **kwargs):
        seen["fig"] = self
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    return seen


def test_dollar_legend_is_printed_literally_not_as_math(tmp_path, monkeypatch):
    """Shipped bug: "$86.5M–$288.0M" rendered as math ("86.5*M*–288.0M")."""
    from matplotlib.text import Text

    seen = _captured_figure(monkeypatch)
    plot(tiny_nation(), "exposed_wages", tmp_path / "us.png", dpi=40,
         subtitle="Scenario costs $5M")
    texts = [t for t in seen["fig"].findobj(Text) if t.get_text()]
    shown = " ".join(t.get_text() for t in texts)
    assert r"\$" in shown  # the legend has dollar amounts, escaped
    for t in texts:
        _, is_math = t._preprocess_math(t.get_text())
        assert not is_math, t.get_text()


def test_map_label_is_the_one_from_labels(tmp_path, monkeypatch):
    from matplotlib.text import Text

    from iceberg import labels

    gdf = tiny_nation().assign(hidden_multiple=[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    seen = _captured_figure(monkeypatch)
    plot(gdf, "hidden_multiple", tmp_path / "m.png", dpi=40)
    shown = " ".join(t.get_text() for t in seen["fig"].findobj(Text))
    assert labels.label("hidden_multiple") in shown
    assert "hidden / visible" not in shown


@pytest.mark.parametrize("ext", [".png", ".svg", ".pdf"])
def test_static_map_embeds_provenance_writes_sidecar_and_is_readable(tmp_path, ext):
    import os
    import stat

    from iceberg.provenance import read_embedded, read_sidecar

    old = os.umask(0o022)
    try:
        path = plot(tiny_nation(), "hidden_index", tmp_path / f"us{ext}", dpi=40,
                    provenance={"run": {"scenario": {"name": "test"}}})
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    side = read_sidecar(path)
    assert side["metric"] == "hidden_index" and side["format"] == ext[1:]
    assert side["provenance"]["run"]["scenario"]["name"] == "test"
    embedded = read_embedded(path)
    assert embedded["provenance"] == side["provenance"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"us{ext}", f"us{ext}.provenance.json"]
