"""The tools layer on a hand-made catalogue (~30 tools) and task universe (~40 tasks)."""

from __future__ import annotations

import stat

import numpy as np
import pandas as pd
import pytest

from iceberg.capability import TaskUniverse, eloundou_layer
from iceberg.errors import IcebergDataError
from iceberg.tools.calibration import best_f1_threshold, fit, held_out, scores, targets
from iceberg.tools.catalogue import DROP_REASONS, check_month, load_catalogue
from iceberg.tools.features import FEATURES, frontier_months
from iceberg.tools.layer import fit_tools, tool_layers
from iceberg.tools.matching import THRESHOLDS, embed, frontier_matches

# 30 real-looking tools: (name, month, summary)
TOOLS = [
    ("gmail-mcp", "2025-01", "MCP server to send, read and search Gmail email messages"),
    ("outlook-mail-mcp", "2025-03", "Send and reply to email in Microsoft Outlook"),
    ("calendar-mcp", "2025-02", "Schedule meetings and manage Google Calendar appointments"),
    ("postgres-mcp", "2025-01", "Query PostgreSQL databases with SQL and inspect tables"),
    ("mysql-mcp", "2025-04", "Run SQL queries against MySQL databases and export results"),
    ("excel-mcp", "2025-02", "Read, write and format Excel spreadsheets and workbooks"),
    ("invoice-mcp", "2025-05", "Create and send invoices, track payments and billing"),
    ("quickbooks-mcp", "2025-06", "Bookkeeping: record transactions and reconcile accounts in QuickBooks"),
    ("translate-mcp", "2025-03", "Translate documents and text between languages"),
    ("websearch-mcp", "2025-01", "Search the web and summarise news articles"),
    ("crm-mcp", "2025-04", "Manage customer records, leads and sales contacts in a CRM"),
    ("zendesk-mcp", "2025-05", "Answer customer support tickets and complaints in Zendesk"),
    ("pdf-mcp", "2025-02", "Extract text and tables from PDF reports and forms"),
    ("docs-writer-mcp", "2025-06", "Draft and edit written reports, letters and documents"),
    ("jira-mcp", "2025-03", "Create and track project tasks and issues in Jira"),
    ("github-mcp", "2025-01", "Review code, open pull requests and manage repositories"),
    ("payroll-mcp", "2025-07", "Compute payroll, wages and tax withholding for employees"),
    ("hr-mcp", "2025-07", "Screen job applicants and schedule interviews"),
    ("stock-mcp", "2025-08", "Retrieve stock prices and analyse financial market data"),
    ("legal-mcp", "2025-08", "Search case law and draft legal contracts"),
    ("medical-coding-mcp", "2025-09", "Assign medical billing codes to patient records"),
    ("inventory-mcp", "2025-09", "Track inventory levels and purchase orders"),
    ("maps-mcp", "2025-04", "Geocode addresses and plan delivery routes on maps"),
    ("slack-mcp", "2025-02", "Post messages and read channels in Slack"),
    ("survey-mcp", "2025-10", "Design surveys and analyse questionnaire responses"),
    ("tax-mcp", "2025-10", "Prepare tax returns and compute deductions"),
    ("grant-mcp", "2025-11", "Search grant funding opportunities and draft proposals"),
    ("chart-mcp", "2025-11", "Create charts and statistical analyses of data"),
    ("booking-mcp", "2025-06", "Book travel, hotels and reservations for clients"),
    ("news-mcp", "2025-05", "Monitor news and write press release drafts"),
]

# 16 occupations × (digital, digital, physical) tasks — labels follow the kind.
DIGITAL = [
    "Send email messages to clients", "Schedule meetings and appointments",
    "Query databases to retrieve records", "Prepare spreadsheets of figures",
    "Prepare invoices and bills for customers", "Record financial transactions in ledgers",
    "Translate written documents", "Answer customer complaints by email",
    "Maintain customer records", "Draft written reports", "Review computer code",
    "Compute payroll and wages", "Analyse financial data", "Draft contracts",
    "Assign codes to medical records", "Track inventory and purchase orders",
]
PHYSICAL = [
    "Lift heavy boxes onto trucks", "Repair leaking water pipes", "Pour concrete foundations",
    "Trim trees with chainsaws", "Clean hospital floors", "Weld steel beams",
    "Drive buses on fixed routes", "Harvest crops by hand", "Install roof shingles",
    "Cook meals on a grill", "Bathe and dress patients", "Paint building exteriors",
    "Operate forklifts in warehouses", "Shear sheep", "Lay bricks for walls", "Wash cars by hand",
]


