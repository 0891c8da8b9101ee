"""The root typer application; command modules register on it."""

from __future__ import annotations

import warnings

import typer
from typer.core import TyperGroup

from iceberg.errors import (
    IcebergArgumentError,
    IcebergDataError,
    IcebergDataWarning,
    os_error_message,
)

#: Exit code of an error the user can fix (bad data, option, lever or file-system fault).
USER_ERROR_EXIT = 2


def _fail(message: str) -> typer.Exit:
    """Print ``error: message`` as one line on stderr; the ``typer.Exit`` to raise."""
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    return typer.Exit(USER_ERROR_EXIT)


class IcebergGroup(TyperGroup):
    """The root command group: turns the user's errors into one line and exit code 2.

    :class:`IcebergDataError` (bad data), :class:`IcebergArgumentError` (bad option or lever)
    and :class:`OSError` (no space, read-only, not a folder, permission …) are the user's to
    fix, so they print no traceback; every other exception is a bug and keeps its traceback.
    Living in the group (not only in ``main``) means ``CliRunner`` sees the same behaviour.
    """

    def invoke(self, ctx):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", IcebergDataWarning)
                warnings.showwarning = _show_warning
                return super().invoke(ctx)
        except (IcebergDataError, IcebergArgumentError) as exc:
            raise _fail(str(exc)) from None
        except typer.BadParameter as exc:  # typer's own checks (choices, ranges, exists …)
            hint = exc.param_hint or (exc.param.opts[0] if exc.param is not None and exc.param.opts else None)
            if isinstance(hint, list | tuple):
                hint = " / ".join(hint)
            message = str(exc.message).removeprefix("Value error, ")
            raise _fail(f"{hint}: {message}" if hint else message) from None
        except OSError as exc:
            if isinstance(exc, BrokenPipeError):  # `iceberg summary | head`: not an error
                raise typer.Exit(0) from None
            raise _fail(os_error_message(exc)) from None


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Data warnings as one ``warning:`` line (no file/line of the code that warned)."""
    if issubclass(category, IcebergDataWarning):
        typer.echo(f"warning: {' '.join(str(message).split())}", err=True)
    else:
        warnings._showwarnmsg_impl(warnings.WarningMessage(message, category, filename, lineno, file, line))


app = typer.Typer(
    name="iceberg",
    cls=IcebergGroup,
    help="Map the technical AI exposure of US wages, county by county (visible vs hidden).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Official data sources: status and downloads.", no_args_is_help=True)
scenario_app = typer.Typer(help="Run and compare policy scenarios.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(scenario_app, name="scenario")


@app.callback()
def _root(
    data_dir: str = typer.Option(
        None,
        "--data-dir",
        help="Folder holding the official files (one sub-folder per source); "
        "default: $ICEBERG_DATA_DIR, else the user cache.",
    ),
    custom_layer: list[str] = typer.Option(
        None,
        "--custom-layer",
        help="Add your own capability CSV (columns code,value) as NAME=LEVEL:PATH with LEVEL "
        "task, dwa, iwa or occupation; repeatable. Same as $ICEBERG_CUSTOM_LAYERS (';'-separated).",
    ),
) -> None:
    import os

    from iceberg import settings

    settings.set_data_dir(data_dir)  # each invocation starts from its own option (None: env, then cache)
    if custom_layer:
        from iceberg import CustomLayerSpec

        specs = [CustomLayerSpec.parse(text) for text in custom_layer]  # fail early on a bad spec
        # every command of this process (and the app it starts) builds with these layers
        os.environ["ICEBERG_CUSTOM_LAYERS"] = ";".join(f"{s.name}={s.level}:{s.path}" for s in specs)
