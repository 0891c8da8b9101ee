"""Map classes: fitted once on the baseline with mapclassify, reused for every scenario.

Keeping the class breaks of the baseline when a scenario is drawn keeps colours comparable:
a county that turns darker really moved, it was not re-binned.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from iceberg import labels
from iceberg.errors import IcebergDataError
from iceberg.maps import style

#: Above this many values, exact Fisher-Jenks (pure Python without numba) runs on evenly
#: spaced order statistics: deterministic, and its breaks differ from the exact ones by far
#: less than a class width (0.08 s instead of 14 s for 3,222 counties).
_JENKS_SAMPLE = 256
_OLD_UNIT_WORDS = {"percent": "share", "dollars": "usd", "count": "workers", "multiple": "ratio",
                   "plain": "ratio"}


def _snap_to_gaps(sorted_v: np.ndarray, sample: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Move breaks fitted on a sample into the widest gap of the full data before the next
    sample point, so values lying between sample points land in the right class."""
    out = bins.copy()
    for i, b in enumerate(bins[:-1]):  # k-1 breaks: a loop over classes, not counties
        nxt = sample[sample > b]
        if nxt.size == 0:
            continue
        seg = sorted_v[(sorted_v >= b) & (sorted_v <= nxt[0])]
        if seg.size >= 2:
            out[i] = seg[int(np.argmax(np.diff(seg)))]
    return out


def _as_float(values) -> np.ndarray:
    return np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype="float64")


def _finite(values, metric: str, what: str) -> np.ndarray:
    """The finite values to fit ``what`` on; an error naming ``metric`` when there are none."""
    v = _as_float(values)
    v = v[np.isfinite(v)]
    if v.size == 0:
        raise IcebergDataError(
            f"cannot fit {what}: no finite values",
            column=metric,
            expected="at least one number",
            found="all missing",
        )
    return v