def _listing(rows, columns) -> str:
    return "\n".join(["\t".join(columns)] + ["\t".join(r) for r in rows]) + "\n"


@pytest.fixture()
def catalogue_dir(tmp_path):
    folder = tmp_path / "ai_tool_catalogue"
    folder.mkdir()
    good = [(n, "1.0", m, "", s) for n, m, s in TOOLS]
    bad = [
        ("empty-mcp", "0.1", "2025-05", "", ""),
        ("boiler-mcp", "0.1", "2025-05", "", "Add your description here"),
        ("reserved-mcp", "0.1", "2025-05", "", "This package is reserved."),
        ("generic-mcp", "0.1", "2025-05", "", "MCP server for AI agents."),
        ("mcp-sdk", "0.1", "2025-05", "", "Python SDK client library for calling MCP"),
        ("mcp-template", "0.1", "2025-05", "", "Cookiecutter template to start your project"),
        ("future-mcp", "0.1", "2027-01", "", "Forecast the weather for farms"),
        ("baddate-mcp", "0.1", "2025-13", "", "Plan irrigation schedules"),
        ("gmail_mcp", "1.1", "2025-06", "", "Gmail tools, a fork"),  # same name, normalised
        ("gmail-fork", "1.0", "2025-07", "",
         "MCP server to send, read and search Gmail email messages"),  # same summary
    ]
    pypi = _listing(good + bad, ["name", "version", "month", "rank_among_15000_most_downloaded",
                                 "summary"]).encode()
    pypi += "latin-mcp\t0.1\t2025-05\t\tR\xe9sum\xe9 builder\n".encode("latin-1")  # not UTF-8
    (folder / "pypi_mcp_packages_2025-11.tsv").write_bytes(pypi)
    npm = _listing([("@acme/crm-suite", "2.0", "120", "Manage customer records in a CRM (npm)"),
                    ("gmail-mcp", "1.0", "50", "Gmail for Node")],
                   ["name", "version", "downloads_a_month", "summary"])
    (folder / "npm_mcp_packages_2025-11.tsv").write_text(npm, encoding="utf-8")
    return folder


def test_cleaning_counts_every_reason(catalogue_dir, tmp_path):
    cat = load_catalogue(catalogue_dir, cache_dir=tmp_path / "c")
    c = cat.counts
    assert c["rows_read"] == 30 + 10 + 1 + 2
    assert c["non_utf8"] == 1 and c["future_date"] == 1 and c["bad_date"] == 1
    assert c["empty_summary"] == 1 and c["boilerplate"] == 2 and c["no_content"] == 1
    assert c["not_a_tool"] == 2
    assert c["duplicate_name"] == 2  # gmail_mcp (PyPI) and gmail-mcp (npm)
    assert c["duplicate_summary"] == 1
    assert c["kept"] == 31 == len(cat.tools)
    assert sum(c[r] for r in DROP_REASONS) + c["kept"] == c["rows_read"]
    assert cat.snapshot_month == "2025-11"
    npm = cat.tools[cat.tools["registry"] == "npm"]
    assert npm["date_source"].tolist() == ["snapshot"] and npm["month"].tolist() == ["2025-11"]
    assert not cat.tools["text"].str.contains(r"\bMCP\b", case=False).any()
    # cached copy gives the same catalogue
    again = load_catalogue(catalogue_dir, cache_dir=tmp_path / "c")
    assert again.sha256 == cat.sha256 and again.counts == cat.counts


