"""Large-area parameters the folder composite algorithms share: ``ORBITS`` (per-orbit composites blended at the
seams), ``SEAM_WEIGHTS`` and ``SEAM_POWER`` (the output ``CRS`` is in ``shared_parameters``, with the other shared
ones)."""

from typing import Any, Dict

from qgis.core import (
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
)

from ..core.orbits import (
    DEFAULT_SEAM_POWER,
    ORBIT_LABELS,
    ORBIT_MODES,
    SEAM_LABELS,
    SEAM_POWER_RANGE,
    SEAM_RULES,
    TOGETHER,
)
from ..translation import tr, translated

ORBITS = "ORBITS"
SEAM_WEIGHTS = "SEAM_WEIGHTS"
SEAM_POWER = "SEAM_POWER"


def orbits_help() -> str:
    """The help's part on relative orbits (ORBITS, SEAM_WEIGHTS, SEAM_POWER): HTML, in the user's language."""
    return tr(
        """<h3>Relative orbits (ORBITS, SEAM_WEIGHTS, SEAM_POWER)</h3>
<p>Every scene's relative orbit is read from its <code>SENSING_ORBIT_NUMBER</code> tag (Earth Engine's property;
<code>cloudscore:fetchscenes</code> writes it); scenes without one form one orbit, "unknown". Tiles of one acquisition
(same orbit and datatake, the first part of the <code>system:index</code>; without one, acquisition times within
60 s) count once: where neighbouring MGRS tiles overlap, the acquisition is the mean of their clear values, and
<code>count</code> is the number of distinct clear acquisitions.</p>
<ul>
<li><b>ORBITS</b>: 0 <b>all scenes together</b> (default): one composite of every acquisition; over more than one
orbit it shows seams along the orbits (neighbouring orbits see the ground under other illumination and view
angles). 1 <b>per orbit, blended at the seams</b>: each relative orbit is composited on its own with the chosen
method, then the orbit composites are blended per pixel with normalised weights, as the Pan-European seasonal
mosaic (OpenGeoHub 2021) did; where one orbit alone has clear observations its composite is used as it is;
<code>count</code> is the total over the orbits. Computed on this computer only (with Earth Engine, ENGINE 1).</li>
<li><b>SEAM_WEIGHTS</b> (advanced): 0 <b>distance to the swath edge</b> (default): each orbit weighs
<code>e^p</code>, <code>e</code> the distance in metres from the pixel to that orbit's swath edge (where its data
ends inside the scenes, never the border of the extent), so its weight falls to zero where its data ends and no
seam remains. 1 <b>inverse distance to the swath centre line</b> (the Pan-European mosaic's rule):
<code>1/d^p</code>, <code>d</code> the distance to the centre line of Sentinel-2's 290 km swath; at one orbit's
swath edge that orbit still weighs about 10% (p = 2), so a faint step remains.</li>
<li><b>SEAM_POWER</b> (advanced): <code>p</code>, 0.1..10, default 2; larger values narrow the blend.</li>
</ul>
<p>The swath edges are found once per run on a coarse grid (at most 512 cells a side) over the scenes' full extent,
from the scenes' footprints or their valid pixels (one extra read of the QA band at that coarse resolution), so a
composite of a sub-area equals a crop of the whole.</p>"""
    )


def add_orbit_parameters(algorithm: QgsProcessingAlgorithm) -> None:
    """Add ``ORBITS`` (0 together, the default; 1 per orbit, blended), ``SEAM_WEIGHTS`` and ``SEAM_POWER`` (both
    advanced)."""
    algorithm.addParameter(
        QgsProcessingParameterEnum(
            ORBITS,
            tr("Relative orbits"),
            options=[translated(ORBIT_LABELS[m]) for m in ORBIT_MODES],
            defaultValue=ORBIT_MODES.index(TOGETHER),
        )
    )
    weights = QgsProcessingParameterEnum(
        SEAM_WEIGHTS,
        tr("Seam weights (per orbit, blended)"),
        options=[translated(SEAM_LABELS[r]) for r in SEAM_RULES],
        defaultValue=0,
    )
    power = QgsProcessingParameterNumber(
        SEAM_POWER,
        tr("Seam weight power p (per orbit, blended)"),
        type=QgsProcessingParameterNumber.Type.Double,
        defaultValue=DEFAULT_SEAM_POWER,
        minValue=SEAM_POWER_RANGE[0],
        maxValue=SEAM_POWER_RANGE[1],
    )
    for parameter in (weights, power):
        parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.Flag.FlagAdvanced)
        algorithm.addParameter(parameter)


def orbit_options(
    algorithm: QgsProcessingAlgorithm, parameters: Dict[str, Any], context: QgsProcessingContext
) -> Dict[str, Any]:
    """``CompositeRequest`` keyword arguments ``orbits``, ``seam_weights`` and ``seam_power`` (checked by the
    request: ``InputError`` naming ``ORBITS``, ``SEAM_WEIGHTS`` or ``SEAM_POWER``)."""
    power = (
        DEFAULT_SEAM_POWER
        if parameters.get(SEAM_POWER) in (None, "")
        else algorithm.parameterAsDouble(parameters, SEAM_POWER, context)
    )
    return dict(
        orbits=ORBIT_MODES[algorithm.parameterAsEnum(parameters, ORBITS, context)],
        seam_weights=SEAM_RULES[algorithm.parameterAsEnum(parameters, SEAM_WEIGHTS, context)],
        seam_power=power,
    )