@dataclass(frozen=True)
class MapClasses:
    """Class breaks and colours for one metric.

    Attributes
    ----------
    metric : str
        Column the classes were fitted on.
    scheme : str
        mapclassify scheme name (``"FisherJenks"``, ``"Quantiles"``, ``"NaturalBreaks"``,
        ``"EqualInterval"``, ...) or ``"Diverging"`` for difference maps.
    bins : tuple of float
        Upper bounds of the classes (ascending, length ``k``); class ``i`` holds values in
        ``(bins[i-1], bins[i]]``; values beyond the last bound fall in the top class and
        values below the first in the bottom class (so scenario values are never dropped).
    colours : tuple of str
        Hex colour of each class.
    unit : str
        Unit of the values (:data:`iceberg.labels.UNITS`): ``"share"``, ``"usd"``,
        ``"workers"``, ``"ratio"`` or ``"pp"``.
    """

    metric: str
    scheme: str
    bins: tuple[float, ...]
    colours: tuple[str, ...]
    unit: str

    # -- fitting ---------------------------------------------------------------------------
    @classmethod
    def fit(
        cls,
        values,
        metric: str,
        *,
        scheme: str = "FisherJenks",
        k: int = 5,
        palette: str = style.SEQUENTIAL,
    ) -> MapClasses:
        """Fit classes on baseline values.

        Parameters
        ----------
        values : array-like of float
            Baseline values, one per county (NaN ignored).
        metric : str
            Column name (sets the unit of the labels).
        scheme : str
            mapclassify scheme name.
        k : int
            Number of classes (fewer when the data has fewer distinct values).
        palette : str
            matplotlib colormap name (see :data:`iceberg.maps.style.SEQUENTIAL_PALETTES`).

        Returns
        -------
        MapClasses
        """
        import mapclassify

        v = _finite(values, metric, "map classes")
        k = int(max(1, min(k, np.unique(v).size)))
        if k == 1:
            bins = np.array([v.max()])
        else:
            sample = v
            name = scheme
            if scheme == "FisherJenks" and v.size > _JENKS_SAMPLE:
                sample = np.quantile(v, np.linspace(0.0, 1.0, _JENKS_SAMPLE))
            state = np.random.get_state()  # k-means-like schemes draw seeds: stay reproducible
            try:
                np.random.seed(0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted = mapclassify.classify(sample, name, k=k)
            except (ValueError, KeyError, AttributeError) as exc:
                raise IcebergDataError(
                    f"unknown or failing classification scheme {scheme!r}: {exc}",
                    column=metric,
                    expected="a mapclassify scheme such as FisherJenks, Quantiles, "
                    "NaturalBreaks, EqualInterval",
                    found=scheme,
                ) from None
            finally:
                np.random.set_state(state)
            bins = np.unique(np.asarray(fitted.bins, dtype="float64"))
            if sample is not v:
                bins = _snap_to_gaps(np.sort(v), sample, bins)
            bins[-1] = max(bins[-1], v.max())
        colours = tuple(style.palette(palette, len(bins)))
        return cls(metric, scheme, tuple(float(b) for b in bins), colours, labels.unit(metric))

    @classmethod
    def fit_difference(
        cls,
        values,
        metric: str,
        *,
        k: int = 7,
        palette: str = style.DIVERGING,
        neutral: float = 0.02,
    ) -> MapClasses:
        """Diverging classes anchored at zero for a difference map (scenario - baseline).

        A narrow neutral class ``(-ε, ε]`` with ``ε = neutral × max|change|`` takes the middle
        (pale) colour; every larger rise is coloured on the rise side and every larger fall on
        the fall side, so a uniform rise never looks partly unchanged. On each side the breaks
        between ``ε`` and the largest change are quantiles of the ``|change|`` values beyond
        ``ε`` (mirrored, so the legend is symmetric); ``k`` is made odd.

        Parameters
        ----------
        values : array-like of float
            Differences, one per county (NaN ignored).
        metric : str
            Column name (sets the unit of the labels).
        k : int, default 7
            Number of classes (odd: ``(k - 1) / 2`` per side and the neutral class); fewer when
            the changes have fewer distinct magnitudes.
        palette : str
            Diverging matplotlib colormap (its middle colour marks "no change").
        neutral : float, default 0.02
            Half-width of the neutral class as a fraction of the largest ``|change|``.

        Returns
        -------
        MapClasses
        """
        v = _finite(values, metric, "difference classes")
        half = max(1, (k - 1) // 2)
        mag = np.abs(v)
        top = float(mag.max())
        eps = top * float(neutral) if top > 0 else 1e-12
        # breaks inside (ε, top): quantiles of the changes beyond the neutral class
        beyond = mag[mag > eps]
        steps = np.quantile(beyond, np.linspace(0, 1, half + 1)[1:-1]) if beyond.size else \
            np.empty(0)
        steps = np.unique(steps[(steps > eps) & (steps < top)])
        bins = np.concatenate([-steps[::-1], [-eps, eps], steps, [max(top, 2 * eps)]])
        colours = tuple(style.palette(palette, len(bins)))  # odd: the middle is "no change"
        return cls(metric, "Diverging", tuple(float(b) for b in bins), colours,
                   labels.unit(metric))

    # -- use -------------------------------------------------------------------------------
    @property
    def k(self) -> int:
        """Number of classes."""
        return len(self.bins)

    def classify(self, values) -> np.ndarray:
        """Class code of each value (int8): 0..k-1, and -1 for missing."""
        v = _as_float(values)
        codes = np.searchsorted(np.asarray(self.bins), v, side="left")
        codes = np.minimum(codes, self.k - 1).astype("int8")
        codes[~np.isfinite(v)] = -1
        return codes

    def colours_for(self, values) -> np.ndarray:
        """Hex colour of each value (the missing colour for NaN)."""
        table = np.array((*self.colours, style.MISSING_COLOUR), dtype=object)
        return table[self.classify(values)].astype(str)  # -1 picks the last entry

    @property
    def labels(self) -> list[str]:
        """Legend label of each class, with units (``"≤ 5.0%"``, ``"5.0% – 8.0%"``, ``"> 12.0%"``).

        Difference classes (``scheme == "Diverging"``) are signed, and a change of a share is
        in percentage points (``"+1.0 pp – +2.5 pp"``).
        """
        b = np.asarray(self.bins)
        if self.k == 1:
            return [str(self.format([b[0]])[0])]
        text = self.format(b, digits=self._digits())
        out = [f"≤ {text[0]}"]
        out += [f"{lo} – {hi}" for lo, hi in pairwise(text[:-1])]
        out.append(f"> {text[-2]}")
        return out

    def format(self, values, *, digits: int = 1, missing: str = "No data") -> np.ndarray:
        """Values as the legend and the tooltips show them (see :func:`iceberg.labels.format_unit`).

        Differences are signed (``"+$1.2M"``, ``"-0.4 pp"``); a change of a share is given in
        percentage points rather than percent.
        """
        unit = self.unit
        if self.scheme == "Diverging" and unit == "share":
            unit = "pp"
        return labels.format_unit(unit, values, digits=digits, missing=missing,
                                  signed=self.scheme == "Diverging")

    def legend_items(self) -> list[tuple[str, str]]:
        """``(colour, label)`` pairs, classes first, then ``(missing colour, "No data")``."""
        return [*zip(self.colours, self.labels), (style.MISSING_COLOUR, "No data")]

    def _digits(self) -> int:
        """Enough decimals that adjacent breaks read differently (at most 3)."""
        b = np.asarray(self.bins)
        for d in range(1, 4):
            text = self.format(b, digits=d)
            if len(set(text)) == len(text):
                return d
        return 3

    def to_dict(self) -> dict:
        """Plain-JSON form (for provenance and the app's URL state)."""
        return {"metric": self.metric, "scheme": self.scheme, "bins": list(self.bins),
                "colours": list(self.colours), "unit": self.unit}

    @classmethod
    def from_dict(cls, d: dict) -> MapClasses:
        """Inverse of :meth:`to_dict`."""
        unit = _OLD_UNIT_WORDS.get(d["unit"], d["unit"])  # states saved before iceberg.labels
        return cls(d["metric"], d["scheme"], tuple(map(float, d["bins"])),
                   tuple(d["colours"]), unit)
