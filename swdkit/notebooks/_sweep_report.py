"""What a sweep writes beside its runs: the table of metrics, the index page and the record.

- ``sweep.csv`` and ``sweep.md``: one row per combination; the columns are the swept values,
  ``status``, ``seconds``, every single-valued metric the notebook recorded (nested dicts
  flattened with dotted keys, ``runs.swd_batch.test_accuracy``) and ``error`` (the first line of
  the error of a failed combination; in ``sweep.md`` only when one failed). A metric named like
  one of the other columns is called ``metrics.<name>``. Lists are left out (``sweep.md`` names
  them; each run's ``metrics.json`` has them).
- ``index.html``: a page linking every combination's executed notebook and outputs.
- ``sweep.json``: every combination's values, status, seconds, parameters, metrics and error.

Every file is written atomically (:mod:`swdkit.fileio`).
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from swdkit.fileio import write_json_atomic, write_text_atomic

if TYPE_CHECKING:
    from swdkit.notebooks._sweep import SweepRun

TABLE_MD = "sweep.md"
TABLE_CSV = "sweep.csv"
INDEX_HTML = "index.html"
RECORD_JSON = "sweep.json"
SCALARS = (str, bool, int, float, type(None))


def format_value(value: Any) -> str:
    """A parameter value as it is written on the command line: ``true``, ``null``, ``32``, ``a``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def flatten_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts of metrics as one level with dotted keys: ``{"a": {"b": 1}}`` -> ``{"a.b": 1}``.

    Values other than dicts (numbers, strings, lists) are kept as they are.
    """
    flat: dict[str, Any] = {}
    for key, value in metrics.items():
        if isinstance(value, dict) and value:
            flat.update(flatten_metrics(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def error_line(run: SweepRun) -> str:
    """The first line of a failed combination's error (with its cell); empty when it ran."""
    error = run.run.error
    if not error:
        return ""
    what = (f"{error['ename']}: {error.get('evalue', '')}" if "ename" in error
            else f"{error.get('type', 'Error')}: {error.get('message', '')}")
    where = f"cell {error['cell']}: " if "cell" in error else ""
    lines = f"{where}{what}".strip().splitlines()
    return lines[0] if lines else ""


def sweep_table(runs: list[SweepRun], swept: list[str]) -> tuple[list[str], list[dict[str, Any]],
                                                                 list[str]]:
    """The table of a sweep: ``(columns, rows, left_out)``.

    ``rows`` are dicts by column (a metric a run did not record is missing from its row);
    ``left_out`` names the metrics that are not single values (lists), sorted.
    """
    fixed = [*swept, "status", "seconds"]
    metric_columns: list[str] = []
    left_out: set[str] = set()
    rows = []
    for run in runs:
        row: dict[str, Any] = {**run.values, "status": run.run.status,
                               "seconds": run.run.seconds}
        for key, value in flatten_metrics(run.run.metrics).items():
            if not isinstance(value, SCALARS):
                left_out.add(key)
                continue
            column = f"metrics.{key}" if key in fixed or key == "error" else key
            if column not in metric_columns:
                metric_columns.append(column)
            row[column] = value
        row["error"] = error_line(run)
        rows.append(row)
    return [*fixed, *metric_columns, "error"], rows, sorted(left_out)


def _cell(value: Any, *, short: bool) -> str:
    """A table cell, written like a parameter value; ``short``: floats to 4 significant digits."""
    if isinstance(value, float) and short:
        return f"{value:.4g}"
    return format_value(value)


def _csv_text(columns: list[str], rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row[c], short=False) if c in row else "" for c in columns])
    return buffer.getvalue()


def _markdown_text(notebook: str, runs: list[SweepRun], swept: list[str], planned: int) -> str:
    columns, rows, left_out = sweep_table(runs, swept)
    if not any(row["error"] for row in rows):
        columns.remove("error")
    failed = sum(run.run.status != "ok" for run in runs)
    seconds = sum(run.run.seconds for run in runs)
    not_run = f", {planned - len(runs)} not run" if planned > len(runs) else ""
    lines = [f"# Sweep of {notebook}", "",
             f"{planned} combination(s) of {', '.join(swept)}; {len(runs) - failed} ran, "
             f"{failed} failed{not_run}; {seconds:.1f} s in all. The executed notebooks: "
             f"[{INDEX_HTML}]({INDEX_HTML}); full precision: [{TABLE_CSV}]({TABLE_CSV}).", ""]
    if left_out:
        lines += [f"Not single values, so not in the table (see each run's metrics.json): "
                  f"{', '.join(left_out)}.", ""]

    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines.append("| " + " | ".join(escape(c) for c in columns) + " |")
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = [escape(_cell(row[c], short=True)) if c in row else "" for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _index_html(out: Path, notebook: str, runs: list[SweepRun]) -> str:
    def link(path: str, text: str) -> str:
        href = quote(Path(path).resolve().relative_to(out.resolve()).as_posix(), safe="/=,")
        return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'

    rows = []
    for run in runs:
        values = ", ".join(f"{k} = {_cell(v, short=False)}" for k, v in run.values.items())
        rows.append(
            "<tr>"
            f"<td>{link(run.run.output, run.folder)}</td><td>{html.escape(values)}</td>"
            f"<td>{html.escape(run.run.status)}</td><td>{run.run.seconds:.1f}</td>"
            f"<td>{link(run.run.out_dir, 'outputs')}</td>"
            f"<td>{html.escape(error_line(run))}</td></tr>")
    title = html.escape(f"Sweep of {notebook}")
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{title}</title>",
        "<style>table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        "</style>", "</head>", "<body>", f"<h1>{title}</h1>",
        f'<p>The table of metrics: <a href="{TABLE_MD}">{TABLE_MD}</a>, '
        f'<a href="{TABLE_CSV}">{TABLE_CSV}</a>.</p>',
        "<table>",
        "<tr><th>executed notebook</th><th>values</th><th>status</th><th>seconds</th>"
        "<th>outputs</th><th>error</th></tr>",
        *rows, "</table>", "</body>", "</html>", ""])


def write_sweep_outputs(out: Path, notebook: str, swept: list[str], runs: list[SweepRun],
                        planned: int | None = None) -> list[Path]:
    """Write ``sweep.csv``, ``sweep.md``, ``index.html`` and ``sweep.json`` (atomically).

    ``planned``: how many combinations the sweep has (default: those in ``runs``); the ones not
    run yet, or not at all after a failure with ``fail_fast``, are counted in ``sweep.md``.

    Returns:
        The four paths written.
    """
    columns, rows, _ = sweep_table(runs, swept)
    planned = len(runs) if planned is None else planned
    record = {"notebook": notebook, "swept": swept, "combinations": planned,
              "total_seconds": round(sum(run.run.seconds for run in runs), 2),
              "runs": [{"folder": run.folder, "values": run.values, **vars(run.run)}
                       for run in runs]}
    return [write_text_atomic(out / TABLE_CSV, _csv_text(columns, rows)),
            write_text_atomic(out / TABLE_MD, _markdown_text(notebook, runs, swept, planned)),
            write_text_atomic(out / INDEX_HTML, _index_html(out, notebook, runs)),
            write_json_atomic(out / RECORD_JSON, record)]
