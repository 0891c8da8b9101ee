"""The bad-input corpus: every case ends in a named error, a notice, or the correct result.

Each case is tried as a user (and a careless one) would: raw official files, custom layers,
scenario JSON and links, CLI options (typer's ``CliRunner``, a few through a real subprocess),
cache damage and file-system faults. Every case asserts its outcome class and that no Python
traceback is printed:

- ``error``  — refused with one line naming the file/row/column or the option/lever, the
  value and what is allowed (CLI: ``error: …`` on stderr, exit code 2; API: an
  :class:`IcebergDataError` / :class:`IcebergArgumentError`);
- ``notice`` — accepted with a one-line notice (a fallback to a default, a repaired cache, a
  warning about ignored codes) and a correct result;
- ``ok``     — the correct result, no notice.

The app's link and upload cases (AppTest) live with the app's tests.
"""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import iceberg
from iceberg import bundle as bmod
from iceberg.cli import app
from iceberg.errors import IcebergArgumentError, IcebergDataError, IcebergDataWarning
from iceberg.scenario.model import LeverChoices, Scenario
from tests.unit.conftest import TINY_KEY as KEY

ROOT = Path(__file__).resolve().parents[2]


def _no_traceback(text: str) -> None:
    assert "Traceback (most recent call last)" not in text, text


# ---------------------------------------------------------------------------------------------
# a private cache whose builds produce the hand-made miniature (counties 01001, 01003, 02001;
# states 01 "AA", 02 "BB"; layer eloundou)


