"""iceberg — how much of the work people are paid for AI can technically do, county by county.

Public API: :func:`load`, :class:`Scenario`, :func:`run`, :func:`explore`, :func:`plot`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Scenario", "__version__", "explore", "load", "plot", "run"]


def explore(result, metric: str = "hidden_index", **kwargs):
    """Interactive county map of a :func:`run` result (``result.explore``)."""
    return result.explore(metric, **kwargs)


def plot(result, metric: str, path, **kwargs):
    """Static county map (PNG/SVG/PDF by extension) of a :func:`run` result (``result.plot``)."""
    return result.plot(metric, path, **kwargs)


def __getattr__(name: str):  # lazy: keep `import iceberg` cheap for the CLI
    if name == "load":
        from iceberg.bundle import load

        return load
    if name == "run":
        from iceberg.api import run

        return run
    if name == "Scenario":
        from iceberg.scenario.model import Scenario

        return Scenario
    raise AttributeError(name)
