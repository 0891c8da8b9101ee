"""A user's capability CSV: parsed from the command line, read, validated, and added as a layer."""

from __future__ import annotations

import numpy as np
import pytest

from iceberg.build_steps import user_layers
from iceberg.bundle import CustomLayerSpec, custom_layers_from_env
from iceberg.errors import IcebergArgumentError, IcebergDataError
from iceberg.exposure import ExposureModel
from tests.unit.test_exposure import OCC, frames


def test_spec_parsing_and_environment(tmp_path, monkeypatch):
    for name in ("x.csv", "a.csv", "b.csv"):
        (tmp_path / name).write_text("code,value\n")
    spec = CustomLayerSpec.parse(f"Mine=occupation:{tmp_path / 'x.csv'}")
    assert (spec.name, spec.level, spec.path) == ("mine", "occupation", tmp_path / "x.csv")
    for bad in ("mine", "mine=county:x.csv", "=task:x.csv", "my-layer=task:x.csv",
                f"mine=task:{tmp_path / 'missing.csv'}", f"eloundou=task:{tmp_path / 'x.csv'}"):
        with pytest.raises(IcebergArgumentError, match="NAME=LEVEL:PATH|built-in"):
            CustomLayerSpec.parse(bad)
    monkeypatch.setenv("ICEBERG_CUSTOM_LAYERS", f"a=task:{tmp_path}/a.csv; b=iwa:{tmp_path}/b.csv")
    assert [s.name for s in custom_layers_from_env()] == ["a", "b"]


def test_user_occupation_layer_enters_the_model(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("code,value\n11-1011,0.5\n15-1252,1.0\n")
    f = frames()
    sources = {**f, "task_ratings": None}
    layers = user_layers((CustomLayerSpec("mine", "occupation", path),), sources)
    model = ExposureModel.from_sources(OCC, extra_layers=layers, **{k: v for k, v in f.items()})
    assert "mine" in model.layers
    e = model.vector("mine")
    assert e[OCC.index("11-1011")] == 0.5 and e[OCC.index("15-1252")] == 1.0
    assert np.all((e >= 0) & (e <= 1))


def test_bad_user_value_names_file_row_and_column(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("code,value\n11-1011,0.5\n15-1252,1.7\n")
    with pytest.raises(IcebergDataError) as err:
        user_layers((CustomLayerSpec("mine", "occupation", path),), {**frames(), "task_ratings": None})
    assert err.value.row == 2 and err.value.column == "value" and "mine.csv" in str(err.value)