@pytest.fixture
def tiny(tiny_cache, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tiny_cache["raw"]


def _cli(raw: Path, args: list[str]):
    res = CliRunner().invoke(app, ["--data-dir", str(raw), *args])
    _no_traceback(res.output)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        raise AssertionError(f"uncaught {type(res.exception).__name__}: {res.exception}")
    return res


def _expect_cli(res, outcome: str, match: str) -> None:
    if outcome == "error":
        assert res.exit_code == 2, res.output
        lines = [line for line in res.output.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, res.output
        assert match.lower() in lines[0].lower(), lines[0]
    elif outcome == "notice":
        assert res.exit_code == 0, res.output
        assert any(line.startswith("warning:") and match.lower() in line.lower()
                   for line in res.output.splitlines()), res.output
    else:
        assert res.exit_code == 0, res.output
        assert "error:" not in res.output and "warning:" not in res.output
        assert match in res.output


def _scenario_file(tmp_path: Path, content: str | bytes, name: str = "s.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return str(path)


# ---------------------------------------------------------------------------------------------
# CLI options (CliRunner)

CLI_CASES = [
    # (id, outcome, args, text the one line must contain)
    ("layer-unknown", "error", ["summary", "--layer", "nope"], "--layer: unknown capability layer"),
    ("rater-unknown", "error", ["summary", "--rater", "foo"], "--rater"),
    ("lambda-above-1", "error", ["summary", "--lambda", "5"], "--lambda"),
    ("lambda-negative", "error", ["summary", "--lambda", "-0.1"], "[0, 1]"),
    ("lambda-not-a-number", "error", ["summary", "--lambda", "abc"], "--lambda"),
    ("tau-negative", "error", ["summary", "--tau", "-1"], "--tau"),
    ("tau-zero", "error", ["summary", "--tau", "0"], "(0, 1]"),
    ("tau-above-1", "error", ["summary", "--tau", "1.5"], "--tau"),
    ("wage-unknown", "error", ["summary", "--wage", "foo"], "--wage"),
    ("state-99", "error", ["summary", "--state", "99"], "--state: unknown state"),
    ("state-unknown-abbr", "error", ["summary", "--state", "ZZ"], "unknown state"),
    ("format-unknown", "error", ["summary", "--format", "xml"], "--format"),
    ("state-abbr-ok", "ok", ["summary", "--state", "aa"], "== counties =="),
    ("state-fips-ok", "ok", ["summary", "--state", "2"], "== counties =="),
    ("all-levers-ok", "ok", ["summary", "--layer", "eloundou", "--rater", "human", "--lambda", "0.5",
                             "--tau", "0.3", "--wage", "median"], "== nation =="),
    ("map-bad-suffix", "error", ["map", "--out", "map.txt"], "unsupported file type"),
    ("map-under-proc", "error", ["map", "--out", "/proc/map.png"], "system folder"),
    ("map-out-is-folder", "error", ["map", "--out", "."], "--out"),
    ("map-state-99", "error", ["map", "--out", "m.svg", "--state", "99"], "unknown state"),
    ("map-missing-scenario", "error", ["map", "--out", "m.svg", "--scenario", "nope.json"],
     "--scenario"),
    ("export-under-proc", "error", ["export", "--out", "/proc/t.csv"], "system folder"),
    ("export-level-unknown", "error", ["export", "--out", "t.csv", "--level", "nope"], "--level"),
    ("export-format-unknown", "error", ["export", "--out", "t.csv", "--format", "xyz"], "--format"),
    ("export-year-beyond-limit", "error", ["export", "--out", "t.csv", "--year", "2100"], "--year"),
    ("validate-under-proc", "error", ["validate", "--out", "/proc/v.md"], "system folder"),
    ("scenario-not-file-nor-preset", "error", ["scenario", "run", "nope"], "neither a scenario file"),
    ("scenario-out-under-proc", "error", ["scenario", "run", "gradual_adoption", "--out",
                                          "/proc/c.csv"], "system folder"),
    ("scenario-out-bad-suffix", "error", ["scenario", "run", "gradual_adoption", "--out", "c.txt"],
     "unsupported file type"),
    ("scenario-preset-ok", "ok", ["scenario", "run", "gradual_adoption"], "Gradual adoption"),
    ("custom-layer-missing-path", "error", ["--custom-layer", "mine=task:/no/such.csv", "summary"],
     "no file at"),
    ("custom-layer-bad-spec", "error", ["--custom-layer", "mine", "summary"], "NAME=LEVEL:PATH"),
    ("custom-layer-builtin-name", "error", ["--custom-layer", f"eloundou=task:{__file__}", "summary"],
     "built-in layer"),
]


@pytest.mark.parametrize(("case", "outcome", "args", "match"), CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_option(tiny, case, outcome, args, match):
    _expect_cli(_cli(tiny, args), outcome, match)


def test_programming_errors_keep_their_traceback(tiny, monkeypatch):
    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug, not the user's input")

    monkeypatch.setattr(iceberg, "run", bug)
    res = CliRunner().invoke(app, ["--data-dir", str(tiny), "summary"])
    assert isinstance(res.exception, ZeroDivisionError)  # not hidden behind a one-line message


def test_cli_output_under_a_file(tiny, tmp_path):
    (tmp_path / "afile").write_text("x")
    _expect_cli(_cli(tiny, ["export", "--out", str(tmp_path / "afile" / "t.csv")]), "error",
                "is a file, not a folder")


SCENARIO_FILES = [
    ("layer-unknown", "error", '{"layer": "zzz"}', "lever 'layer'"),
    ("scope-state-99", "error", '{"scope": "states", "scope_states": ["99"]}', "scope_states"),
    ("scope-county-00000", "error", '{"scope": "counties", "scope_counties": ["00000"]}',
     "scope_counties"),
    ("target-county-00000", "error", ('{"targeting": "counties", "target_counties": ["00000"], '
                                      '"reskilling_budget": 1e9}'), "target_counties"),
    ("horizon-beyond-2080", "error", '{"start_year": 2040, "horizon_year": 2095}', "2080"),
    ("not-json", "error", "{layer: zzz", "not valid JSON"),
    ("json-list", "error", "[1, 2]", "not a JSON object"),
    ("unknown-lever", "error", '{"budget": 5}', "unknown lever"),
    ("adoption-above-1", "error", '{"adoption_ceiling": 3}', "adoption_ceiling"),
    ("utf8-bom-ok", "ok", b'\xef\xbb\xbf{"name": "With BOM", "layer": "eloundou"}', "With BOM"),
    ("real-target-county-ok", "ok", ('{"name": "Target", "targeting": "counties", '
                                     '"target_counties": ["01001"], "reskilling_budget": 1e6}'), "Target"),
]


@pytest.mark.parametrize(("case", "outcome", "content", "match"), SCENARIO_FILES,
                         ids=[c[0] for c in SCENARIO_FILES])
def test_scenario_file(tiny, tmp_path, case, outcome, content, match):
    res = _cli(tiny, ["scenario", "run", _scenario_file(tmp_path, content)])
    _expect_cli(res, outcome, match)
    if outcome == "error":
        assert "s.json" in res.output  # the file is named


# ---------------------------------------------------------------------------------------------
# file-system faults (injected: the tests run as root, where permissions do not bite)


def _raise(code: int):
    def fail(self, path, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(path))

    return fail


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "no space left"),
                                             (errno.EROFS, "read-only"),
                                             (errno.EACCES, "permission denied")],
                         ids=["no-space", "read-only", "permission"])
def test_write_fault_is_one_line_naming_the_path(tiny, tmp_path, monkeypatch, code, words):
    monkeypatch.setattr(pd.DataFrame, "to_csv", _raise(code))
    res = _cli(tiny, ["scenario", "run", "gradual_adoption", "--out", str(tmp_path / "c.csv")])
    _expect_cli(res, "error", words)
    assert str(tmp_path) in res.output and not list(tmp_path.glob("*.tmp"))


def test_cache_folder_is_a_file(tiny, tmp_path, monkeypatch):
    (tmp_path / "cachefile").write_text("x")
    monkeypatch.setenv("ICEBERG_CACHE_DIR", str(tmp_path / "cachefile"))
    _expect_cli(_cli(tiny, ["summary"]), "error", "cachefile")


def test_read_only_cache_during_build(tiny, monkeypatch):
    import tempfile

    def readonly(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", kwargs.get("dir", "cache"))

    monkeypatch.setattr(tempfile, "mkdtemp", readonly)
    _expect_cli(_cli(tiny, ["summary"]), "error", "read-only")


def test_disk_full_during_build_leaves_no_partial_bundle(tiny, tmp_path, monkeypatch):
    monkeypatch.setattr(bmod, "_write_bundle", lambda out, parts: _raise(errno.ENOSPC)(None, out))
    _expect_cli(_cli(tiny, ["summary"]), "error", "no space left")
    assert [p.name for p in (tmp_path / "cache" / "bundles").iterdir()] == []


# ---------------------------------------------------------------------------------------------
# cache damage: set aside, rebuilt, one notice (API and CLI)


def _truncate(path):
    f = path / "levels.parquet"
    f.write_bytes(f.read_bytes()[:100])


def _delete(path):
    (path / "meta__county.parquet").unlink()


def _cut_manifest(path):
    m = path / "manifest.json"
    m.write_text(m.read_text()[:40])


def _drop_manifest(path):
    (path / "manifest.json").unlink()


def _garbage_same_size(path):
    f = path / "occupations.parquet"
    f.write_bytes(b"\x00" * f.stat().st_size)


def _empty_file(path):
    (path / "counties.parquet").write_bytes(b"")


DAMAGE = [_truncate, _delete, _cut_manifest, _drop_manifest, _garbage_same_size, _empty_file]


@pytest.mark.parametrize("damage", DAMAGE, ids=[d.__name__.strip("_") for d in DAMAGE])
def test_damaged_cache_heals_through_the_api(tiny_cache, damage):
    first = bmod.load(tiny_cache["raw"], progress=False)
    damage(first.path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = bmod.load(tiny_cache["raw"], progress=False)
    notices = [str(w.message) for w in caught if issubclass(w.category, IcebergDataWarning)]
    assert len(notices) == 1 and "set aside" in notices[0] and again.notices == notices
    assert "\n" not in notices[0] and len(tiny_cache["calls"]) == 2  # rebuilt once
    assert np.array_equal(again.levels["county"].employment, first.levels["county"].employment)
    assert bmod.verify_bundle(again.path, deep=True) == []
    assert len(list((tiny_cache["dir"] / bmod.DAMAGED_DIR).iterdir())) == 1  # kept to inspect


@pytest.mark.parametrize("damage", [_truncate, _cut_manifest], ids=["truncate", "cut-manifest"])
def test_damaged_cache_heals_through_the_cli(tiny, damage):
    damage(bmod.load(tiny, progress=False).path)
    _expect_cli(_cli(tiny, ["summary"]), "notice", "set aside")
    _expect_cli(_cli(tiny, ["summary"]), "ok", "== nation ==")  # healed: no second notice


def test_build_command_checks_hashes_and_heals_a_flipped_byte(tiny):
    path = bmod.load(tiny, progress=False).path
    data = bytearray((path / "similarity.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the sha256 sees it
    (path / "similarity.parquet").write_bytes(bytes(data))
    _expect_cli(_cli(tiny, ["build"]), "notice", "sha256 differs")
    assert bmod.verify_bundle(path, deep=True) == []


def test_data_status_deep_reports_a_damaged_bundle(tiny, monkeypatch):
    path = bmod.load(tiny, progress=False).path
    data = bytearray((path / "levels.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (path / "levels.parquet").write_bytes(bytes(data))
    monkeypatch.setattr("iceberg.sources.data_status", lambda *a, **k: pd.DataFrame())
    monkeypatch.setattr("iceberg.sources.format_status", lambda status: "")
    monkeypatch.setattr("iceberg.sources.status_ok", lambda status: True)
    res = _cli(tiny, ["data", "status", "--deep"])
    assert res.exit_code == 1 and "DAMAGED" in res.output and "sha256" in res.output


def test_stale_staging_is_cleaned(tiny, tmp_path):
    folder = tmp_path / "cache" / "bundles"
    folder.mkdir(parents=True)
    stale = folder / f".{KEY}.killed"
    stale.mkdir()
    (stale / bmod.OWNER_FILE).write_text(json.dumps({"pid": 2**22 + 7, "host": os.uname().nodename}))
    bmod.load(tiny, progress=False)
    assert not stale.exists()


# ---------------------------------------------------------------------------------------------
# scenario levers through the API (links and uploads use Scenario.from_values)

CHOICES = LeverChoices(layers=("eloundou", "aioe"), states=frozenset({"01", "02"}),
                       counties=frozenset({"01001", "01003", "02001"}))
LENIENT = [
    ("layer-zzz", {"layer": "zzz"}, "layer", "one of eloundou, aioe"),
    ("state-99", {"scope": "states", "scope_states": ["99"]}, "scope_states", "01, 02"),
    ("county-00000", {"scope": "counties", "scope_counties": ["00000"]}, "scope_counties", "01001"),
    ("target-00000", {"targeting": "counties", "target_counties": ["00000"]}, "target_counties",
     "02001"),
    ("lambda-5", {"tool_frontier": 5}, "tool_frontier", "[0, 1]"),
    ("rater-robot", {"rater": "robot"}, "rater", "mean, human, gpt4"),
    ("unknown-lever", {"bogus": 1}, "bogus", "unknown lever"),
    ("horizon-2095", {"start_year": 2040, "horizon_year": 2095}, "horizon_year", "2080"),
]


@pytest.mark.parametrize(("case", "values", "lever", "allowed"), LENIENT, ids=[c[0] for c in LENIENT])
def test_lenient_levers_fall_back_with_a_notice(case, values, lever, allowed):
    sc, notices = Scenario.from_values(values, choices=CHOICES)
    assert sc == Scenario.from_values({k: v for k, v in values.items()
                                       if k not in (lever, "scope", "targeting")})[0] or notices
    hit = [n for n in notices if f"'{lever}'" in n]
    assert hit and allowed in hit[0] and "\n" not in hit[0]
    if case not in ("unknown-lever",):
        with pytest.raises(IcebergArgumentError, match=lever):
            Scenario.strict(values, choices=CHOICES)


@pytest.mark.parametrize(("case", "scenario", "lever"), [
    ("layer", Scenario(layer="zzz"), "layer"),
    ("state", Scenario(scope="states", scope_states=("99",)), "scope_states"),
    ("county", Scenario(scope="counties", scope_counties=("00000",)), "scope_counties"),
    ("target", Scenario(targeting="counties", target_counties=("00000",), reskilling_budget=1e9),
     "target_counties"),
], ids=["layer", "state", "county", "target"])
def test_run_refuses_what_the_bundle_lacks(tiny, case, scenario, lever):
    data = bmod.load(tiny, progress=False)
    with pytest.raises(IcebergArgumentError, match=lever) as err:
        iceberg.run(data, scenario)
    assert "\n" not in str(err.value) and err.value.allowed


def test_run_accepts_what_the_bundle_has(tiny):
    data = bmod.load(tiny, progress=False)
    result = iceberg.run(data, Scenario(scope="states", scope_states=("02",), targeting="counties",
                                        target_counties=("02001",), reskilling_budget=1e6))
    assert set(result.by_year["county"].index.get_level_values("id")) == {"02001"}


def test_monte_carlo_zero_draws():
    from iceberg.scenario import Engine, monte_carlo
    from tests.unit.test_scenario_engine import random_inputs

    with pytest.raises(IcebergArgumentError, match="draws"):
        monte_carlo(Engine(random_inputs(0)), Scenario(), {}, draws=0)


def test_strict_link_names_the_lever():
    with pytest.raises(IcebergArgumentError, match="adoption_ceiling"):
        Scenario.from_query_params_strict({"amax": "2"})


# ---------------------------------------------------------------------------------------------
# raw official files (hand-made miniatures of each format)

OEWS_HEADER = ("AREA,AREA_TITLE,AREA_TYPE,PRIM_STATE,STATE_FIPS,OCC_CODE,OCC_TITLE,O_GROUP,TOT_EMP,"
               "H_MEAN,A_MEAN,A_MEDIAN\n")


def _oews(total="1000", major="600", detail="600", h="24.00", a="49920", med="45000") -> str:
    return (OEWS_HEADER
            + f"10180,Abilene,4,TX,48,00-0000,All Occupations,total,{total},24.00,49920,45000\n"
            + f"10180,Abilene,4,TX,48,43-0000,Office,major,{major},20.00,41600,40000\n"
            + f"10180,Abilene,4,TX,48,43-4051,Customer service,detailed,{detail},{h},{a},{med}\n")


OEWS_CASES = [
    ("mean-wage-9-trillion", _oews(a="9000000000000", h=""), "A_MEAN"),
    ("negative-jobs", _oews(detail="-10"), "TOT_EMP"),
    ("fractional-jobs", _oews(detail="600.5"), "TOT_EMP"),
    ("annual-not-hourly-x2080", _oews(a="99920"), "A_MEAN"),
    ("hourly-wage-absurd", _oews(h="5000", a=""), "H_MEAN"),
    ("wage-9-dollars", _oews(a="9", h=""), "A_MEAN"),
    ("total-below-majors", _oews(total="100"), "TOT_EMP"),
    ("median-absurd", _oews(med="50000000"), "A_MEDIAN"),
]


@pytest.mark.parametrize(("case", "text", "column"), OEWS_CASES, ids=[c[0] for c in OEWS_CASES])
def test_oews_implausible_values_are_refused(tmp_path, case, text, column):
    from iceberg.io.oews import read_oews

    path = tmp_path / "oews.csv"
    path.write_text(text)
    with pytest.raises(IcebergDataError) as err:
        read_oews(path)
    assert err.value.column == column and err.value.row is not None and "oews.csv" in str(err.value)


def test_oews_plausible_file_reads(tmp_path):
    from iceberg.io.oews import read_oews

    path = tmp_path / "oews.csv"
    path.write_text(_oews())
    assert read_oews(path)["tot_emp"].tolist() == [1000, 600, 600]


def _popest(tmp_path, *, columns=("POPESTIMATE2023", "POPESTIMATE2024"), county="5000",
            state="8000") -> Path:
    header = "SUMLEV,STATE,COUNTY,STNAME,CTYNAME," + ",".join(columns)
    rows = [("040", "01", "000", "Alabama", "Alabama", state), ("050", "01", "001", "Alabama", "Autauga", county),
            ("050", "01", "003", "Alabama", "Baldwin", "3000")]
    body = "\n".join(",".join([*r[:5]] + [r[5]] * len(columns)) for r in rows)
    path = tmp_path / "co-est2024-alldata.csv"
    path.write_text(header + "\n" + body + "\n")
    return path


@pytest.mark.parametrize(("case", "kwargs", "column"), [
    ("no-popestimate2024", {"columns": ("POPESTIMATE2022", "POPESTIMATE2023")}, "POPESTIMATE2024"),
    ("county-40-million", {"county": "40000000", "state": "40003000"}, "POPESTIMATE2024"),
    ("state-below-counties", {"state": "100"}, "POPESTIMATE2024"),
    ("negative-population", {"county": "-5"}, "POPESTIMATE2024"),
], ids=["no-popestimate2024", "county-40-million", "state-below-counties", "negative-population"])
def test_population_file_refused(tmp_path, case, kwargs, column):
    from iceberg.io.census import read_county_population

    with pytest.raises(IcebergDataError) as err:
        read_county_population(_popest(tmp_path, **kwargs))
    assert column in str(err.value) and "co-est2024-alldata.csv" in str(err.value)


def test_population_plausible_file_reads(tmp_path):
    from iceberg.io.census import read_county_population

    pop = read_county_population(_popest(tmp_path))
    assert pop["population"].tolist() == [5000, 3000]


TASKS = ("O*NET-SOC Code\tTask ID\tTask\tTask Type\n11-1011.00\t8823\tDirect.\tCore\n"
         "15-1252.00\t16363\tWrite code.\tCore\n")
OCCUPATIONS = "O*NET-SOC Code\tTitle\tDescription\n11-1011.00\tChief Executives\tLead.\n" \
              "15-1252.00\tSoftware Developers\tBuild.\n"


@pytest.mark.parametrize(("case", "occupations", "match"), [
    ("occupation-data-missing", None, "Occupation Data"),
    ("occupation-data-lacks-a-task-occupation", OCCUPATIONS.rsplit("15-1252", 1)[0], "Occupation Data"),
    ("occupation-data-missing-column", OCCUPATIONS.replace("Title", "Name"), "Title"),
    ("occupation-data-bad-code", OCCUPATIONS.replace("11-1011.00", "111011"), "O*NET-SOC Code"),
], ids=["missing", "lacks-task-occupation", "missing-column", "bad-code"])
def test_onet_occupation_data_is_read_and_checked(tmp_path, case, occupations, match):
    from iceberg.io.onet import read_tasks

    (tmp_path / "Task Statements.txt").write_text(TASKS)
    if occupations is not None:
        (tmp_path / "Occupation Data.txt").write_text(occupations)
    with pytest.raises(IcebergDataError, match="Occupation Data|O\\*NET") as err:
        read_tasks(tmp_path)
    assert match in str(err.value)


# ---------------------------------------------------------------------------------------------
# custom layers


def _custom(tmp_path, text: str, name: str = "mine", level: str = "task"):
    from iceberg.build_steps import user_layers
    from tests.unit.test_exposure import frames

    path = tmp_path / f"{name}.csv"
    path.write_text(text)
    return user_layers((bmod.CustomLayerSpec(name, level, path),), {**frames(), "task_ratings": None})


@pytest.mark.parametrize(("case", "text", "level", "match"), [
    ("all-task-codes-unknown", "code,value\n999991,0.5\n999992,0.4\n", "task", "none of its 2"),
    ("all-occupations-unknown", "code,value\n99-9991,0.5\n", "occupation", "none of its 1"),
    ("value-above-1", "code,value\n1,1.7\n", "task", "outside [0, 1]"),
    ("bad-code", "code,value\nabc,0.5\n", "task", "bad task code"),
    ("no-rows", "code,value\n", "task", "no rows"),
    ("missing-column", "code,score\n1,0.5\n", "task", "column missing"),
], ids=["all-task-codes-unknown", "all-occupations-unknown", "value-above-1", "bad-code", "no-rows",
        "missing-column"])
def test_custom_layer_refused(tmp_path, case, text, level, match):
    with pytest.raises(IcebergDataError, match=re.escape(match)) as err:
        _custom(tmp_path, text, level=level)
    assert "mine.csv" in str(err.value)


def test_custom_layer_many_unknown_codes_warns_with_counts(tmp_path):
    with pytest.warns(IcebergDataWarning, match=r"2 of 3 task codes .* 1 matched"):
        (layer,) = _custom(tmp_path, "code,value\n1,0.5\n999991,0.5\n999992,0.5\n")
    assert layer.counts["codes_matched"] == 1 and layer.counts["codes_unknown"] == 2


def test_custom_layer_named_like_a_builtin_is_refused(tmp_path):
    with pytest.raises(IcebergDataError, match="built-in"):
        _custom(tmp_path, "code,value\n1,0.5\n", name="eloundou")


def test_custom_layer_all_known_reports_matches(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", IcebergDataWarning)
        (layer,) = _custom(tmp_path, "code,value\n1,0.5\n2,0.25\n")
    assert layer.counts["codes_matched"] == 2


# ---------------------------------------------------------------------------------------------
# downloads


def test_stalled_download_says_stalled():
    import requests
    import urllib3

    from iceberg.sources.fetch import _reason

    stalled = requests.exceptions.ConnectionError(
        urllib3.exceptions.ReadTimeoutError(None, "/f.zip", "Read timed out. (read timeout=60)"))
    assert _reason(stalled).startswith("stalled")
    assert "offline" in _reason(requests.exceptions.ConnectionError("Name or service not known"))


# ---------------------------------------------------------------------------------------------
# a real process: what a user sees on the terminal


@pytest.mark.parametrize(("args", "match"), [
    (["summary", "--lambda", "5"], "--lambda"),
    (["summary", "--rater", "foo"], "--rater"),
    (["map", "--out", "/proc/x.png"], "system folder"),
    (["--custom-layer", "mine=task:/no/such.csv", "summary"], "no file at"),
], ids=["lambda", "rater", "proc", "custom-layer"])
def test_subprocess_prints_one_line_and_exits_2(tmp_path, args, match):
    env = {**os.environ, "ICEBERG_CACHE_DIR": str(tmp_path / "cache"),
           "ICEBERG_DATA_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", "from iceberg.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
                          check=False)
    _no_traceback(proc.stdout + proc.stderr)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and match in lines[0]


@pytest.mark.parametrize(("case", "name", "text", "column"), [
    ("microsoft-share-above-1", "iwa_metrics.csv",
     ("IWA,title,completion_x_scope_x_coverage_ai,completion_x_scope_x_coverage_user\n"
      "4.A.1.a.1.I01,Getting information,5.0,0.3\n"), "completion_x_scope_x_coverage_ai"),
    ("anthropic-pct-above-100", "onet_task_mappings.csv", "task_name,pct\nwrite code,150\n", "pct"),
], ids=["microsoft-share-above-1", "anthropic-pct-above-100"])
def test_layer_share_out_of_range(tmp_path, case, name, text, column):
    from iceberg.io import layers

    (tmp_path / name).write_text(text)
    reader = layers.read_microsoft_iwa if name.startswith("iwa") else layers.read_anthropic_tasks
    with pytest.raises(IcebergDataError) as err:
        reader(tmp_path)
    assert err.value.column == column and err.value.row == 1 and name in str(err.value)
