"""The HTML report of a mask evaluation: scores per threshold, confusion matrix, F1 against threshold (inline SVG)."""

import html
import os
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

from .atomic_file import atomic_bytes
from .errors import InputError
from .evaluation import Confusion, EvaluationResult
from .version import plugin_version

# Plot geometry in SVG user units (pixels): drawing area inside the margins.
_WIDTH, _HEIGHT = 560, 320
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 120, 16, 44
_SERIES = (("F1", "f1", "#d62728"), ("precision", "precision", "#1f77b4"), ("recall", "recall", "#2ca02c"))

_STYLE = """body{font-family:sans-serif;margin:1.5em;max-width:60em;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em}th,td{border:1px solid #bbb;padding:0.25em 0.6em;text-align:right}
th{background:#eee}td.label,th.label{text-align:left}tr.best td{font-weight:bold;background:#fff6d5}
.note{color:#555;font-size:0.9em}"""


def check_report_path(path: Union[str, Path], field: str = "REPORT") -> Path:
    """``path`` as a Path when it names an .html file in an existing, writable folder.

    Raises:
        InputError: ``field`` otherwise.
    """
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(field, f"report {str(path)!r} must be an HTML file name ending in .html")
    if not os.access(path.parent, os.W_OK):
        raise InputError(field, f"folder {str(path.parent)!r} of the report does not exist or is not writable")
    return path


