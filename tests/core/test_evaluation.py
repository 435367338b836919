"""Mask evaluation against ALCD-style class maps: constructed maps over the demo grid, and ALCD's real labels.

Every count is checked against an independent numpy count on arrays read with rasterio.
"""

import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
import rasterio
from affine import Affine

from cloudscore_composite.plugin.core.errors import Cancelled, InputError
from cloudscore_composite.plugin.core.evaluation import (
    Confusion,
    EvaluationRequest,
    ReferenceClasses,
    evaluate,
    parse_classes,
    parse_thresholds,
)
from cloudscore_composite.plugin.core.evaluation_report import f1_plot_svg, report_html, write_report
from cloudscore_composite.plugin.core.mask_scene import MaskSceneRequest, mask_scene

from .alcd_reference import ESA_MASK, labelled_points, reference_class_map
from .demo_reference import demo_files

PARTLY_CLOUDY = demo_files()[1]  # 2015-07-31: scores 0.04..0.77
THRESHOLDS = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
NOT_CLEAR, CLEAR = (2, 3, 4), (5, 6, 7)


def demo_score(scene=PARTLY_CLOUDY):
    with rasterio.open(scene) as src:
        return src.read(14), src.profile


def write_class_map(path, classes, profile, **changes):
    profile = dict(profile, count=1, dtype="uint8", nodata=None, **changes)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(classes.astype(np.uint8), 1)
    return path


def expected(classes, not_clear_predicted, not_clear=NOT_CLEAR, clear=CLEAR):
    """Independent count: (tp, fp, fn, tn) of "not clear" over the labelled pixels."""
    truth_nc, truth_c = np.isin(classes, not_clear), np.isin(classes, clear)
    return (
        int((truth_nc & not_clear_predicted).sum()),
        int((truth_c & not_clear_predicted).sum()),
        int((truth_nc & ~not_clear_predicted).sum()),
        int((truth_c & ~not_clear_predicted).sum()),
    )


def counts(confusion: Confusion):
    return confusion.tp, confusion.fp, confusion.fn, confusion.tn


def test_a_reference_made_from_the_score_is_matched_exactly_at_its_own_threshold(tmp_path):
    score, profile = demo_score()
    classes = np.where(score < np.float32(0.5), 2, 5)
    classes[:10] = 0  # no data: ignored
    classes[10:20] = 1  # not used: ignored
    reference = write_class_map(tmp_path / "ref.tif", classes, profile)
    result = evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=THRESHOLDS))
    perfect = result.at(0.5)
    assert (perfect.fp, perfect.fn) == (0, 0)
    assert perfect.tp == int((classes == 2).sum()) and perfect.tn == int((classes == 5).sum())
    assert perfect.accuracy == perfect.precision == perfect.recall == perfect.f1 == 1.0
    assert result.best is perfect
    assert result.labelled_pixels == score.size - 2000 and result.unscored_pixels == 0
    # Lower thresholds miss cloud (recall < 1, precision 1); higher ones flag clear pixels (precision < 1).
    assert result.at(0.3).precision == 1.0 and result.at(0.3).recall < 1.0
    assert result.at(0.7).recall == 1.0 and result.at(0.7).precision < 1.0


@pytest.mark.parametrize("scene", demo_files()[:3], ids=lambda p: p.stem[:8])
def test_random_class_maps_match_an_independent_count(tmp_path, scene):
    score, profile = demo_score(scene)
    rng = np.random.default_rng(42)
    classes = rng.integers(0, 8, size=score.shape)
    reference = write_class_map(tmp_path / "ref.tif", classes, profile)
    progress = []
    result = evaluate(
        EvaluationRequest(reference, score=scene, qa_band="clear", thresholds=THRESHOLDS, block_size=32),
        progress=progress.append,
    )
    assert progress == sorted(progress) and progress[-1] == 100.0 and len(progress) == 16  # 4 x 4 blocks
    assert [c.threshold for c in result.confusions] == THRESHOLDS
    for confusion in result.confusions:
        assert counts(confusion) == expected(classes, score < np.float32(confusion.threshold))
        tp, fp, fn, tn = counts(confusion)
        assert confusion.accuracy == pytest.approx((tp + tn) / (tp + fp + fn + tn))
        if tp + fp:
            assert confusion.precision == pytest.approx(tp / (tp + fp))
        assert confusion.recall == pytest.approx(tp / (tp + fn))
        if confusion.precision is not None:
            p, r = confusion.precision, confusion.recall
            assert confusion.f1 == pytest.approx(2 * p * r / (p + r) if p + r else 0.0)
    assert result.class_pixels == {c: int((classes == c).sum()) for c in NOT_CLEAR + CLEAR}
    assert result.labelled_pixels == int(np.isin(classes, NOT_CLEAR + CLEAR).sum())


