"""The shipped registry is complete and consistent; source_path and registry validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from iceberg.errors import IcebergDataError
from iceberg.sources import REGISTRY_PATH, load_registry, source_path
from iceberg.sources.fetch import _provided

IDS = [
    "onet",
    "onet_soc_crosswalk",
    "bls_soc_2018",
    "oews_2025",
    "oews_area_definitions",
    "census_cartographic_boundaries",
    "census_popest_2024",
    "census_cbsa_delineation_2023",
    "acs5_2019_county_industry_occupation",
    "gpts_are_gpts",
    "microsoft_working_with_ai",
    "anthropic_economic_index",
    "aioe",
    "ai_tool_catalogue",
]
ROOT = Path(__file__).resolve().parents[2]


def test_registry_lists_every_source_with_provenance():
    reg = load_registry()
    assert sorted(reg) == sorted(IDS)
    for src in reg.values():
        assert src.provider and src.title and src.version and src.licence and src.attribution
        assert src.redistribution
        assert src.url.startswith("https://"), src.id
    assert "CC BY 4.0" in reg["onet"].attribution and "O*NET 29.3" in reg["onet"].attribution


def test_download_defaults_named_in_the_design():
    reg = load_registry()
    assert reg["onet"].url == "https://www.onetcenter.org/dl_files/database/db_29_3_text.zip"
    assert [e.name for e in reg["onet"].editions] == ["excel", "text"]
    assert reg["oews_2025"].url.endswith("/oesm25all.zip")
    assert reg["census_cartographic_boundaries"].url.endswith("/cb_2023_us_county_20m.zip")
    # Task Ratings is optional (absent from the shared Excel snapshot)
    ratings = [f for f in reg["onet"].edition("excel").files if f.path.startswith("Task Ratings")]
    assert len(ratings) == 1 and not ratings[0].required and ratings[0].sha256 is None
    five_m = [
        f
        for f in reg["census_cartographic_boundaries"].edition("snapshot").files
        if "_5m" in f.path
    ]
    assert five_m and not any(f.required for f in five_m)


def test_every_required_file_of_a_download_edition_is_provided_by_a_download():
    for src in load_registry().values():
        ed = src.download_edition
        if not ed.downloads:  # a local-only snapshot: optional, never fetched by default
            assert not src.required, src.id
            continue
        provided = {p for d in ed.downloads if d.required for p in _provided(d, ed)}
        missing = [f.path for f in ed.required_files if f.path not in provided]
        assert not missing, (src.id, missing)
        # download hashes agree with the file they produce (non-archives)
        specs = {f.path: f for f in ed.files}
        for d in ed.downloads:
            if d.unpack is None and d.sha256:
                assert specs[_provided(d, ed)[0]].sha256 == d.sha256, (src.id, d.url)


def test_data_sources_toml_is_the_shipped_registry():
    link = ROOT / "data" / "sources.toml"
    assert link.is_symlink() and not Path(link.readlink()).is_absolute()
    assert link.resolve() == REGISTRY_PATH.resolve()
    assert load_registry(link) == load_registry()


def test_source_path_found_and_missing(tmp_path, monkeypatch):
    (tmp_path / "onet").mkdir()
    monkeypatch.setenv("ICEBERG_DATA_DIR", str(tmp_path))
    assert source_path("onet") == tmp_path.resolve() / "onet"
    assert source_path("onet", data_dir=tmp_path) == tmp_path / "onet"
    with pytest.raises(IcebergDataError) as err:
        source_path("oews_2025")
    msg = str(err.value)
    for part in (
        "'oews_2025'",
        "oesm25all.zip",
        "--data-dir",
        "ICEBERG_DATA_DIR",
        "iceberg fetch oews_2025",
    ):
        assert part in msg
    with pytest.raises(IcebergDataError, match="unknown data source"):
        source_path("not_a_source")


@pytest.mark.parametrize(
    ("entry", "column"),
    [
        ('files = [{ path = "a.csv", required = true, sha256 = "xyz" }]', "files[0].sha256"),
        ('files = [{ path = "../escape.csv", required = true }]', "files[0].path"),
        (
            'files = [{ path = "a.csv", required = true }]\ndownloads = [{ url = "ftp://x/a.csv" }]',
            "downloads[0].url",
        ),
    ],
)
def test_invalid_registry_entries_are_named(tmp_path, entry, column):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[sources.demo]\nprovider = "p"\ntitle = "t"\nversion = "1"\nlicence = "l"\n'
        f'[[sources.demo.editions]]\nname = "e"\n{entry}\n',
        encoding="utf-8",
    )
    with pytest.raises(IcebergDataError) as err:
        load_registry(path)
    assert err.value.column == f"demo.editions[0].{column}"
    assert err.value.file == str(path.resolve())


def test_required_sources_are_those_the_build_reads():
    bundle = pytest.importorskip("iceberg.bundle")
    required = sorted(s.id for s in load_registry().values() if s.required)
    assert required == sorted(bundle.REQUIRED_SOURCES)