def _number(value: Optional[float], digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _threshold(confusion: Confusion) -> str:
    return "mask" if confusion.threshold is None else f"{confusion.threshold:.3g}"


def _scores_table(result: EvaluationResult) -> str:
    best = result.best
    head = (
        "<tr><th>threshold</th><th>TP</th><th>FP</th><th>FN</th><th>TN</th><th>accuracy</th>"
        "<th>precision</th><th>recall</th><th>F1</th></tr>"
    )
    rows = []
    for c in result.confusions:
        css = ' class="best"' if c is best and len(result.confusions) > 1 else ""
        cells = [
            _threshold(c),
            c.tp,
            c.fp,
            c.fn,
            c.tn,
            _number(c.accuracy),
            _number(c.precision),
            _number(c.recall),
            _number(c.f1),
        ]
        rows.append(f"<tr{css}>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>")
    return "<table>" + head + "".join(rows) + "</table>"


def _matrix(confusion: Confusion) -> str:
    return (
        '<table><tr><th class="label"></th><th>predicted not clear</th><th>predicted clear</th></tr>'
        f'<tr><th class="label">reference not clear</th><td>{confusion.tp} (TP)</td><td>{confusion.fn} (FN)</td></tr>'
        f'<tr><th class="label">reference clear</th><td>{confusion.fp} (FP)</td><td>{confusion.tn} (TN)</td></tr>'
        "</table>"
    )


def _class_table(result: EvaluationResult, confusion: Confusion) -> str:
    rows = []
    for cls in result.classes.all:
        kind = "not clear" if cls in result.classes.not_clear else "clear"
        pixels, flagged = result.class_pixels[cls], confusion.flagged.get(cls, 0)
        share = _number(flagged / pixels if pixels else None, 3)
        rows.append(
            f'<tr><td>{cls}</td><td class="label">{kind}</td><td>{pixels}</td><td>{flagged}</td><td>{share}</td></tr>'
        )
    return (
        '<table><tr><th>class</th><th class="label">counts as</th><th>pixels</th>'
        "<th>predicted not clear</th><th>share</th></tr>" + "".join(rows) + "</table>"
    )


def _points(confusions: Sequence[Confusion], attribute: str) -> List[Tuple[float, float]]:
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    points = []
    for c in confusions:
        value = getattr(c, attribute)
        if value is not None and c.threshold is not None:
            points.append((_LEFT + c.threshold * plot_w, _TOP + (1.0 - value) * plot_h))
    return points


def f1_plot_svg(result: EvaluationResult) -> str:
    """An SVG line chart (as text) of F1, precision and recall of the not-clear class against the threshold.

    Both axes run 0..1; the threshold with the best F1 is marked by a dashed line. Thresholds where a score is
    undefined (no pixel predicted or referenced not clear) are left out of that line. The SVG is 560 x 320 user
    units (pixels).
    """
    plot_w, plot_h = _WIDTH - _LEFT - _RIGHT, _HEIGHT - _TOP - _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" '
        f'viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" aria-label="F1 against clear threshold" '
        'font-family="sans-serif" font-size="11">'
    ]
    for tick in range(11):
        x = _LEFT + tick / 10 * plot_w
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_TOP + plot_h}" stroke="#eee"/>')
        parts.append(f'<text x="{x:.1f}" y="{_TOP + plot_h + 15}" text-anchor="middle">{tick / 10:.1f}</text>')
    for tick in range(5):
        y = _TOP + (1 - tick / 4) * plot_h
        parts.append(f'<line x1="{_LEFT}" y1="{y:.1f}" x2="{_LEFT + plot_w}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick / 4:.2f}</text>')
    parts.append(f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>')
    parts.append(
        f'<text x="{_LEFT + plot_w / 2:.1f}" y="{_HEIGHT - 6}" text-anchor="middle">'
        "clear threshold (clear where score &gt;= threshold)</text>"
    )
    parts.append(
        f'<text transform="translate(14 {_TOP + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
        "score of the not-clear class</text>"
    )
    best = result.best
    if best.threshold is not None and best.f1 is not None:
        x = _LEFT + best.threshold * plot_w
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP}" x2="{x:.1f}" y2="{_TOP + plot_h}" stroke="#d62728" '
            'stroke-dasharray="4 3"/>'
        )
    for rank, (label, attribute, colour) in enumerate(_SERIES):
        points = _points(result.confusions, attribute)
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            width = 2.5 if attribute == "f1" else 1.5
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points)
        legend_y = _TOP + 12 + 18 * rank
        parts.append(
            f'<line x1="{_WIDTH - _RIGHT + 12}" y1="{legend_y - 4}" x2="{_WIDTH - _RIGHT + 32}" '
            f'y2="{legend_y - 4}" stroke="{colour}" stroke-width="2.5"/>'
        )
        parts.append(f'<text x="{_WIDTH - _RIGHT + 38}" y="{legend_y}">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_html(
    result: EvaluationResult, title: str = "Cloud mask evaluation", main_threshold: Optional[float] = None
) -> str:
    """The whole report as an HTML document (text); every text from the inputs is escaped.

    Args:
        result: what ``evaluate`` counted.
        title: the page title and heading.
        main_threshold: the clear threshold (0..1) whose confusion matrix and per-class table are shown, the one
            the run's numbers are for; None = the only confusion (a binary mask, or one threshold), else the best
            F1's. The row of the best F1 is marked in the scores table whichever threshold is shown.

    Raises:
        KeyError: ``main_threshold`` was not evaluated (it is not in ``result.confusions``).
    """
    best = result.best
    if main_threshold is not None:
        main = result.at(main_threshold)
    else:
        main = result.confusions[0] if len(result.confusions) == 1 else best
    classes = result.classes
    summary = [
        ("prediction", result.prediction),
        ("reference", result.reference),
        ("not clear classes", ", ".join(map(str, classes.not_clear))),
        ("clear classes", ", ".join(map(str, classes.clear))),
        (
            "grid",
            f"{result.grid.crs.to_string()}, {result.grid.resolution[0]:.4g} m, "
            f"{result.grid.width} x {result.grid.height} px (the reference's)",
        ),
        ("reference pixels counted", str(sum(result.class_pixels.values()))),
        ("reference pixels without a score (not counted)", str(result.unscored_pixels)),
        ("plugin version", plugin_version()),
    ]
    body = [
        f"<h1>{html.escape(title)}</h1>",
        "<table>"
        + "".join(
            f'<tr><th class="label">{html.escape(k)}</th><td class="label">{html.escape(v)}</td></tr>'
            for k, v in summary
        )
        + "</table>",
        "<h2>Scores of the not-clear class</h2>",
        '<p class="note">Positive = not clear (cloud or shadow). Accuracy (TP+TN)/all, precision TP/(TP+FP), '
        "recall TP/(TP+FN), F1 2TP/(2TP+FP+FN). Counts are reference pixels; the score was read onto the "
        "reference grid by nearest neighbour.</p>",
        _scores_table(result),
    ]
    if len(result.confusions) > 1:
        body += [
            "<h2>F1 against the clear threshold</h2>",
            f1_plot_svg(result),
            f"<p>Best F1 {html.escape(_number(best.f1))} at threshold {html.escape(_threshold(best))}.</p>",
        ]
    body += [
        f"<h2>Confusion matrix ({'threshold ' + _threshold(main) if main.threshold is not None else 'mask'})</h2>",
        _matrix(main),
        "<h2>Per reference class</h2>",
        _class_table(result, main),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def write_report(
    result: EvaluationResult,
    path: Union[str, Path],
    title: str = "Cloud mask evaluation",
    main_threshold: Optional[float] = None,
) -> Path:
    """Write ``report_html`` (for ``main_threshold``) to ``path`` (UTF-8), under a temporary name, read back and
    compared, renamed into place when complete (``atomic_file.atomic_bytes``).

    Raises:
        InputError: ``REPORT`` when ``path`` is not an .html file in an existing folder.
        KeyError: ``main_threshold`` was not evaluated.
        WriteError: the file could not be written completely (e.g. ``No space left on device``); an older report
            of that name is untouched.
    """
    path = check_report_path(path)
    return atomic_bytes(path, report_html(result, title, main_threshold).encode("utf-8"), "report ")