def test_as_of_filters_by_month(catalogue_dir, tmp_path):
    cat = load_catalogue(catalogue_dir, cache_dir=tmp_path / "c")
    early = cat.as_of("2025-03")
    assert len(early.tools) == sum(m <= "2025-03" for _, m, _ in TOOLS)
    assert (early.tools["month"] <= "2025-03").all() and early.sha256 != cat.sha256
    with pytest.raises(ValueError, match="YYYY-MM"):
        cat.as_of("March 2025")
    assert check_month("2025-03") == "2025-03"


def test_bad_input_is_named(tmp_path):
    folder = tmp_path / "ai_tool_catalogue"
    folder.mkdir()
    with pytest.raises(IcebergDataError, match="no tool listing"):
        load_catalogue(folder, use_cache=False)
    (folder / "pypi_mcp_packages_2025-11.tsv").write_text("name\tversion\tsummary\nx\t1\ty\n")
    with pytest.raises(IcebergDataError, match="month") as err:
        load_catalogue(folder, use_cache=False)
    assert "pypi_mcp_packages_2025-11.tsv" in str(err.value)
    (folder / "pypi_mcp_packages_2025-11.tsv").write_text(
        "name\tversion\tmonth\tsummary\nx\t1\t2025-01\tAdd your description here\n")
    with pytest.raises(IcebergDataError, match="no tool left"):
        load_catalogue(folder, use_cache=False)


def test_frontier_matches_equal_brute_force():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(37, 16)).astype(np.float32)
    t = rng.normal(size=(53, 16)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    months = np.array([f"2025-{1 + i % 6:02d}" for i in range(53)])
    frontier = ["2025-02", "2025-04", "2025-06"]
    fm = frontier_matches(q, t, months, frontier, k=5)
    sims = q @ t.T
    for m, month in enumerate(frontier):
        cols = np.flatnonzero(months <= month)
        sub = sims[:, cols]
        best = -np.sort(-sub, axis=1)[:, :5]
        np.testing.assert_allclose(fm.sim[m], best, rtol=1e-6)
        np.testing.assert_allclose(sims[np.arange(37)[:, None], fm.idx[m]], best, rtol=1e-6)
        for j, th in enumerate(THRESHOLDS):
            np.testing.assert_array_equal(fm.count[m, :, j], (sub >= th).sum(axis=1))
    # one frontier month: a single wide block takes the argpartition path, same result
    one = frontier_matches(q, t, months, ["2025-06"], k=5)
    np.testing.assert_allclose(one.sim[0], fm.sim[2], rtol=1e-6)
    assert fm.at("2025-05") == 1 and fm.at(None) == 2
    with pytest.raises(ValueError, match="first month"):
        fm.at("2024-12")


def test_embedding_cache_is_shared_readable_and_self_healing(tmp_path):
    texts = ["Send email messages to clients", "Lift heavy boxes onto trucks"]
    a = embed(texts, cache_dir=tmp_path)
    files = list((tmp_path / "embeddings").glob("*.npy"))
    assert len(files) == 1 and stat.S_IMODE(files[0].stat().st_mode) & 0o044 == 0o044
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1, rtol=1e-5)
    files[0].write_bytes(b"garbage")
    np.testing.assert_allclose(embed(texts, cache_dir=tmp_path), a)


def test_wordllama_matches_the_right_tool(catalogue_dir, tmp_path):
    cat = load_catalogue(catalogue_dir, cache_dir=tmp_path / "c")
    tools = embed(cat.tools["text"].tolist(), cache_dir=tmp_path)
    queries = embed(["Send email messages to clients", "Query databases to retrieve records",
                     "Translate written documents"], cache_dir=tmp_path)
    fm = frontier_matches(queries, tools, cat.tools["month"].to_numpy(str), ["2025-11"], k=3)
    best = cat.tools["name"].to_numpy()[fm.idx[0, :, 0]]
    assert best[0] in ("gmail-mcp", "outlook-mail-mcp")
    assert best[1] in ("postgres-mcp", "mysql-mcp")
    assert best[2] == "translate-mcp"