def test_custom_class_values(tmp_path):
    score, profile = demo_score()
    rng = np.random.default_rng(3)
    classes = rng.choice([10, 20, 30, 255], size=score.shape)
    reference = write_class_map(tmp_path / "ref.tif", classes, profile)
    custom = ReferenceClasses(not_clear=(10, 30), clear=(20,))
    result = evaluate(
        EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.4], classes=custom)
    )
    assert counts(result.at(0.4)) == expected(classes, score < np.float32(0.4), (10, 30), (20,))


def test_a_clear_mask_from_maskscene_scores_like_its_threshold(tmp_path):
    score, profile = demo_score()
    classes = np.random.default_rng(5).integers(2, 8, size=score.shape)
    reference = write_class_map(tmp_path / "ref.tif", classes, profile)
    mask = tmp_path / "clear.tif"
    mask_scene(MaskSceneRequest(PARTLY_CLOUDY, "clear", tmp_path / "masked.tif", 0.45, clear_mask=mask))
    by_mask = evaluate(EvaluationRequest(reference, mask=mask, mask_marks_clear=True))
    by_score = evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.45]))
    assert [c.threshold for c in by_mask.confusions] == [None]
    assert counts(by_mask.at(None)) == counts(by_score.at(0.45)) == expected(classes, score < np.float32(0.45))


def test_pixels_without_a_score_are_reported_not_counted(tmp_path):
    scene = tmp_path / "scene.tif"
    with rasterio.open(PARTLY_CLOUDY) as src:
        data, profile = src.read(), src.profile
    data[13, :7] = 0  # the file's nodata: no score in the first 7 rows
    with rasterio.open(scene, "w", **profile) as dst:
        dst.write(data)
        dst.descriptions = [f"b{i}" for i in range(1, 14)] + ["clear"]
    classes = np.random.default_rng(8).integers(0, 8, size=data.shape[1:])
    reference = write_class_map(tmp_path / "ref.tif", classes, profile)
    mask = tmp_path / "clear.tif"
    mask_scene(MaskSceneRequest(scene, "clear", tmp_path / "masked.tif", 0.5, clear_mask=mask))
    labelled = np.isin(classes, NOT_CLEAR + CLEAR)
    for request in (
        EvaluationRequest(reference, score=scene, qa_band="clear", thresholds=[0.5]),
        EvaluationRequest(reference, mask=mask),
    ):  # the clear mask's 255 (nodata) = no score
        result = evaluate(request)
        assert result.unscored_pixels == int(labelled[:7].sum()) > 0
        assert result.labelled_pixels == int(labelled.sum())
        scored = np.ones(classes.shape, bool)
        scored[:7] = False
        confusion = result.confusions[0]
        assert counts(confusion) == expected(np.where(scored, classes, 0), data[13] < np.float32(0.5))


def test_a_reference_on_a_coarser_shifted_grid_is_sampled_at_its_pixel_centres(tmp_path):
    """The score is read onto the reference grid by nearest neighbour: one score pixel per reference pixel."""
    score, profile = demo_score()
    t = profile["transform"]
    # 20 m pixels, shifted by 7 m, reaching 3 pixels past the score's east edge (those have no score).
    transform = Affine(20.0, 0.0, t.c + 7.0, 0.0, -20.0, t.f - 7.0)
    width, height = int(score.shape[1] * t.a / 20) + 3, int(score.shape[0] * -t.e / 20)
    classes = np.random.default_rng(11).integers(2, 8, size=(height, width))
    reference = write_class_map(tmp_path / "ref.tif", classes, profile, width=width, height=height, transform=transform)
    result = evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.3, 0.5]))
    rows, cols = np.mgrid[0:height, 0:width]
    xs, ys = transform * (cols + 0.5, rows + 0.5)
    score_cols, score_rows = ~t * (xs, ys)
    score_cols, score_rows = np.floor(score_cols).astype(int), np.floor(score_rows).astype(int)
    inside = (score_cols >= 0) & (score_cols < score.shape[1]) & (score_rows >= 0) & (score_rows < score.shape[0])
    sampled = np.full(classes.shape, np.nan, dtype=np.float32)
    sampled[inside] = score[score_rows[inside], score_cols[inside]]
    for threshold in (0.3, 0.5):
        assert counts(result.at(threshold)) == expected(np.where(inside, classes, 0), sampled < np.float32(threshold))
    assert result.unscored_pixels == int((~inside).sum()) > 0
    assert result.grid.resolution == (20.0, 20.0)


