"""Felten–Raj–Seamans AIOE (occupation level, SOC 2010) → SOC 2018 occupation values.

**Crosswalk.** SOC 2010 code ``s`` → every O*NET-SOC 2010 code beginning with ``s`` (an OES
aggregate such as ``19-1020`` that has no O*NET code of its own takes the O*NET codes of its broad
group ``19-102x``) → O*NET-SOC 2019 (official 2010 → 2019 crosswalk) → SOC 2018 (official O*NET
2019 → SOC crosswalk).
**Splits** (one SOC 2010 code reaching several SOC 2018 codes): every child takes the parent's
value. **Merges** (several SOC 2010 codes reaching one SOC 2018 code): the child takes the plain
mean of its parents' values. AIOE codes reaching no SOC 2018 code are counted as unmapped.

**Scale.** AIOE is standardised (mean 0, sd 1 over its 774 occupations). ``scale="minmax"``
(default) maps it to [0, 1] by ``(x − min) / (max − min)`` over those occupations, keeping the
distances between occupations; ``scale="percentile"`` uses the percentile rank instead (uniform
on [0, 1]). Either way the [0, 1] value is *relative* exposure, not a share of work AI can do,
so AIOE's wage indices are not comparable in level with the task-based layers — only in pattern.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from iceberg.capability.base import CapabilityLayer


def rescale(values: np.ndarray, scale: str) -> np.ndarray:
    """Map standardised scores to [0, 1] by ``"minmax"`` or ``"percentile"`` rank."""
    v = np.asarray(values, dtype=float)
    if scale == "minmax":
        lo, hi = np.nanmin(v), np.nanmax(v)
        return (v - lo) / (hi - lo) if hi > lo else np.zeros_like(v)
    if scale == "percentile":
        return pd.Series(v).rank(pct=True, method="average").to_numpy()
    raise ValueError(f"scale must be 'minmax' or 'percentile', not {scale!r}")


def soc2010_to_soc2018(
    soc_2010: np.ndarray, onet_2010_2019: pd.DataFrame, onet_soc_crosswalk: pd.DataFrame
) -> pd.DataFrame:
    """Pairs ``soc_2010, soc_2018`` reachable through the O*NET-SOC crosswalks (unique)."""
    walk = onet_2010_2019[["onet_soc_2010", "onet_soc_2019"]].astype(str)
    walk = walk.merge(
        onet_soc_crosswalk[["onet_soc", "soc_code"]].astype(str),
        left_on="onet_soc_2019", right_on="onet_soc", how="inner",
    )
    walk["soc7"] = walk["onet_soc_2010"].str[:7]
    walk["soc6"] = walk["onet_soc_2010"].str[:6]
    codes = pd.DataFrame({"soc_2010": pd.unique(np.asarray(soc_2010, dtype=str))})
    exact = codes.merge(walk[["soc7", "soc_code"]], left_on="soc_2010", right_on="soc7")
    # OES aggregates (code ends in 0) without their own O*NET code: use the broad group.
    rest = codes[~codes["soc_2010"].isin(exact["soc_2010"]) & codes["soc_2010"].str.endswith("0")]
    rest = rest.assign(soc6=rest["soc_2010"].str[:6])
    broad = rest.merge(walk[["soc6", "soc_code"]], on="soc6")
    pairs = pd.concat(
        [exact[["soc_2010", "soc_code"]], broad[["soc_2010", "soc_code"]]], ignore_index=True
    )
    return pairs.drop_duplicates().rename(columns={"soc_code": "soc_2018"}).reset_index(drop=True)


def aioe_layer(
    aioe: pd.DataFrame,
    onet_2010_2019: pd.DataFrame,
    onet_soc_crosswalk: pd.DataFrame,
    scale: str = "minmax",
) -> CapabilityLayer:
    """Occupation layer from AIOE.

    Parameters
    ----------
    aioe : pd.DataFrame
        ``read_aioe`` output: ``soc_2010, title, aioe``.
    onet_2010_2019 : pd.DataFrame
        ``read_onet_2010_2019`` output: ``onet_soc_2010, onet_soc_2019``.
    onet_soc_crosswalk : pd.DataFrame
        ``read_onet_soc_crosswalk`` output: ``onet_soc, onet_title, soc_code, soc_title``.
    scale : {"minmax", "percentile"}

    Returns
    -------
    CapabilityLayer
        Code system ``"occupation"`` on SOC 2018 codes. Counts: ``aioe_codes``,
        ``aioe_unmapped``, ``aioe_split`` (parents reaching > 1 SOC 2018 code),
        ``soc2018_merged`` (children with > 1 parent), ``soc2018_valued``.
    """
    frame = pd.DataFrame(
        {"soc_2010": aioe["soc_2010"].astype(str).to_numpy(),
         "value": rescale(aioe["aioe"].to_numpy(dtype=float), scale)}
    ).dropna()
    pairs = soc2010_to_soc2018(frame["soc_2010"].to_numpy(), onet_2010_2019, onet_soc_crosswalk)
    pairs = pairs.merge(frame, on="soc_2010")
    per_child = pairs.groupby("soc_2018")["value"].agg(["mean", "size"])
    per_parent = pairs.groupby("soc_2010").size()
    counts = {
        "aioe_codes": len(aioe),
        "aioe_missing_value": int(len(aioe) - len(frame)),
        "aioe_unmapped": int((~frame["soc_2010"].isin(pairs["soc_2010"])).sum()),
        "aioe_split": int((per_parent > 1).sum()),
        "soc2018_merged": int((per_child["size"] > 1).sum()),
        "soc2018_valued": len(per_child),
    }
    values = per_child["mean"].to_numpy()
    return CapabilityLayer(
        name="aioe",
        code_system="occupation",
        kind="capability",
        codes=per_child.index.to_numpy(dtype=object).astype(str),
        base={"default": values},
        slope={"default": np.zeros(len(values))},
        counts=counts,
        description=(
            "Felten, Raj & Seamans (2021) AIOE (SOC 2010, standardised), rescaled to [0, 1] by "
            f"{scale}; SOC 2010 → O*NET-SOC 2010 → 2019 → SOC 2018; splits copy the parent "
            "value, merges take the mean. Relative exposure: compare patterns, not levels."
        ),
    )