def _universe():
    rows, links, labels = [], [], []
    task_id = 1000
    dwa_ref = []
    for i in range(16):
        soc = f"{11 + i}-{1011 + i:04d}.00"
        for kind, text in (("d", DIGITAL[i]), ("d", DIGITAL[(i + 5) % 16]), ("p", PHYSICAL[i])):
            task_id += 1
            rows.append({"onet_soc": soc, "task_id": task_id, "task": text, "task_type": "Core"})
            dwa = f"4.A.{'3.a' if kind == 'p' else '2.a'}.1.I0{1 + i % 3}.D0{1 + i % 5}"
            links.append({"onet_soc": soc, "task_id": task_id, "dwa_id": dwa})
            labels.append({"onet_soc": soc, "task_id": float(task_id), "task": text,
                           "task_type": "Core", "human": "E1" if kind == "d" else "E0",
                           "gpt4": "E2" if kind == "d" else "E0"})
    tasks, links = pd.DataFrame(rows), pd.DataFrame(links)
    for dwa in sorted(links["dwa_id"].unique()):
        physical = ".3.a." in dwa
        dwa_ref.append({"element_id": dwa[:9], "iwa_id": dwa.rsplit(".", 1)[0], "dwa_id": dwa,
                        "dwa_title": "Perform manual labour" if physical
                        else "Process information with computers"})
    ref = pd.DataFrame(dwa_ref)
    return TaskUniverse.from_frames(tasks, links, ref), pd.DataFrame(labels), ref


def test_split_is_fixed_and_about_a_third():
    codes = np.array([f"{a:02d}-{b:04d}.00" for a in range(11, 54) for b in range(1011, 1031)])
    flag = held_out(codes)
    assert np.array_equal(flag, held_out(codes))
    assert 0.28 < flag.mean() < 0.39
    # tasks of one occupation are on one side
    same = held_out(np.array(["15-1252.00", "15-1252.01"]))
    assert same[0] == same[1]


def test_calibration_learns_and_scores():
    rng = np.random.default_rng(1)
    feats = rng.normal(size=(400, len(FEATURES)))
    y = feats[:, 0] + 0.3 * rng.normal(size=400) > 0
    train = np.arange(400) < 300
    cal = fit(feats, y, train)
    s = scores(cal.predict(feats), y, ~train, cal.threshold)
    assert s["auc"] > 0.9 and 0 < s["precision"] <= 1 and 0 < s["recall"] <= 1
    assert best_f1_threshold(np.array([0.9, 0.8, 0.1]), np.array([True, True, False])) == 0.8
    with pytest.raises(ValueError, match="both classes"):
        fit(feats, np.zeros(400, dtype=bool), train)


def test_tools_layer_end_to_end(catalogue_dir, tmp_path):
    universe, labels, ref = _universe()
    assert universe.n_tasks == 48
    cat = load_catalogue(catalogue_dir, cache_dir=tmp_path / "c")
    y, known = targets(labels, universe)
    assert known.all() and y.sum() == 32
    result = fit_tools(cat, universe, labels, ref, cache_dir=tmp_path / "c")
    assert result.matches.months == frontier_months(cat)
    p = result.probability
    assert p.shape == (48,) and ((p >= 0) & (p <= 1)).all()
    # digital tasks get more capability than physical ones (learnt from tool evidence only)
    assert p[y].mean() > p[~y].mean() + 0.2
    assert (result.trend >= 0).all()
    early = result.probability_as_of(result.matches.months[0])
    assert early.shape == (48,) and early.mean() <= p.mean() + 1e-9
    layers = tool_layers(result, eloundou_layer(labels, universe))
    assert [lay.name for lay in layers] == ["tools", "tools_and_labels"]
    conj = layers[1]
    exists = p >= result.calibration.threshold
    assert (conj.base["human"][~exists] == 0).all()
    assert set(conj.variants) == {"human", "gpt4", "mean"}
    table = result.ablation(embed([str(t) for t in universe.task_text], cache_dir=tmp_path))
    assert table["model"].tolist() == ["raw best match", "tools, task level", "tools layer",
                                       "text only (reference)"]
    assert table["auc"].between(0, 1).all()