def test_report_has_the_table_the_matrix_and_an_f1_plot(tmp_path):
    score, profile = demo_score()
    classes = np.where(score < np.float32(0.5), 3, 6)
    reference = write_class_map(tmp_path / "odd <name> & co.tif", classes, profile)
    result = evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=THRESHOLDS))
    report = write_report(result, tmp_path / "report.html")
    text = report.read_text(encoding="utf-8")
    assert text.count('<tr class="best">') == 1 and text.count("<tr>") >= len(THRESHOLDS)
    assert "odd &lt;name&gt; &amp; co.tif" in text and "<name>" not in text
    assert "Best F1 1.0000 at threshold 0.5" in text
    svg = ElementTree.fromstring(f1_plot_svg(result))
    polylines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(polylines) == 3 and len(polylines[0].get("points").split()) == len(THRESHOLDS)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd <name> & co.tif", "report.html"]


def test_report_shows_the_matrix_of_the_main_threshold_and_still_marks_the_best_f1(tmp_path):
    """The matrix and per-class table are those of the run's THRESHOLD (its TP..F1 outputs), not the best F1's."""
    score, profile = demo_score()
    classes = np.where(score < np.float32(0.5), 3, 6)
    reference = write_class_map(tmp_path / "reference.tif", classes, profile)
    result = evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=THRESHOLDS))
    assert result.best.threshold == 0.5
    main = result.at(0.3)
    tp, fp, fn, tn = expected(classes, score < np.float32(0.3))
    assert counts(main) == (tp, fp, fn, tn) and fn > 0  # differs from the best threshold's matrix (fn 0)
    text = write_report(result, tmp_path / "report.html", main_threshold=0.3).read_text(encoding="utf-8")
    assert "Confusion matrix (threshold 0.3)" in text and "Confusion matrix (threshold 0.5)" not in text
    assert f"<td>{tp} (TP)</td><td>{fn} (FN)</td>" in text and f"<td>{fp} (FP)</td><td>{tn} (TN)</td>" in text
    flagged_high_clouds = main.flagged[3]
    assert f'<tr><td>3</td><td class="label">not clear</td><td>{tp + fn}</td><td>{flagged_high_clouds}</td>' in text
    best_row = text[text.index('<tr class="best">') :].split("</tr>")[0]
    assert best_row.startswith('<tr class="best"><td>0.5</td>') and text.count('<tr class="best">') == 1
    with pytest.raises(KeyError):
        report_html(result, main_threshold=0.45)


def test_a_single_threshold_report_has_no_plot():
    result_html = report_html(_one_threshold_result())
    assert "<svg" not in result_html and "Confusion matrix (threshold 0.5)" in result_html


def _one_threshold_result():
    from cloudscore_composite.plugin.core.evaluation import EvaluationResult
    from cloudscore_composite.plugin.core.grid import Grid

    confusion = Confusion(0.5, 3, 1, 2, 4, {2: 3, 5: 1})
    grid = Grid(rasterio.crs.CRS.from_epsg(32633), Affine(10, 0, 0, 0, -10, 0), 3, 4)
    return EvaluationResult(
        [confusion], 10, 0, {2: 5, 3: 0, 4: 0, 5: 5, 6: 0, 7: 0}, grid, "score", "ref", ReferenceClasses()
    )


def test_undefined_scores_are_none():
    nothing_flagged = Confusion(0.1, 0, 0, 5, 5)
    assert nothing_flagged.precision is None and nothing_flagged.recall == 0.0 and nothing_flagged.f1 == 0.0
    assert Confusion(0.1, 0, 0, 0, 5).f1 is None


def test_report_path_must_be_html(tmp_path):
    with pytest.raises(InputError, match="REPORT: .* must be an HTML file"):
        write_report(_one_threshold_result(), tmp_path / "report.txt")


@pytest.mark.parametrize(
    "text, values", [("", []), ("0.5", [0.5]), ("0.6, 0.4;0.5 0.4", [0.4, 0.5, 0.6]), ("0,1", [0.0, 1.0])]
)
def test_threshold_lists(text, values):
    assert parse_thresholds(text) == values


@pytest.mark.parametrize("text", ["0.4,abc", "1.5", "-0.1", "nan", "0.4,,inf"])
def test_bad_threshold_lists_are_refused(text):
    with pytest.raises(InputError, match=r"THRESHOLDS: .* accepted range 0\.\.1"):
        parse_thresholds(text)


def test_class_lists():
    assert parse_classes("4, 2 3", "NOT_CLEAR_CLASSES") == (2, 3, 4)
    with pytest.raises(InputError, match="CLEAR_CLASSES: class value.* 2.5"):
        parse_classes("5,2.5", "CLEAR_CLASSES")
    with pytest.raises(InputError, match="CLEAR_CLASSES: give at least one"):
        parse_classes(" ", "CLEAR_CLASSES")


