"""Table exports read back identical, with a provenance sidecar, written atomically."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from iceberg.export import export_table, format_of, read_table


def county_gdf() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "geoid": ["01001", "01003", "72001"],  # leading zeros must survive
            "name": ["Autauga", "Baldwin, old", "Añasco"],
            "state_abbr": ["AL", "AL", "PR"],
            "hidden_index": [0.125, np.nan, 1 / 3],
            "exposed_wages": [1.5e9, 2.0e8, 3.5e7],
            "employment": [100.0, 200.5, 5.0],
            "top_hidden": ["Cashiers (12.5%)", None, "Nurses (2%)"],
        },
        geometry=[shapely.box(-87 + i, 32, -86 + i, 33) for i in range(3)],
        crs="EPSG:4326",
    )


def state_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {"name": ["Alabama", "Alaska"], "iceberg_index": [0.11, 0.09], "is_state": [True, True],
         "employment": [2_000_000.0, 300_000.0]},
        index=pd.Index(["01", "02"], name="state_fips"),
    )
    return frame


@pytest.mark.parametrize("ext", ["parquet", "geoparquet", "gpkg", "geojson"])
def test_geo_formats_round_trip(tmp_path, ext):
    gdf = county_gdf()
    path = export_table(gdf, tmp_path / f"counties.{ext}", provenance={"scenario": "baseline"})
    back = read_table(path)
    assert isinstance(back, gpd.GeoDataFrame)
    pd.testing.assert_frame_equal(pd.DataFrame(back.drop(columns="geometry")),
                                  pd.DataFrame(gdf.drop(columns="geometry")))
    assert back.geometry.geom_equals(gdf.geometry).all()
    assert back.crs.equals(gdf.crs)


def test_csv_round_trip_keeps_codes_and_dtypes(tmp_path):
    gdf = county_gdf()
    path = export_table(gdf, tmp_path / "counties.csv")
    assert path.read_text(encoding="utf-8").splitlines()[1].startswith("01001,")
    back = read_table(path)
    pd.testing.assert_frame_equal(back, pd.DataFrame(gdf.drop(columns="geometry")))
    side = json.loads((tmp_path / "counties.csv.provenance.json").read_text())
    assert side["export_counts"] == {"geometry_dropped": 1}


def test_index_becomes_a_column(tmp_path):
    frame = state_frame()
    for ext in ("csv", "parquet"):
        back = read_table(export_table(frame, tmp_path / f"states.{ext}"))
        pd.testing.assert_frame_equal(back, frame.reset_index())


def test_provenance_sidecar(tmp_path):
    class Prov:
        def to_dict(self):
            return {"sources": {"oews_2025": "abc123"}, "scenario": {"name": "Baseline"}}

    path = export_table(county_gdf(), tmp_path / "c.gpkg", provenance=Prov())
    assert path == tmp_path / "c.gpkg"
    side = json.loads((tmp_path / "c.gpkg.provenance.json").read_text())
    assert side["format"] == "gpkg" and side["rows"] == 3 and side["file"] == "c.gpkg"
    assert side["provenance"]["sources"] == {"oews_2025": "abc123"}
    assert side["package"]["name"] == "iceberg-index" and side["package"]["version"]
    assert side["columns"]["geoid"] in ("str", "string", "object")
    assert "EPSG" in side["crs"] and side["created"].endswith("+00:00")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.gpkg", "c.gpkg.provenance.json"]


def test_geojson_is_reprojected_to_wgs84(tmp_path):
    gdf = county_gdf().to_crs("EPSG:5070")
    back = read_table(export_table(gdf, tmp_path / "c.geojson"))
    assert back.crs.equals("EPSG:4326")
    side = json.loads((tmp_path / "c.geojson.provenance.json").read_text())
    assert side["export_counts"]["reprojected_to_epsg4326"] == 3


def test_format_resolution_and_errors(tmp_path):
    assert format_of("x.csv") == "csv" and format_of("x", "GeoPackage") == "gpkg"
    with pytest.raises(ValueError, match="export format"):
        format_of("x.xlsx")
    with pytest.raises(ValueError, match="GeoDataFrame"):
        export_table(state_frame(), tmp_path / "s.gpkg")
    # fmt overrides the extension: plain parquet drops geometry
    path = export_table(county_gdf(), tmp_path / "plain.parquet", fmt="parquet")
    back = read_table(path)
    assert not isinstance(back, gpd.GeoDataFrame) and "geometry" not in back.columns


def test_overwrite_is_atomic(tmp_path):
    path = tmp_path / "c.gpkg"
    export_table(county_gdf(), path)
    export_table(county_gdf().iloc[:2], path)  # replacing an existing file works
    assert len(read_table(path)) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("name", ["c.parquet", "c.geoparquet", "c.gpkg"])
def test_provenance_embedded_in_parquet_and_geopackage(tmp_path, name):
    from iceberg.provenance import read_embedded

    gdf = gpd.GeoDataFrame({"geoid": ["47001"], "iceberg_index": [0.1]},
                           geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4269")
    path = export_table(gdf, tmp_path / name, provenance={"run": {"wage_basis": "median"}})
    embedded = read_embedded(path)
    assert embedded["provenance"] == {"run": {"wage_basis": "median"}}
    assert embedded["rows"] == 1
    if name.endswith("parquet"):  # still valid GeoParquet
        assert gpd.read_parquet(path).crs.equals("EPSG:4269")


def test_exported_files_are_readable_by_others(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        path = export_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "t.csv.provenance.json").stat().st_mode) == 0o644


def test_table_bytes_for_a_download_button():
    import io

    from iceberg.export import table_bytes

    frame = pd.DataFrame({"geoid": ["01001"], "iceberg_index": [0.15]})
    data, record = table_bytes(frame, "parquet", provenance={"run": {"x": 1}}, name="counties")
    back = pd.read_parquet(io.BytesIO(data))
    assert back["geoid"].tolist() == ["01001"]
    assert record["file"] == "counties.parquet" and record["provenance"] == {"run": {"x": 1}}
    csv, _ = table_bytes(frame, "csv")
    assert csv.decode().splitlines()[1] == "01001,0.15"


def test_sidecar_explains_every_metric_column(tmp_path):
    frame = pd.DataFrame({"geoid": ["01001"], "hidden_multiple": [6.1], "exposed_workers": [10.0]})
    export_table(frame, tmp_path / "t.csv")
    side = json.loads((tmp_path / "t.csv.provenance.json").read_text())
    assert side["labels"]["hidden_multiple"]["label"] == "Hidden multiple (iceberg index ÷ visible index)"
    assert "worker-equivalents" in side["labels"]["exposed_workers"]["label"]
    assert "geoid" not in side["labels"]
