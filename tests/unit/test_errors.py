"""The two error types render as one line naming what is wrong."""

from __future__ import annotations

import pytest

from iceberg.errors import IcebergArgumentError, IcebergDataError


def test_argument_error_names_option_value_and_allowed():
    err = IcebergArgumentError("--layer", "nope", allowed="one of eloundou, aioe")
    assert str(err) == "--layer: invalid value 'nope'; allowed: one of eloundou, aioe"
    assert (err.name, err.value, err.allowed) == ("--layer", "nope", "one of eloundou, aioe")
    assert isinstance(err, ValueError)


def test_argument_error_custom_message_and_one_line():
    err = IcebergArgumentError("states", ["99"], message="unknown state(s)\nin scope",
                               allowed="FIPS codes\nof the bundle")
    assert "\n" not in str(err)
    assert str(err).startswith("states: unknown state(s) in scope (got ['99'])")


def test_argument_error_shortens_long_values():
    err = IcebergArgumentError("counties", "x" * 500)
    assert len(str(err)) < 200 and "…" in str(err)


def test_data_error_is_one_line():
    err = IcebergDataError("bad\nvalue", file="a.csv", row=3, column="A_MEAN", expected="≥ 0", found=-1)
    assert "\n" not in str(err)
    assert "file a.csv" in str(err) and "row 3" in str(err) and "'A_MEAN'" in str(err)


def test_the_two_types_are_distinct():
    with pytest.raises(IcebergArgumentError):
        raise IcebergArgumentError("--tau", -1, allowed="a number ≥ 0")
    assert not issubclass(IcebergArgumentError, IcebergDataError)
    assert not issubclass(IcebergDataError, IcebergArgumentError)


def test_lever_kind_and_os_error_message():
    import errno

    from iceberg.errors import os_error_message

    err = IcebergArgumentError("layer", "zzz", kind="lever", message="unknown capability layer",
                               allowed="one of eloundou, aioe")
    assert str(err) == "lever 'layer': unknown capability layer (got 'zzz'); allowed: one of eloundou, aioe"
    text = os_error_message(OSError(errno.ENOSPC, "No space left on device", "/tmp/x.csv"))
    assert text == "cannot use /tmp/x.csv: no space left on the device"