@pytest.fixture
def demo_reference(tmp_path):
    score, profile = demo_score()
    return write_class_map(tmp_path / "ref.tif", np.where(score < 0.5, 2, 5), profile)


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(score=None), "SCORE: give either .* not neither"),
        (dict(mask="SCORE"), "SCORE: give either .* not both"),
        (dict(qa_band="cs"), "QA_BAND: .* has no band 'cs'"),
        (dict(thresholds=[]), "THRESHOLD: give at least one"),
        (dict(thresholds=[0.5, 1.2]), r"THRESHOLD: .* accepted range 0\.\.1"),
        (dict(reference_band=2), r"REFERENCE_BAND: band number 2 is outside 1\.\.1"),
        (dict(reference="missing.tif"), "REFERENCE: .* is not a raster file"),
        (dict(classes=ReferenceClasses(not_clear=(2, 5))), "CLEAR_CLASSES: class.* 5 cannot be both"),
        (dict(classes=ReferenceClasses(not_clear=())), "NOT_CLEAR_CLASSES: give at least one"),
        (dict(score=None, mask="SCORE", mask_bands=[15]), r"MASK_BANDS: band number 15 is outside 1\.\.14"),
    ],
)
def test_bad_input_is_refused_naming_the_parameter(demo_reference, changes, message):
    fields = dict(reference=demo_reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.5])
    fields.update({k: (PARTLY_CLOUDY if v == "SCORE" else v) for k, v in changes.items()})
    with pytest.raises(InputError, match=message):
        evaluate(EvaluationRequest(**fields))


def test_a_reference_that_does_not_overlap_is_refused(tmp_path):
    score, profile = demo_score()
    far = profile["transform"] * Affine.translation(0, 10000)
    reference = write_class_map(tmp_path / "far.tif", np.full(score.shape, 5), profile, transform=far)
    with pytest.raises(InputError, match="REFERENCE: the reference far.tif does not overlap the clear score raster"):
        evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.5]))


def test_a_reference_without_counted_classes_is_refused(tmp_path):
    score, profile = demo_score()
    reference = write_class_map(tmp_path / "empty.tif", np.ones(score.shape), profile)
    with pytest.raises(InputError, match="REFERENCE: no reference pixel of the classes 2, 3, 4, 5, 6, 7 has a score"):
        evaluate(EvaluationRequest(reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.5]))


def test_cancel_stops_the_count(demo_reference):
    with pytest.raises(Cancelled):
        evaluate(
            EvaluationRequest(demo_reference, score=PARTLY_CLOUDY, qa_band="clear", thresholds=[0.5], block_size=16),
            is_canceled=lambda: True,
        )


def test_esa_cloud_mask_against_alcd_labelled_points(tmp_path):
    """The real example: ESA's L1C cloud mask (opaque clouds or cirrus = not clear) judged against the points an
    ALCD operator labelled on the same scene (T31TCJ, 2024-03-05). The folder has no clear score to threshold."""
    reference, classes = reference_class_map(tmp_path / "alcd_points.tif")
    result = evaluate(EvaluationRequest(reference, mask=ESA_MASK, mask_bands=[1, 2], mask_marks_clear=False))
    with rasterio.open(ESA_MASK) as src:
        cloudy = (src.read(1) != 0) | (src.read(2) != 0)
    confusion = result.at(None)
    assert counts(confusion) == expected(classes, cloudy)
    assert confusion.total == int((classes > 0).sum()) == result.labelled_pixels
    assert result.unscored_pixels == 0
    # Sane: every labelled low or high cloud pixel is in ESA's opaque cloud layer; most shadows are not (the mask
    # has no shadow layer); few clear pixels are flagged.
    assert confusion.flagged[2] == result.class_pixels[2] > 30 and confusion.flagged[3] == result.class_pixels[3] > 30
    assert confusion.flagged[4] < 0.2 * result.class_pixels[4]
    assert confusion.precision > 0.8 and 0.5 < confusion.recall < 0.7
    assert sum(len(p) for p in labelled_points().values()) == 249  # points before sharing 60 m pixels
    opaque_only = evaluate(EvaluationRequest(reference, mask=ESA_MASK, mask_bands=[1], mask_marks_clear=False))
    with rasterio.open(ESA_MASK) as src:
        assert counts(opaque_only.at(None)) == expected(classes, src.read(1) != 0)
    assert opaque_only.at(None).fp < confusion.fp  # the cirrus layer flags some land
    report = write_report(result, tmp_path / "alcd.html").read_text(encoding="utf-8")
    assert "MSK_CLASSI_B00.jp2" in report and "<svg" not in report
