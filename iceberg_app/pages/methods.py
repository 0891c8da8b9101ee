"""Methods and sources: definitions, vintages and licences, provenance counts, formulas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from iceberg import GDP_PROXY_FORMULA, labels
from iceberg_app.views.data import get_bundle
from iceberg_app.views.headline import CAVEAT
from iceberg_app.views.safe import guarded

ROOT = Path(__file__).resolve().parents[2]

DEFINITIONS = r"""
Notation: occupation $o$ (SOC 2018 detailed, as published by OEWS), task $t$ (O*NET task
statement), geography $g$ (county, OEWS area, state, nation).

- **Task capability** $c_t \in [0,1]$: how far AI can technically perform task $t$, from a
  *capability layer*. Default layer: Eloundou et al. task labels, $c_t = 1[E1] + \lambda\,1[E2]$,
  where $\lambda$ is the *tool frontier* lever (0 = today's tools, 1 = once the complementary
  software is built), rated by humans, GPT-4 or the mean of both. *Threshold mode* counts a task
  as fully exposed when $c_t \ge \tau$.
- **Task weight** $w_{ot}$: O*NET task importance × relevance × frequency when the Task Ratings
  file is present, else Core = 2, Supplemental = 1 (the weighting used is in the provenance).
- **Occupation exposure** $e_o = \sum_t w_{ot} c_t / \sum_t w_{ot}$, averaged to SOC 2018 codes
  through the official crosswalk.
- **Wage bill** $B_g = \sum_o E_{go} W_{go}$ (employment × annual mean wage).
- **Iceberg index** $I_g = \sum_o E_{go} W_{go} e_o / B_g$ — the share of wages paid for work AI
  could technically do; **exposed wages** $X_g = I_g B_g$; **worker-equivalents**
  $\sum_o E_{go} e_o$.
- **Surface (visible) index** $S_g$: the same sum over the computing and technology occupations
  only (SOC major group 15 and computer and information systems managers, 11-3021), same
  denominator. **Hidden index** $H_g = I_g - S_g$; **hidden multiple** $I_g / S_g$.
- National figures come from the official national OEWS file; the Iceberg paper's reference
  values (surface 2.2% ≈ \$211B, iceberg 11.7% ≈ \$1.2T) are shown beside ours. Our capability
  layers differ from the paper's tool catalogue, so the figures differ.
"""

SCENARIO = r"""
Adoption follows an S-curve, $a_o(t) = \min\!\big(1,\ a_{max}\, m_o / (1 + e^{-k (t - t_0 - t_{50})})\big)$,
with $m_o$ the multiplier of the occupation's group and sector. Adopted exposed wages
$\sum_o B_{go} e_o a_o(t)$ split into **displaced** (share $s$) and **augmented** ($1-s$);
augmented work gains productivity $p$. A reskilling budget trains displaced workers (most exposed
first, or in chosen sectors or counties); a share succeeds and moves to the most similar
lower-exposure occupations (cosine similarity of O*NET skill and knowledge importance).
Uncertainty bands draw the chosen levers uniformly over their ranges and report P10, P50 and P90.
"""

MEANING = """
**What the numbers mean.** The share of the wages paid in a place for tasks that current AI
systems could technically perform, by the chosen capability layer, weighted by how much each
task matters to each occupation, with local employment and wages from official statistics.

**What they do not mean.** They are not a forecast of job losses, of wage cuts or of when any
of this would happen. Technical capability says nothing about cost, regulation, liability,
organisational change or demand. The scenario outputs (displacement, net wage impact, GDP proxy)
are arithmetic on the levers you set — *what-if* figures, not predictions. County figures are
estimates: OEWS publishes areas, not counties, and iceberg splits each area over its counties
(see *From areas to counties* below); a small county's figure inherits its area's occupational
mix and wages.
"""


ESTIMATED = """
OEWS does not publish every cell: where an occupation's employment or wage in an area is
suppressed, iceberg estimates it (the method and its out-of-sample error against naive
baselines are in `docs/ESTIMATION.md`, shown below when present).
Two shares per county say how much of its figure rests on estimates:
**estimated share** — the share of the county's jobs that come from estimated (unpublished)
OEWS cells; **signal share** — the share whose split from the area to the county follows the
allocation signal rather than published area data. Both are shown in the county drill-down,
and the sandbox map can hatch the counties whose jobs are mostly estimated.
"""


@guarded("the methods page")
def main() -> None:
    st.title("Methods and sources")
    st.markdown(f"*{CAVEAT}*")
    st.header("Definitions")
    st.markdown(DEFINITIONS)
    st.header("What the numbers do and do not mean")
    st.markdown(MEANING)
    st.header("Scenarios")
    st.markdown(SCENARIO)
    st.markdown("**Local GDP proxy**")
    st.code(GDP_PROXY_FORMULA, language=None, wrap_lines=True)

    bundle = get_bundle()
    prov = bundle.provenance
    st.header("Data: vintages and licences")
    rows = [{"source": k, "title": v.get("title", ""), "version": v.get("version", ""),
             "provider": v.get("provider", ""), "licence": v.get("licence", ""),
             "url": v.get("url", "")} for k, v in prov.sources.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 column_config={"url": st.column_config.LinkColumn("url")})
    st.subheader("Attribution")
    lines = [labels.ONET_ATTRIBUTION] + [x for x in prov.attribution() if x != labels.ONET_ATTRIBUTION]
    for line in lines:  # Markdown would read the * of O*NET as emphasis
        st.markdown(f"- {labels.escape_markdown(line)}")
    st.header("Provenance counts")
    st.caption("Rows read, filled and excluded at each stage of the build. Nothing is dropped "
               "silently: every fill and exclusion is counted here.")
    counts = pd.DataFrame(prov.count_rows(), columns=["stage", "what", "count"])
    st.dataframe(counts, hide_index=True, width="stretch", height=360,
                 column_config={"count": st.column_config.NumberColumn(format="%,d")})
    with st.expander("Build facts"):
        st.json(prov.build, expanded=False)
    st.header("Published and estimated figures")
    st.markdown(ESTIMATED)
    estimation = ROOT / "docs" / "ESTIMATION.md"
    if estimation.is_file():
        with st.expander("docs/ESTIMATION.md: how unpublished cells are estimated and checked"):
            st.markdown(estimation.read_text(encoding="utf-8"))
    doc = ROOT / "docs" / "methods_allocation.md"
    st.header("From areas to counties")
    if doc.is_file():
        text = doc.read_text(encoding="utf-8")
        st.markdown(text.split("\n", 1)[1] if text.startswith("# ") else text)
    else:
        st.markdown("OEWS publishes metropolitan and nonmetropolitan areas; each area's jobs "
                    "are split over its counties by county industry mix (ACS) × national "
                    "staffing patterns, raked so every published area total is kept, else by "
                    "population share. The method used is recorded per county.")


main()
