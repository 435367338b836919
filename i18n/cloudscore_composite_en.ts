<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>@default</name>
    <message>
        <location filename="../plugin/algorithms/algorithm_base.py" line="71"/>
        <source>cannot read {0!r}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/algorithm_base.py" line="72"/>
        <source>cannot read: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="54"/>
        <source>&lt;p&gt;Builds a cloud-free composite of Sentinel-2 scenes that the plugin finds itself in Google Earth Engine,
masked with the &lt;b&gt;Cloud Score+&lt;/b&gt; clear scores (GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED, linked to each scene by
its &lt;code&gt;system:index&lt;/code&gt;), computed on Earth Engine&apos;s servers (the default: only the composite is downloaded),
on this computer (every scene is downloaded) or by a batch export to a Cloud Storage bucket (large areas); see
&lt;b&gt;ENGINE&lt;/b&gt; below.&lt;/p&gt;
&lt;p&gt;Every pixel whose score in the &lt;b&gt;QA band&lt;/b&gt; is below the &lt;b&gt;clear threshold&lt;/b&gt; is masked (a score equal to
the threshold is clear, as in Earth Engine&apos;s Cloud Score+ recipe &lt;code&gt;score.gte(threshold)&lt;/code&gt;); nodata and
missing scores are never clear. Scenes that have no Cloud Score+ image yet are listed in the log and skipped,
never silently masked. The output holds the chosen statistic of the clear observations per band as reflectance
x 10000, and a &lt;code&gt;count&lt;/code&gt; band with the number of clear observations per pixel.&lt;/p&gt;
&lt;h3&gt;Parameters&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Extent&lt;/b&gt;: area of interest, in any CRS (required: Earth Engine holds the whole world).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Start date&lt;/b&gt; and &lt;b&gt;end date&lt;/b&gt;: scenes acquired in [start, end), UTC days (end excluded).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Collection&lt;/b&gt;: &lt;code&gt;COPERNICUS/S2_SR_HARMONIZED&lt;/code&gt; (L2A surface reflectance, no B10) or
&lt;code&gt;COPERNICUS/S2_HARMONIZED&lt;/code&gt; (L1C top-of-atmosphere).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;QA band&lt;/b&gt;: &lt;code&gt;cs&lt;/code&gt; (spectral similarity to a clear reference) or &lt;code&gt;cs_cdf&lt;/code&gt; (the
score&apos;s rank through time at the pixel); both 0 (occluded) .. 1 (clear).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Clear threshold&lt;/b&gt;: 0..1, default 0.60; 0.50..0.65 works well; higher also removes haze and thin cloud.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Resolution&lt;/b&gt;: output pixel size in metres, default 10.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;CRS&lt;/b&gt;: output CRS, default the UTM zone of the extent&apos;s centre.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Cloud project&lt;/b&gt;: the Google Cloud project billed for the requests (Earth Engine API enabled and registered
for Earth Engine); default &lt;code&gt;CLOUDSCORE_EE_PROJECT&lt;/code&gt;, then the one &lt;code&gt;earthengine set_project&lt;/code&gt;
saved.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;ENGINE&lt;/b&gt;: where the composite is computed: 0 on Earth Engine&apos;s servers (default), 1 on this computer,
2 export to Cloud Storage. See below.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;BUCKET&lt;/b&gt;: the Cloud Storage bucket of an export (ENGINE 2; required then), e.g. &lt;code&gt;my-exports&lt;/code&gt;.&lt;/li&gt;
&lt;/ul&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="54"/>
        <source>
&lt;h3&gt;Credentials, cache and limits&lt;/h3&gt;
&lt;p&gt;Credentials come from, in this order: a QGIS authentication configuration chosen in the plugin&apos;s settings, the
&lt;code&gt;CLOUDSCORE_EE_TOKEN&lt;/code&gt; environment variable (an access token), a service-account key named by
&lt;code&gt;CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY&lt;/code&gt; (needs google-auth), the file &lt;code&gt;earthengine authenticate&lt;/code&gt;
writes (with or without its own OAuth client), application-default credentials (&lt;code&gt;gcloud auth
application-default login&lt;/code&gt;).&lt;/p&gt;
&lt;p&gt;Pixels (the composite&apos;s, or with ENGINE 1 every scene&apos;s) are downloaded in tiles within Earth Engine&apos;s request
limits (48 MB, 32768 px a side), several at a time, retried on rate limits and server errors, and kept in a tile
cache: a cancelled run resumes with the missing tiles; with ENGINE 1 a second run with another threshold, method or
band subset downloads nothing. The log gives the estimate of requests and megabytes before the download; a download
larger than the ceiling (setting &lt;code&gt;cloudscore_composite/earthengine/ceiling_mb&lt;/code&gt;) is refused.&lt;/p&gt;
&lt;p&gt;The output&apos;s tags record the scenes used and skipped, QA band, threshold, dates, method, engine and plugin
version.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="125"/>
        <source>Composite Earth Engine scenes (Cloud Score+)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="141"/>
        <source>Composites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="134"/>
        <source>Area of interest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="136"/>
        <source>Sentinel-2 collection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="141"/>
        <source>QA band (Cloud Score+ clear score 0..1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="584"/>
        <source>Composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="155"/>
        <source>Scenes without a Cloud Score+ image, skipped (comma-separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="160"/>
        <source>Where the composite was computed (earthengine-servers, this-computer, export)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_folder.py" line="41"/>
        <source>
&lt;p&gt;The output&apos;s tags record the scenes used, QA band, threshold, dates, method, orbits and plugin version.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_folder.py" line="93"/>
        <source>Composite a folder of scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="52"/>
        <source>&lt;h3&gt;Where the composite is computed (ENGINE)&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;0 On Earth Engine&apos;s servers&lt;/b&gt; (default): Earth Engine computes the composite with its own reducers (the
request becomes an Earth Engine expression: the collection filtered by extent and dates, each scene linked to its
Cloud Score+ image, masked at the threshold, reduced) and only the composite is downloaded: the statistics and the
&lt;code&gt;count&lt;/code&gt; band as uint16, in tiles within Earth Engine&apos;s request limits, cached by request so a cancelled
run resumes. It costs EECU time from the Cloud project&apos;s quota and needs the IAM permission
&lt;code&gt;earthengine.computations.create&lt;/code&gt; on the project. Earth Engine&apos;s reducers may compute order statistics
(median, percentiles) slightly differently from numpy; no per-scene clear fraction is known afterwards (the
clear fraction of the whole run is).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;1 On this computer&lt;/b&gt;: every scene&apos;s bands and its score are downloaded into the tile cache and composited
here with numpy; a second run with another threshold, method or band subset downloads nothing. Downloads are
far larger (about 25 times for a season of one MGRS tile).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;2 Export to Cloud Storage&lt;/b&gt; (needs &lt;b&gt;BUCKET&lt;/b&gt;, a Cloud Storage bucket): for areas beyond interactive
requests (a country, a season of tens of thousands of scenes). The same expression runs as an Earth Engine batch
task (&lt;code&gt;image:export&lt;/code&gt;) that writes Cloud-Optimized GeoTIFFs to
&lt;code&gt;gs://BUCKET/cloudscore_composite/&lt;/code&gt;; the plugin polls the task (its state and progress show as the
progress), then lists and downloads the files (Cloud Storage JSON API; resumed, checked by MD5), stitches them and
writes the output like the other engines. Cancel cancels the task. A run stopped otherwise (QGIS closed) leaves
the task running: the task is recorded in a hidden file beside the output, and the next run of the same request
picks it up (a second start of the same request never starts a second task). It costs batch EECU time and
Cloud Storage; the account of your credentials needs write and read access to the bucket (token scope
&lt;code&gt;cloud-platform&lt;/code&gt;, which the plugin&apos;s credentials carry). Earth Engine runs about two batch tasks
per project at a time; tasks queue.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;The engine used is recorded in the output&apos;s &lt;code&gt;CLOUDSCORE_ENGINE&lt;/code&gt; tag (&lt;code&gt;earthengine-servers&lt;/code&gt;,
&lt;code&gt;this-computer&lt;/code&gt; or &lt;code&gt;export&lt;/code&gt;) and in the &lt;code&gt;ENGINE&lt;/code&gt; output.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="118"/>
        <source>Composite method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="119"/>
        <source>Percentiles (comma-separated, 0..100; for the percentiles method)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="125"/>
        <source>Bands to composite (comma-separated, e.g. B4,B3,B2,B8; default: all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="128"/>
        <source>Output format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="134"/>
        <source>Scale reflectance to bytes (DN / 40)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="177"/>
        <source>Cloud Storage bucket (export to Cloud Storage, ENGINE 2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="230"/>
        <source>Cancelled: no composite was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="234"/>
        <source>Scenes kept: {0} ({1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="236"/>
        <source>Clear fraction: {0:.1%} of the scored pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="237"/>
        <source>Output: {0} ({1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="245"/>
        <source>Number of scenes used</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="246"/>
        <source>Scenes used (system:index, comma-separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="96"/>
        <source>Clear fraction of the scored pixels (0..1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="49"/>
        <source>&lt;p&gt;Judges a cloud mask against a reference class map, such as the ALCD reference masks (Baetens et al.
2019), so a user can choose the clear threshold that suits their region. It counts the confusion matrix of the
&lt;b&gt;not clear&lt;/b&gt; class (cloud and shadow are positive) and reports overall accuracy, precision, recall and F1.&lt;/p&gt;
&lt;h3&gt;What is evaluated&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;Either a &lt;b&gt;clear score raster&lt;/b&gt; with its &lt;b&gt;QA band&lt;/b&gt; (name or number; a 0..1 score such as Cloud Score+
&lt;code&gt;cs&lt;/code&gt;) masked at the &lt;b&gt;clear threshold&lt;/b&gt; (clear where score &amp;gt;= threshold, as
&lt;code&gt;cloudscore:maskscene&lt;/code&gt; and &lt;code&gt;cloudscore:compositefolder&lt;/code&gt; do) and at every value of
&lt;b&gt;thresholds&lt;/b&gt; (optional, e.g. &lt;code&gt;0.3,0.4,0.5,0.6,0.7&lt;/code&gt;);&lt;/li&gt;
&lt;li&gt;or a &lt;b&gt;binary mask&lt;/b&gt; raster: a pixel is &quot;set&quot; where any of the chosen &lt;b&gt;mask bands&lt;/b&gt; is nonzero; choose
whether set means clear (&lt;code&gt;cloudscore:maskscene&lt;/code&gt;&apos;s clear mask: 1 clear, 0 not clear) or not clear (a
cloud mask such as Sentinel-2&apos;s &lt;code&gt;MSK_CLASSI&lt;/code&gt;: opaque clouds, cirrus). Pixels on the mask&apos;s nodata value
are not counted.&lt;/li&gt;
&lt;/ul&gt;
&lt;h3&gt;Reference&lt;/h3&gt;
&lt;p&gt;A class map (one band of whole-number classes). Defaults are ALCD&apos;s: classes
&lt;code&gt;{0}&lt;/code&gt; (2 low clouds, 3 high clouds, 4 cloud shadows) are not clear,
&lt;code&gt;{1}&lt;/code&gt; (5 land, 6 water, 7 snow) are clear; every other value (ALCD&apos;s 0 no data, 1 not
used) is ignored. Change both lists for another reference.&lt;/p&gt;
&lt;p&gt;The score or mask is read onto the &lt;b&gt;reference&apos;s grid&lt;/b&gt; with nearest neighbour: every labelled reference pixel
counts once (also for sparse labelled points), classes are never resampled and thresholds apply to real scores.
Counts are therefore reference pixels. Reference pixels without a score (outside the raster, nodata) are not
counted and are reported.&lt;/p&gt;
&lt;h3&gt;Outputs&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Scores per threshold&lt;/b&gt;: a table without geometry, one row per threshold (or one for a mask): threshold,
TP, FP, FN, TN, accuracy, precision, recall, F1 (empty where undefined).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;HTML report&lt;/b&gt;: the table (the row of the best F1 highlighted), a plot of F1 (with precision and recall)
against the threshold, and the confusion matrix and per-class breakdown at the &lt;b&gt;clear threshold&lt;/b&gt; (or of the
mask), the same numbers as the outputs below.&lt;/li&gt;
&lt;li&gt;Numbers for the clear threshold (or the mask): TP, FP, FN, TN, ACCURACY, PRECISION, RECALL, F1; and
BEST_THRESHOLD, the threshold with the highest F1.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;Definitions: accuracy (TP+TN)/all, precision TP/(TP+FP), recall TP/(TP+FN), F1 2TP/(2TP+FP+FN).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="87"/>
        <source>nonzero = clear (maskscene&apos;s clear mask)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="87"/>
        <source>nonzero = not clear (a cloud mask, e.g. MSK_CLASSI)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="122"/>
        <source>Evaluate a cloud mask against a reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="74"/>
        <source>Masks</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="131"/>
        <source>Clear score raster (or give a binary mask)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="136"/>
        <source>QA band of the score raster: name or number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="142"/>
        <source>More thresholds to compare (e.g. 0.3,0.4,0.5,0.6,0.7)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="147"/>
        <source>Binary mask raster (instead of a score)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="150"/>
        <source>Mask bands (set where any is nonzero)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="160"/>
        <source>A set mask pixel means</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="168"/>
        <source>Reference class map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="169"/>
        <source>Reference band (default 1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="178"/>
        <source>Reference classes that are not clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="185"/>
        <source>Reference classes that are clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="190"/>
        <source>Scores per threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="195"/>
        <source>HTML report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="201"/>
        <source>{0} at the clear threshold (or of the mask)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="204"/>
        <source>Threshold with the highest F1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="248"/>
        <source>the report must be another file than the table (OUTPUT)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="275"/>
        <source>Cancelled: no table or report was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="296"/>
        <source>{0}: the report could not be written: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/evaluate_mask.py" line="300"/>
        <source>{0}: F1 {1}, precision {2}, recall {3}, accuracy {4} on {5} reference pixels ({6} without a score, not counted)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="34"/>
        <source>&lt;p&gt;Writes scenes to a folder in the scene-folder layout, ready for &lt;code&gt;cloudscore:compositefolder&lt;/code&gt;
(its &lt;b&gt;Folder of Sentinel-2 scenes&lt;/b&gt;) and for &lt;code&gt;cloudscore:seasonalcomposites&lt;/code&gt;: one GeoTIFF per
scene named &lt;code&gt;&amp;lt;system:index&amp;gt;.tif&lt;/code&gt;, bands named by their descriptions, the acquisition time,
&lt;code&gt;system:index&lt;/code&gt;, MGRS tile, cloud percentage and platform in tags.&lt;/p&gt;
&lt;p&gt;Which scenes: the features of a &lt;b&gt;scene layer&lt;/b&gt; (the output of &lt;code&gt;cloudscore:searchscenes&lt;/code&gt;, or any
layer with a field of scene ids; with &quot;selected features only&quot;, just those), matched by the &lt;b&gt;id field&lt;/b&gt;
(default &lt;code&gt;id&lt;/code&gt;); or, without a scene layer, every scene acquired in [&lt;b&gt;start date&lt;/b&gt;, &lt;b&gt;end
date&lt;/b&gt;) (UTC days, end excluded) over the &lt;b&gt;extent&lt;/b&gt;. With a scene layer the dates are optional: without
them the days named by the ids (a &lt;code&gt;system:index&lt;/code&gt; starts with the acquisition time) are searched. Ids
not found are reported.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Extent&lt;/b&gt; (optional, any CRS): each scene is clipped to it, widened outwards to whole pixels of the scene
(no resampling; the scene&apos;s own CRS, dtype, nodata, band descriptions, scale/offset and tags are kept), so a
composite of the folder over the same extent is pixel for pixel the composite of the whole scenes. Without an
extent, whole scenes are copied. Scenes the extent misses are left out.&lt;/p&gt;
&lt;p&gt;From &lt;b&gt;Earth Engine&lt;/b&gt; the pixels are downloaded (into the tile cache, so an interrupted fetch resumes)
on a grid aligned to each scene&apos;s own 10 m pixels and written as float32 (reflectance x 10000, scores 0..1, nodata
0); give an extent there (whole scenes are about 110 km across), or the scene layer&apos;s extent is searched.&lt;/p&gt;
&lt;p&gt;&lt;b&gt;Bands&lt;/b&gt; (optional): comma-separated band names to keep, e.g. &lt;code&gt;B2,B3,B4,B8,cs&lt;/code&gt; (Sentinel-2
bands and the QA band); default every band.&lt;/p&gt;
&lt;p&gt;Each scene file is written under a hidden temporary name and renamed into place when complete: a cancelled
or failed run leaves no half-written file, and keeps the scenes already written; running again keeps scene
files that are already there for the same scene, clip and bands (so an interrupted run resumes).&lt;/p&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="34"/>
        <source>
&lt;p&gt;Outputs: &lt;code&gt;OUTPUT&lt;/code&gt; (the folder), &lt;code&gt;SCENE_COUNT&lt;/code&gt; (scene files in it from this run,
written or kept) and &lt;code&gt;SCENE_IDS&lt;/code&gt; (their ids, &lt;code&gt;system:index&lt;/code&gt;, comma-separated).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="80"/>
        <source>Fetch scenes to a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="148"/>
        <source>Scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="90"/>
        <source>Scene layer (e.g. from Search scenes; default: every scene in the dates)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="98"/>
        <source>Scene id field</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="109"/>
        <source>Bands to keep, comma-separated (default: all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="112"/>
        <source>Output scene folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="113"/>
        <source>Number of scenes in the folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="114"/>
        <source>Scene ids (system:index, comma-separated)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="125"/>
        <source>the scene layer cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="129"/>
        <source>the scene layer has no field {0!r}; its fields are {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="161"/>
        <source>none of the {0} scene id(s) of the layer is in the {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="161"/>
        <source> over the extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="169"/>
        <source>scene(s) {0} lack some of the bands {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="200"/>
        <source>Skipped {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="196"/>
        <source>Scene id(s) not found in the {0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="211"/>
        <source>Cancelled: scene files completed before the cancel are kept, no partial file was left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="217"/>
        <source>Scene(s) outside the extent, left out: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="219"/>
        <source>{0}: the extent touches none of the {1} scene(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="223"/>
        <source>Scene files: {0} written, {1} kept, in {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="23"/>
        <source>&lt;p&gt;Masks one Sentinel-2 scene with its per-pixel clear score: every pixel whose score in the
&lt;b&gt;QA band&lt;/b&gt; is below the &lt;b&gt;clear threshold&lt;/b&gt; becomes nodata in every band. A score equal to the threshold is
clear (kept), as in Earth Engine&apos;s Cloud Score+ recipe &lt;code&gt;score.gte(threshold)&lt;/code&gt;; pixels whose score is
nodata or NaN are never clear and are masked too. Clear pixels keep the input&apos;s values exactly.&lt;/p&gt;
&lt;h3&gt;Input&lt;/h3&gt;
&lt;p&gt;One raster holding the scene&apos;s bands and its QA band (a 0..1 clear score such as Cloud Score+
&lt;code&gt;cs&lt;/code&gt; or &lt;code&gt;cs_cdf&lt;/code&gt;, or the demo&apos;s &lt;code&gt;clear&lt;/code&gt;), e.g. a GeoTIFF of a scene folder made by
&lt;code&gt;cloudscore:fetchscenes&lt;/code&gt;. A QA band with a GDAL scale/offset is scaled first (uint8 0..100 with scale 0.01
reads 0..1).&lt;/p&gt;
&lt;h3&gt;Parameters&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;QA band&lt;/b&gt;: the clear score band, by its description (&lt;code&gt;cs&lt;/code&gt;, &lt;code&gt;cs_cdf&lt;/code&gt;,
&lt;code&gt;clear&lt;/code&gt;; matched exactly, else ignoring case) or its 1-based number.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Clear threshold&lt;/b&gt;: 0..1, default {0:.2f}; 0.50..0.65 works well; higher also removes haze
and thin cloud.&lt;/li&gt;
&lt;/ul&gt;
&lt;h3&gt;Outputs&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Masked scene&lt;/b&gt;: a GeoTIFF with every band of the input (the QA band too), in the input&apos;s data type, with
its band descriptions, scales and tags, and the input&apos;s nodata value (0 when it has none) where the pixel is not
clear. It is still a scene for &lt;code&gt;cloudscore:compositefolder&lt;/code&gt;. Tags &lt;code&gt;CLOUDSCORE_QA_BAND&lt;/code&gt;,
&lt;code&gt;CLOUDSCORE_CLEAR_THRESHOLD&lt;/code&gt; and &lt;code&gt;CLOUDSCORE_CLEAR_FRACTION&lt;/code&gt; record the masking.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Clear mask&lt;/b&gt; (optional): a uint8 GeoTIFF, {1} clear, {2} not clear, {3} no score
(nodata). It feeds &lt;code&gt;cloudscore:evaluatemask&lt;/code&gt; as a binary mask.&lt;/li&gt;
&lt;li&gt;Numbers: the clear fraction (clear pixels / pixels with a score, 0..1), clear pixels and scored pixels.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;Work is done block by block; both files are written under temporary names and renamed into place at the end,
so a cancelled or failed run leaves no partial output.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="71"/>
        <source>Mask a scene by its clear score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="80"/>
        <source>Scene (raster with a QA band)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="81"/>
        <source>QA band (clear score 0..1): name or number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="87"/>
        <source>Masked scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="88"/>
        <source>Clear mask (1 clear, 0 not clear, 255 no score)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="97"/>
        <source>Clear pixels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="98"/>
        <source>Pixels with a score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="123"/>
        <source>Cancelled: no masked scene was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/mask_scene.py" line="126"/>
        <source>Clear pixels: {0} of {1} scored ({2:.1%}) at threshold {3:g}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/orbit_options.py" line="33"/>
        <source>&lt;h3&gt;Relative orbits (ORBITS, SEAM_WEIGHTS, SEAM_POWER)&lt;/h3&gt;
&lt;p&gt;Every scene&apos;s relative orbit is read from its &lt;code&gt;SENSING_ORBIT_NUMBER&lt;/code&gt; tag (Earth Engine&apos;s property;
&lt;code&gt;cloudscore:fetchscenes&lt;/code&gt; writes it); scenes without one form one orbit, &quot;unknown&quot;. Tiles of one acquisition
(same orbit and datatake, the first part of the &lt;code&gt;system:index&lt;/code&gt;; without one, acquisition times within
60 s) count once: where neighbouring MGRS tiles overlap, the acquisition is the mean of their clear values, and
&lt;code&gt;count&lt;/code&gt; is the number of distinct clear acquisitions.&lt;/p&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;ORBITS&lt;/b&gt;: 0 &lt;b&gt;all scenes together&lt;/b&gt; (default): one composite of every acquisition; over more than one
orbit it shows seams along the orbits (neighbouring orbits see the ground under other illumination and view
angles). 1 &lt;b&gt;per orbit, blended at the seams&lt;/b&gt;: each relative orbit is composited on its own with the chosen
method, then the orbit composites are blended per pixel with normalised weights, as the Pan-European seasonal
mosaic (OpenGeoHub 2021) did; where one orbit alone has clear observations its composite is used as it is;
&lt;code&gt;count&lt;/code&gt; is the total over the orbits. Computed on this computer only (with Earth Engine, ENGINE 1).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;SEAM_WEIGHTS&lt;/b&gt; (advanced): 0 &lt;b&gt;distance to the swath edge&lt;/b&gt; (default): each orbit weighs
&lt;code&gt;e^p&lt;/code&gt;, &lt;code&gt;e&lt;/code&gt; the distance in metres from the pixel to that orbit&apos;s swath edge (where its data
ends inside the scenes, never the border of the extent), so its weight falls to zero where its data ends and no
seam remains. 1 &lt;b&gt;inverse distance to the swath centre line&lt;/b&gt; (the Pan-European mosaic&apos;s rule):
&lt;code&gt;1/d^p&lt;/code&gt;, &lt;code&gt;d&lt;/code&gt; the distance to the centre line of Sentinel-2&apos;s 290 km swath; at one orbit&apos;s
swath edge that orbit still weighs about 10% (p = 2), so a faint step remains.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;SEAM_POWER&lt;/b&gt; (advanced): &lt;code&gt;p&lt;/code&gt;, 0.1..10, default 2; larger values narrow the blend.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;The swath edges are found once per run on a coarse grid (at most 512 cells a side) over the scenes&apos; full extent,
from the scenes&apos; footprints or their valid pixels (one extra read of the QA band at that coarse resolution), so a
composite of a sub-area equals a crop of the whole.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/orbit_options.py" line="64"/>
        <source>Relative orbits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/orbit_options.py" line="72"/>
        <source>Seam weights (per orbit, blended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/orbit_options.py" line="78"/>
        <source>Seam weight power p (per orbit, blended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="38"/>
        <source>Scene folder (GeoTIFF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="38"/>
        <source>Earth Engine (Sentinel-2 with Cloud Score+)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="54"/>
        <source>&lt;h3&gt;Scene source&lt;/h3&gt;
&lt;p&gt;&lt;b&gt;Earth Engine&lt;/b&gt;: the &lt;b&gt;collection&lt;/b&gt; &lt;code&gt;COPERNICUS/S2_SR_HARMONIZED&lt;/code&gt; (L2A, default) or
&lt;code&gt;COPERNICUS/S2_HARMONIZED&lt;/code&gt; (L1C), each scene linked to its Cloud Score+ image
(&lt;code&gt;GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED&lt;/code&gt;, QA bands &lt;code&gt;cs&lt;/code&gt; and &lt;code&gt;cs_cdf&lt;/code&gt;) by its
&lt;code&gt;system:index&lt;/code&gt;. It needs an extent, Earth Engine credentials (a QGIS authentication configuration
chosen in the plugin&apos;s Earth Engine settings, the &lt;code&gt;CLOUDSCORE_EE_TOKEN&lt;/code&gt; environment variable, a
service-account key named by &lt;code&gt;CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY&lt;/code&gt;, &lt;code&gt;earthengine
authenticate&lt;/code&gt;&apos;s credentials file or application-default credentials, in that order) and a Cloud project
(advanced parameter, &lt;code&gt;CLOUDSCORE_EE_PROJECT&lt;/code&gt; or the
credentials&apos; own); the settings&apos; tile cache, requests in flight and size ceiling apply. Scenes whose score is not
published yet have no QA band.&lt;/p&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="72"/>
        <source>&lt;p&gt;&lt;b&gt;Scene folder&lt;/b&gt;: one GeoTIFF per scene, directly in the folder, bands named by their
descriptions (&lt;code&gt;B1&lt;/code&gt;..&lt;code&gt;B12&lt;/code&gt;, &lt;code&gt;B8A&lt;/code&gt; reflectance x 10000, any other name such as
&lt;code&gt;cs&lt;/code&gt;, &lt;code&gt;cs_cdf&lt;/code&gt; or &lt;code&gt;clear&lt;/code&gt; a 0..1 clear score), the acquisition time in the
&lt;code&gt;ACQUISITION_TIME&lt;/code&gt; tag or in a &lt;code&gt;system:index&lt;/code&gt; file name
(&lt;code&gt;20230105T184749_20230105T184745_T11SKB.tif&lt;/code&gt;). The output of &lt;code&gt;cloudscore:fetchscenes&lt;/code&gt; is
such a folder.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="113"/>
        <source>Scene source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="119"/>
        <source>Earth Engine collection (Earth Engine source)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="129"/>
        <source>{0} (default: CLOUDSCORE_EE_PROJECT, then the credentials&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/source_panel.py" line="192"/>
        <source>cannot read the folder {0!r}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="201"/>
        <source>choose a raster layer or file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="206"/>
        <source>{0!r} is not a raster layer or file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="224"/>
        <source>give the start date (YYYY-MM-DD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="226"/>
        <source>give the end date (YYYY-MM-DD; excluded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="460"/>
        <source>end date {0} must be after start date {1} (end is excluded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="275"/>
        <source>QA band (clear score 0..1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="311"/>
        <source>{0!r} is not a date (YYYY-MM-DD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="333"/>
        <source>the CRS {0!r} of the extent is not one QGIS knows: give the extent as xmin,xmax,ymin,ymax [EPSG:code] with a valid code (e.g. EPSG:4326)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="346"/>
        <source>&lt;li&gt;&lt;b&gt;Output CRS&lt;/b&gt; (optional): a projected CRS in metres, e.g. EPSG:3035 (the Pan-European mosaic&apos;s,
at 30 m) for a mosaic across UTM zones; scenes in other CRSs are warped onto it (nearest neighbour). Default: the
CRS most scenes share, aligned to their pixels.&lt;/li&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="372"/>
        <source>{0!r} is not a CRS QGIS knows: give e.g. EPSG:3035 or EPSG:32633</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="48"/>
        <source>&lt;p&gt;Lists the Sentinel-2 scenes acquired over an area of interest (AOI) in a date range, as a polygon layer
of scene footprints, one feature per scene, in acquisition order. Use it to see what a composite would use, to
pick scenes (select features, or filter on the fields) and to feed &lt;code&gt;cloudscore:fetchscenes&lt;/code&gt;, which
takes this layer&apos;s &lt;code&gt;id&lt;/code&gt; field.&lt;/p&gt;
&lt;h3&gt;Fields&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;code&gt;id&lt;/code&gt;: the scene&apos;s Earth Engine &lt;code&gt;system:index&lt;/code&gt; (e.g.
&lt;code&gt;20150711T100008_20150711T100008_T33TVL&lt;/code&gt;), or the file name without extension.&lt;/li&gt;
&lt;li&gt;&lt;code&gt;time&lt;/code&gt;: acquisition time (UTC).&lt;/li&gt;
&lt;li&gt;&lt;code&gt;tile&lt;/code&gt;: MGRS tile (e.g. &lt;code&gt;33TVL&lt;/code&gt;); &lt;code&gt;platform&lt;/code&gt;: Sentinel-2A/B/C when known.&lt;/li&gt;
&lt;li&gt;&lt;code&gt;cloud_pct&lt;/code&gt;: the scene&apos;s &lt;code&gt;CLOUDY_PIXEL_PERCENTAGE&lt;/code&gt; (0..100, whole tile, from the product
metadata) when the source knows it, else NULL.&lt;/li&gt;
&lt;li&gt;&lt;code&gt;score_available&lt;/code&gt;: true when the scene has the &lt;b&gt;QA band&lt;/b&gt; (its per-pixel clear score). Scenes
without it are skipped by the composite algorithms (and reported), never silently masked.&lt;/li&gt;
&lt;li&gt;&lt;code&gt;clear_fraction&lt;/code&gt;: the fraction (0..1) of the scene&apos;s scored pixels inside the AOI whose clear score
is at least the &lt;b&gt;clear threshold&lt;/b&gt; (a score equal to the threshold is clear). Computed when the scores are
local (the scene folder source; Earth Engine scores would need a download first), on a grid of at most 512 x 512
pixels over the AOI; NULL when the scene has no score or no scored pixel in the AOI.&lt;/li&gt;
&lt;li&gt;&lt;code&gt;orbit&lt;/code&gt;: the relative orbit (1..143, the &lt;code&gt;SENSING_ORBIT_NUMBER&lt;/code&gt; tag or Earth Engine
property), NULL when unknown. &lt;code&gt;compositefolder&lt;/code&gt; with ORBITS 1 composites each orbit on its own.&lt;/li&gt;
&lt;/ul&gt;
&lt;h3&gt;Parameters&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Scene source&lt;/b&gt;: a scene folder (default) or Earth Engine, see below.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Extent&lt;/b&gt; (optional): the AOI, in any CRS; default all scenes. A scene is listed when its footprint
overlaps the AOI.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Start date&lt;/b&gt; and &lt;b&gt;end date&lt;/b&gt;: scenes acquired in [start, end), UTC days (the end date is
excluded).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;QA band&lt;/b&gt;: the clear score band (&lt;code&gt;cs&lt;/code&gt; or &lt;code&gt;cs_cdf&lt;/code&gt; for Cloud Score+); default
&lt;code&gt;cs&lt;/code&gt;.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Clear threshold&lt;/b&gt;: 0..1, default 0.60 (Earth Engine&apos;s Cloud Score+ example); only used for
&lt;code&gt;clear_fraction&lt;/code&gt;.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Footprint CRS&lt;/b&gt;: EPSG:4326 (longitude/latitude, default) or the scenes&apos; own CRS (the one most scenes
share; footprints of scenes in other CRSs are reprojected).&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;Footprints are the scenes&apos; raster rectangles (including any nodata border), densified so they stay exact
when reprojected.&lt;/p&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="48"/>
        <source>
&lt;p&gt;Outputs: the footprint layer, &lt;code&gt;SCENE_COUNT&lt;/code&gt; (scenes found) and &lt;code&gt;SCORED_COUNT&lt;/code&gt; (scenes
with the QA band). A search that finds no scene fails with a message saying what the folder holds.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="95"/>
        <source>EPSG:4326 (longitude/latitude)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="95"/>
        <source>The scenes&apos; own CRS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="145"/>
        <source>Search scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="157"/>
        <source>Footprint CRS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="165"/>
        <source>Scene footprints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="170"/>
        <source>Number of scenes found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="171"/>
        <source>Number of scenes with the QA band</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="180"/>
        <source>name the band holding the clear score (e.g. cs, cs_cdf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="182"/>
        <source>no scene has the QA band {0!r}; QA bands found: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="345"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="215"/>
        <source>Cancelled: no footprint layer was written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="232"/>
        <source>{0}: the footprint layer could not be created</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="251"/>
        <source>Scenes found: {0}, with the QA band {1!r}: {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="63"/>
        <source>&lt;p&gt;Builds one cloud-free composite per season and year from a folder of Sentinel-2 scenes with a per-pixel
clear score, as the Pan-European seasonal cloudless mosaic did (four seasons a year; per band the 25th, 50th and
75th percentiles and the count of valid observations, with &lt;b&gt;Method&lt;/b&gt; = percentiles).&lt;/p&gt;
&lt;p&gt;Each composite is made exactly as &lt;code&gt;cloudscore:compositefolder&lt;/code&gt; makes one (pixels whose score in the
&lt;b&gt;QA band&lt;/b&gt; is below the &lt;b&gt;clear threshold&lt;/b&gt; are masked; a score equal to the threshold is clear; a
&lt;code&gt;count&lt;/code&gt; band holds the clear observations per pixel) over the season&apos;s dates, and written to the
&lt;b&gt;output folder&lt;/b&gt; as &lt;code&gt;&amp;lt;prefix&amp;gt;_&amp;lt;year&amp;gt;_&amp;lt;season&amp;gt;.tif&lt;/code&gt;, e.g.
&lt;code&gt;composite_2016_MAM.tif&lt;/code&gt;.&lt;/p&gt;
&lt;h3&gt;Seasons&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Years&lt;/b&gt;: one year (&lt;code&gt;2016&lt;/code&gt;), several (&lt;code&gt;2015,2017&lt;/code&gt;) or a range (&lt;code&gt;2015-2017&lt;/code&gt;,
both included).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Seasons&lt;/b&gt;: empty (default) for the &lt;b&gt;meteorological seasons&lt;/b&gt;: &lt;code&gt;DJF&lt;/code&gt; (December of the
&lt;b&gt;previous&lt;/b&gt; year, January, February), &lt;code&gt;MAM&lt;/code&gt; (March-May), &lt;code&gt;JJA&lt;/code&gt; (June-August),
&lt;code&gt;SON&lt;/code&gt; (September-November). So DJF 2016 is 2015-12-01 to 2016-02-29. Or custom month ranges
&lt;code&gt;name=first-last&lt;/code&gt; separated by &lt;code&gt;;&lt;/code&gt;, e.g. &lt;code&gt;winter=12-2;summer=6-8&lt;/code&gt; or
&lt;code&gt;jan=1&lt;/code&gt;: months 1..12, both ends included; a range over the new year (&lt;code&gt;12-2&lt;/code&gt;) belongs to the
year of its last month, like DJF. Names become part of the file names (letters, digits, &lt;code&gt;_&lt;/code&gt;,
&lt;code&gt;-&lt;/code&gt;).&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;A season with no scene carrying the QA band (over the extent) is reported in the log and skipped; the run
fails only when no season has any. With a scene folder the seasons are searched before the run; with Earth
Engine each season is searched once, when its turn comes.&lt;/p&gt;
&lt;h3&gt;Other parameters&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Scene source&lt;/b&gt;: a scene folder (default) or Earth Engine (see below; needs an extent).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Extent&lt;/b&gt; (optional for a folder): area of interest, in any CRS; default the union of the scenes (per
season). Give it for composites on one grid across seasons.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;QA band&lt;/b&gt;: clear score band, e.g. &lt;code&gt;cs&lt;/code&gt; or &lt;code&gt;cs_cdf&lt;/code&gt; (Cloud Score+).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Clear threshold&lt;/b&gt;: 0..1, default 0.60; 0.50..0.65 works well.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Resolution&lt;/b&gt; (optional): output pixel size in metres; default the scenes&apos; own.&lt;/li&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="63"/>
        <source>
&lt;li&gt;&lt;b&gt;File name prefix&lt;/b&gt;: default &lt;code&gt;composite&lt;/code&gt;.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;ENGINE&lt;/b&gt; (Earth Engine source): where each composite is computed: 0 on Earth Engine&apos;s servers (default),
1 on this computer, 2 export to Cloud Storage (one batch task per season, all started first so that Earth Engine
runs them side by side; each season then waits for its own). A scene folder is always composited on this
computer: with it, 0 (the default) and 1 both mean this computer, and 2 is refused.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;BUCKET&lt;/b&gt;: the Cloud Storage bucket of the exports (ENGINE 2; required then).&lt;/li&gt;
&lt;/ul&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="63"/>
        <source>
&lt;p&gt;Outputs: &lt;code&gt;OUTPUT&lt;/code&gt; (the folder), &lt;code&gt;OUTPUTS&lt;/code&gt; (the composites written, a list of file paths,
in year and season order), &lt;code&gt;COMPOSITE_COUNT&lt;/code&gt;, &lt;code&gt;SKIPPED&lt;/code&gt; (the seasons skipped, e.g.
&lt;code&gt;2016_DJF&lt;/code&gt;, comma-separated). Each file is written under a temporary name and renamed into place when
complete: a cancel leaves no half-written file (composites of seasons finished before the cancel are kept).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="168"/>
        <source>Seasonal composites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="149"/>
        <source>Years (e.g. 2016, 2015,2017 or 2015-2017)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="150"/>
        <source>Seasons (default: meteorological DJF, MAM, JJA, SON; or e.g. winter=12-2;summer=6-8)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="166"/>
        <source>File name prefix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="167"/>
        <source>Output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="169"/>
        <source>Number of composites written</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="170"/>
        <source>Seasons skipped (no scene), comma-separated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="184"/>
        <source>prefix {0!r} must be letters, digits, _, - or . (it starts the file names)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="245"/>
        <source>Season {0}: no export task started now ({1}); its run says why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="251"/>
        <source>Season {0} ({1} to {2}, end excluded) skipped: {3}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="268"/>
        <source>{0}: cannot create the folder {1!r}: {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="281"/>
        <source>Season {0}: {1} to {2} (end excluded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="28"/>
        <source>Whole area of the scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="29"/>
        <source>Map canvas extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="30"/>
        <source>Rectangle drawn on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="31"/>
        <source>Polygon layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="32"/>
        <source>Typed bounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="37"/>
        <source>map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="38"/>
        <source>drawn rectangle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="39"/>
        <source>typed bounds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="112"/>
        <source>the {0} has no area: set the area again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="114"/>
        <source>the {0} has no valid CRS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="130"/>
        <source>type the bounds as four numbers xmin, ymin, xmax, ymax (got {0!r})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="135"/>
        <source>the typed bounds {0} have no area: xmax must exceed xmin and ymax ymin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="148"/>
        <source>choose a polygon layer for the area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="150"/>
        <source>layer {0!r} is not a polygon layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="154"/>
        <source>selected feature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="154"/>
        <source>feature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="155"/>
        <source>layer {0!r} has no {1} with an area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="230"/>
        <source>draw a rectangle on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="230"/>
        <source>take the map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="231"/>
        <source>no area yet: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="315"/>
        <source>
Chosen: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="90"/>
        <source>Bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="93"/>
        <source>Cloud Storage bucket, e.g. my-exports</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="115"/>
        <source>[QGIS&apos;s temporary folder]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="221"/>
        <source>output folder {0!r} does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="424"/>
        <source>The {0} needs an area of interest: choose the map extent, a rectangle, a polygon layer or typed bounds instead of the whole area of the scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="447"/>
        <source>Search cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="488"/>
        <source>every scene in the table is unticked: tick at least one scene</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="627"/>
        <source>Cancelling...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="664"/>
        <source>Outcome of the last run.
Output: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="719"/>
        <source>The scores the run fetched could not be read for the scene table: %s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="728"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="38"/>
        <source>QGIS authentication configuration holding your Earth Engine secret (e.g. an OAuth2 or a bearer-token configuration). The secret stays in the QGIS authentication database; only the configuration&apos;s id is remembered. None: CLOUDSCORE_EE_TOKEN, the service-account key named by CLOUDSCORE_EE_SERVICE_ACCOUNT_KEY, the earthengine credentials file or application-default credentials, in that order.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="55"/>
        <source>Folder of the tile cache: downloaded pixels (scenes, or composites computed on Earth Engine&apos;s servers) are kept there, so an interrupted run resumes and, on this computer, another threshold, method or band subset fetches nothing. Empty: the default folder shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="62"/>
        <source>Clear cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="64"/>
        <source>Delete every cached tile (asks first); the next run fetches again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="76"/>
        <source>no ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="77"/>
        <source>Refuse a download larger than this (uncompressed megabytes, as in the download estimate; the composite&apos;s on Earth Engine&apos;s servers, every scene&apos;s on this computer). 0: no ceiling.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="88"/>
        <source>Requests in flight at once (getPixels or computePixels; 1..{0}, default {1}). Fewer if Earth Engine answers 429 (too many requests) often.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="147"/>
        <source>Clear the Earth Engine tile cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="133"/>
        <source>Delete the {0} of tiles cached in {1}? The next run fetches them again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="147"/>
        <source>The cache could not be cleared: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Tile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Orbit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Cloud %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Clear in AOI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="18"/>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>MGRS tile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>Satellite (Sentinel-2A, 2B, 2C).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>The scene&apos;s CLOUDY_PIXEL_PERCENTAGE from its product metadata (whole scene, not the AOI).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="17"/>
        <source> Clear fractions need the scores, which a run on this computer downloads.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="18"/>
        <source> Clear fractions from the scores the run fetched (ticked scenes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="23"/>
        <source>The QA band or the area changed since the scenes were found: find scenes again to update the table.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="116"/>
        <source> {0} without the QA band {1} (they will be skipped).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="120"/>
        <source> Download: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/source_panel.py" line="29"/>
        <source>Folder of GeoTIFFs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/source_panel.py" line="30"/>
        <source>Earth Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/source_panel.py" line="94"/>
        <source>Folder of Sentinel-2 GeoTIFF scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/threshold_preview.py" line="20"/>
        <source>clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/threshold_preview.py" line="20"/>
        <source>not clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/threshold_preview.py" line="57"/>
        <source>The mask preview could not be written: %s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/threshold_preview.py" line="62"/>
        <source>The mask preview %s did not open as a layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="186"/>
        <source>%s has no band %s of %s: showing %s instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/plugin_main.py" line="44"/>
        <source>CloudScore Composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/plugin_main.py" line="45"/>
        <source>Cloud-free Sentinel-2 composites from clear scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/provider.py" line="27"/>
        <source>CloudScore Composite: cloud-free Sentinel-2 composites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_earthengine.py" line="149"/>
        <source>Output CRS (default: the UTM zone of the extent&apos;s centre)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="165"/>
        <source>Where the composite is computed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="89"/>
        <source>Folder of Sentinel-2 scenes to fetch from (GeoTIFF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/fetch_scenes.py" line="108"/>
        <source>Clip to this extent (default: whole scenes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="100"/>
        <source>Folder of Sentinel-2 scenes (GeoTIFF)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="118"/>
        <source>{0} (scene folder source)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="124"/>
        <source>Earth Engine Cloud project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="129"/>
        <source>Cloud project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="234"/>
        <source>Area of interest (default: all scenes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="240"/>
        <source>Start date (included{0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="240"/>
        <source>End date (excluded{0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="256"/>
        <source>; optional with a scene layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="261"/>
        <source>Clear threshold (clear where score &gt;= threshold)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="281"/>
        <source>Resolution in metres (default: the scenes&apos; own)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="281"/>
        <source>Resolution in metres</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/shared_parameters.py" line="355"/>
        <source>Output CRS (default: the CRS most scenes share)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/search_scenes.py" line="156"/>
        <source>Clear threshold for the clear fraction (clear where score &gt;= threshold)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/seasonal_composites.py" line="162"/>
        <source>Where the composites are computed (Earth Engine source; a folder: this computer)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="30"/>
        <source>Earth Engine settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="49"/>
        <source>Authentication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="68"/>
        <source>Tile cache</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="83"/>
        <source>Size ceiling</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="94"/>
        <source>Requests in flight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>On Earth Engine&apos;s servers (only the composite is downloaded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>On this computer (downloads every scene; cached, re-threshold offline)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>Export to Cloud Storage (batch task for large areas; needs a bucket)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>All scenes together</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>Per orbit, blended at the seams</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>Distance to the swath edge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/core_labels.py" line="11"/>
        <source>Inverse distance to the swath centre line (Pan-European mosaic)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="91"/>
        <source>{0:,.3g} km²</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi.py" line="94"/>
        <source>{0}, {1:,} pixels at {2:g} m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="104"/>
        <source>[scenes&apos; CRS / UTM zone of the area]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="104"/>
        <source>all bands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="322"/>
        <source>The composite has no band {0} of {1}: showing {2} instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="85"/>
        <source>about {0} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="86"/>
        <source>about {0} min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="412"/>
        <source>Finding scenes...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="441"/>
        <source>Finding scenes failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="552"/>
        <source>Compositing {0} .. {1} (end excluded)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="566"/>
        <source>A composite is already running: wait for it to finish or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="568"/>
        <source>Scenes are being searched (or their scores read): wait for it or cancel it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="650"/>
        <source>{0} left</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/dock_widget.py" line="658"/>
        <source>%n scene(s) used; {0:.0%} of their scored pixels were clear.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/dock_widget.py" line="662"/>
        <source>%n scene(s) without the QA band skipped (see the log).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="673"/>
        <source>The composite was written to {0} but could not be added to the project: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/dock_widget.py" line="682"/>
        <source>{0}: %n scene(s), {1:.0%} clear, added to the project.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="729"/>
        <source>Composite cancelled: nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="733"/>
        <source>Composite failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="745"/>
        <source>{0}: {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_box.py" line="21"/>
        <source>{0:,.1f} MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/scenes_panel.py" line="110"/>
        <source>%n scene(s) found.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="165"/>
        <source> {0} of {1} ticked for the composite.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/source_panel.py" line="162"/>
        <source>%n scene(s) acquired {0} .. {1}.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../plugin/dock/source_panel.py" line="164"/>
        <source> None has a QA band (a clear-score band such as cs or cs_cdf).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/source_panel.py" line="167"/>
        <source> %n file(s) skipped: {0}.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../plugin/dock/threshold_preview.py" line="60"/>
        <source>Clear mask preview: {0} at {1:.2f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/earthengine_auth.py" line="27"/>
        <source>QGIS authentication configuration {0!r} was not found or could not be decrypted (is the master password set?): check Settings &gt; Options &gt; Authentication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/earthengine_auth.py" line="34"/>
        <source>QGIS authentication configuration {0!r} ({1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="43"/>
        <source>True colour (B4/B3/B2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="44"/>
        <source>False colour infrared (B8/B4/B3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="45"/>
        <source>Short-wave infrared (B12/B8A/B4)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="46"/>
        <source>Agriculture (B11/B8/B2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="47"/>
        <source>Geology (B12/B11/B2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="48"/>
        <source>Vegetation and water (B8/B11/B2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="294"/>
        <source>Cloud-free Sentinel-2 composite ({0}) of the scenes acquired {1} .. {2} (end excluded).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="302"/>
        <source>QA band: {0}; clear threshold: {1} (clear where score &gt;= threshold).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="344"/>
        <source>Source: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="345"/>
        <source>Scenes ({0}): {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="350"/>
        <source>Skipped, without the QA band or not a usable scene file ({0}): {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="356"/>
        <source>Clear fraction of the scored pixels: {0:.1%}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="490"/>
        <source>{0} does not open as a raster layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="503"/>
        <source>{0} composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/tasks/background_task.py" line="67"/>
        <source>{0} stopped without a result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/tasks/composite_task.py" line="30"/>
        <source>CloudScore composite {0}..{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/tasks/scene_search_task.py" line="34"/>
        <source>CloudScore: find scenes {0}..{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/tasks/scene_search_task.py" line="43"/>
        <source>search</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/tasks/scene_search_task.py" line="73"/>
        <source>read scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/tasks/scene_search_task.py" line="67"/>
        <source>CloudScore: read the fetched scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_folder.py" line="41"/>
        <source>&lt;p&gt;Builds a cloud-free composite from a folder of Sentinel-2 scenes that carry a per-pixel clear
score.&lt;/p&gt;
&lt;p&gt;Every pixel whose score in the &lt;b&gt;QA band&lt;/b&gt; is below the &lt;b&gt;clear threshold&lt;/b&gt; is masked (a score equal to
the threshold is clear, as in Earth Engine&apos;s Cloud Score+ recipe &lt;code&gt;score.gte(threshold)&lt;/code&gt;); nodata and
missing scores are never clear. The output holds, per band, the chosen statistic of the clear observations
(default: the median) as reflectance x 10000 (uint16), and a &lt;code&gt;count&lt;/code&gt; band with the number of clear
observations per pixel. Pixels with no clear observation are nodata (0).&lt;/p&gt;
&lt;h3&gt;Input folder&lt;/h3&gt;
&lt;p&gt;One GeoTIFF per scene, directly in the folder. Bands are identified by their descriptions: Earth Engine names
&lt;code&gt;B1&lt;/code&gt;..&lt;code&gt;B12&lt;/code&gt;, &lt;code&gt;B8A&lt;/code&gt; for reflectance, any other name (&lt;code&gt;cs&lt;/code&gt;,
&lt;code&gt;cs_cdf&lt;/code&gt;, &lt;code&gt;clear&lt;/code&gt;) for a QA band holding a 0..1 clear score. The acquisition time comes from
the &lt;code&gt;ACQUISITION_TIME&lt;/code&gt; tag or from an Earth Engine &lt;code&gt;system:index&lt;/code&gt; file name such as
&lt;code&gt;20230105T184749_20230105T184745_T11SKB.tif&lt;/code&gt;.&lt;/p&gt;
&lt;h3&gt;Parameters&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Extent&lt;/b&gt; (optional): area of interest, in any CRS; default the union of the scenes.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Start date&lt;/b&gt; and &lt;b&gt;end date&lt;/b&gt;: scenes acquired in [start, end), UTC days (end excluded).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;QA band&lt;/b&gt;: name of the clear score band, e.g. &lt;code&gt;cs&lt;/code&gt; or &lt;code&gt;cs_cdf&lt;/code&gt; (Cloud Score+).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Clear threshold&lt;/b&gt;: 0..1, default 0.60; 0.50..0.65 works well; higher also removes haze and thin cloud.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Resolution&lt;/b&gt; (optional): output pixel size in metres; default the scenes&apos; own (no resampling).&lt;/li&gt;
</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="85"/>
        <source>&lt;h3&gt;Composite options&lt;/h3&gt;
&lt;ul&gt;
&lt;li&gt;&lt;b&gt;Method&lt;/b&gt; (per band, over the clear observations): 0 &lt;code&gt;median&lt;/code&gt; (default; the mean of the two
middle values for an even count), 1 &lt;code&gt;mean&lt;/code&gt;, 2 &lt;code&gt;min&lt;/code&gt;, 3 &lt;code&gt;max&lt;/code&gt;,
4 &lt;code&gt;percentiles&lt;/code&gt; (numpy&apos;s linear interpolation), 5 &lt;code&gt;best&lt;/code&gt; (best-pixel mosaic: every band
from the observation with the highest clear score; ties go to the most recent scene).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Percentiles&lt;/b&gt;: comma-separated values in 0..100 for the percentiles method; default 25,50,75 (the
Pan-European seasonal mosaic&apos;s).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Bands&lt;/b&gt;: comma-separated Sentinel-2 bands to composite, e.g. &lt;code&gt;B4,B3,B2,B8&lt;/code&gt;; default every
band all scenes have.&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Format&lt;/b&gt;: 0 GeoTIFF (tiled, DEFLATE), 1 Cloud-Optimized GeoTIFF (GDAL&apos;s COG driver: 512 px tiles and
overviews).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Compression&lt;/b&gt;: 0 DEFLATE (default; every GeoTIFF reader has it), 1 ZSTD (faster to write and read, where
GDAL was built with it; some other tools cannot read it).&lt;/li&gt;
&lt;li&gt;&lt;b&gt;Scale reflectance to bytes&lt;/b&gt;: store reflectance as uint8 = DN / 40 (reflectance x 250, capped at 255);
the scale 40 is recorded in each band, so GDAL and QGIS can read DN back. The count is capped at 255.&lt;/li&gt;
&lt;/ul&gt;
&lt;p&gt;Output bands are named after band and statistic (&lt;code&gt;B4_median&lt;/code&gt;, &lt;code&gt;B4_p25&lt;/code&gt;, ...), then
&lt;code&gt;count&lt;/code&gt;, the number of clear observations per pixel (the valid-observation count).&lt;/p&gt;
&lt;h3&gt;What is guaranteed&lt;/h3&gt;
&lt;p&gt;The output is written under a hidden temporary name, GDAL&apos;s write errors (a full disk) fail the run, and the
file is read back and compared before it is renamed into place: a failed or cancelled run leaves an older file of
the same name as it was. An output that is one of the input scenes is refused before the run. A grid larger than
the setting &lt;code&gt;cloudscore_composite/output_ceiling_gb&lt;/code&gt; (default 20 GB uncompressed; 0 = none) or smaller
than 4 x 4 pixels is refused (RESOLUTION, EXTENT), and so is an extent where no pixel has a score. Damaged scene
files are skipped with their name and GDAL&apos;s reason (also in the &lt;code&gt;CLOUDSCORE_SKIPPED_SCENES&lt;/code&gt; tag).&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="131"/>
        <source>Output compression</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/algorithms/composite_options.py" line="131"/>
        <source>ZSTD (faster)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="36"/>
        <source>CRS of the composite (projected, in metres). Not set: the CRS most scenes share for a folder; for Earth Engine the UTM zone of the AOI&apos;s centre (as the Processing algorithm).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="30"/>
        <source>Cloud Storage bucket the export writes its files to (under cloudscore_composite/); the account of your Earth Engine credentials needs write and read access to it. The files stay in the bucket (storage is billed): delete them or give the bucket a lifecycle rule. Shown for Export to Cloud Storage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>Relative orbit (SENSING_ORBIT_NUMBER); empty when unknown. Tiles of one orbit and datatake are one acquisition, counted once; with Orbits set to per orbit, each orbit is composited on its own and the orbits are blended at the seams.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>Share of the scene&apos;s scored pixels inside the AOI that are clear (score &gt;= threshold) at the current QA band and threshold; read from the scores, updated as the threshold moves.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>Whether the scene has the QA band (a clear score). Scenes without one are skipped, never silently masked.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scenes_panel.py" line="19"/>
        <source> Clear fractions unknown: Earth Engine&apos;s servers composited, no score was downloaded (a run on this computer downloads them).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_hints.py" line="43"/>
        <source>Latitudes (y) must lie within -90..90 in {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_hints.py" line="44"/>
        <source>Latitudes (y) must lie within -90..90 in {0}: latitude and longitude look swapped: did you mean {1}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_hints.py" line="48"/>
        <source>The bounds touch no scene; latitude and longitude look swapped: did you mean {0}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/aoi_hints.py" line="53"/>
        <source>The bounds touch none of the %n scene(s) of the source: check them and their CRS.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../plugin/dock/aoi_hints.py" line="96"/>
        <source>%n tile(s): {0}</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="399"/>
        <source>This source needs an area of interest: choose another kind than the whole area.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/aoi_panel.py" line="402"/>
        <source>The size is known after Find scenes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="58"/>
        <source>{0} {1!r}: bounding box {2} in {3}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="59"/>
        <source>pixels outside its polygons are nodata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="60"/>
        <source>{0}: {1} in {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="252"/>
        <source>Output file exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="253"/>
        <source>{0} already exists in {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="254"/>
        <source>Overwrite it (layers of the earlier result are replaced), or write this composite to {0}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="259"/>
        <source>Overwrite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="260"/>
        <source>Write to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="412"/>
        <source>Finding scenes: %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="552"/>
        <source>Compositing: %p%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/dock_widget.py" line="669"/>
        <source>{0}, {1} .. {2} (end excluded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_setup.py" line="19"/>
        <source>How to set up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_setup.py" line="20"/>
        <source>Earth Engine needs credentials: choose them in Authentication (Earth Engine settings).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_setup.py" line="21"/>
        <source>The Earth Engine credentials found cannot be used (see the log): choose others in Authentication (Earth Engine settings).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/help_viewer.py" line="17"/>
        <source>The help file {0} is missing: this copy of the plugin was not built with it (make help builds it). The same text is the plugin&apos;s README.md.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/help_viewer.py" line="43"/>
        <source>CloudScore Composite help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/help_viewer.py" line="49"/>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/help_viewer.py" line="50"/>
        <source>Back to where you were before following a link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Jan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Feb</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Mar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Apr</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>May</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Jun</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Jul</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Aug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Sep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Oct</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Nov</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="59"/>
        <source>Dec</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="232"/>
        <source>{0} · {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="301"/>
        <source>Percentiles: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="308"/>
        <source>Area of interest: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="310"/>
        <source>Bands: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="313"/>
        <source>Computed: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="319"/>
        <source>{0}, seam weights: {1}, power {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="324"/>
        <source>Orbits: {0} (relative orbits {1}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="330"/>
        <source>Grid: {0} x {1} pixels of {2:g} x {3:g} m in {4}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="335"/>
        <source>bytes (reflectance x 10000 = byte x {0})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="335"/>
        <source>{0} (reflectance x 10000)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="340"/>
        <source>Format: {0}, {1} compression, {2}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="340"/>
        <source>no</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="348"/>
        <source>Left out (unticked) ({0}): {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="360"/>
        <source>Output: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="495"/>
        <source>composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="498"/>
        <source>count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="498"/>
        <source>valid-observation count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/scene_table.py" line="27"/>
        <source>Acquisition date (the time, UTC, in each row&apos;s tooltip). Untick a scene to leave it out of the composite.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="76"/>
        <source>Computed on Earth Engine&apos;s servers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="77"/>
        <source>Computed on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/layers.py" line="78"/>
        <source>Computed by an export to Cloud Storage.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="35"/>
        <source>GeoTIFF</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="35"/>
        <source>COG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="38"/>
        <source>{0} (ZSTD)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/composite_panel.py" line="39"/>
        <source>GeoTIFF: tiled, compressed GeoTIFF. COG: Cloud Optimized GeoTIFF (with overviews), for serving or sharing. Both are DEFLATE-compressed, which every GeoTIFF reader reads; the (ZSTD) entries, offered where GDAL has ZSTD, are faster to write and read but not readable by every tool.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../plugin/dock/earthengine_setup.py" line="25"/>
        <source>Earth Engine needs a Cloud project: enter it in Cloud project.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CompositeDockContents</name>
    <message>
        <location filename="../ui/composite_dock.ui" line="14"/>
        <source>CloudScore Composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="36"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="45"/>
        <source>Scenes from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="55"/>
        <source>Where the Sentinel-2 scenes and their clear scores come from: a folder of GeoTIFFs on disk, or Earth Engine over its REST API (composited on its servers, or every scene downloaded into a local cache and composited here: see Compute).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="836"/>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="79"/>
        <source>Folder holding one GeoTIFF per Sentinel-2 scene (bands named B1..B12, B8A and a clear-score band such as cs or cs_cdf; acquisition date in an ACQUISITION_TIME tag or an Earth Engine system:index file name). Subfolders are not read.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="82"/>
        <source>Folder of Sentinel-2 scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="89"/>
        <source>What the folder holds: the number of scenes and their dates, or why none could be used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="92"/>
        <source>Choose a folder of scenes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="112"/>
        <source>Collection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="122"/>
        <source>Earth Engine image collection of the Sentinel-2 scenes: COPERNICUS/S2_SR_HARMONIZED (L2A, surface reflectance) or COPERNICUS/S2_HARMONIZED (L1C, top of atmosphere). Scores come from GOOGLE/CLOUD_SCORE_PLUS/V1/S2_HARMONIZED (QA bands cs and cs_cdf). The cache folder, requests in flight, size ceiling and stored secret are the Earth Engine settings of the Processing algorithm.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="129"/>
        <source>Cloud project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="139"/>
        <source>Google Cloud project registered for Earth Engine, billed for the requests (X-Goog-User-Project). Empty: the project of your Earth Engine credentials.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="142"/>
        <source>[from the credentials]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="156"/>
        <source>Dates and area</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="165"/>
        <source>Start date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="175"/>
        <source>First acquisition day to use (UTC, included).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="208"/>
        <source>yyyy-MM-dd</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="195"/>
        <source>End date (excl.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="205"/>
        <source>Day after the last acquisition day to use (UTC, excluded): scenes acquired in [start, end) are composited. Must be after the start date.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="225"/>
        <source>Area (AOI)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="235"/>
        <source>How the area of interest (AOI) is given: the whole area of the scenes, the map canvas extent, a rectangle drawn on the map, the polygons of a layer (pixels outside them are nodata) or typed bounds with a CRS. The AOI is outlined on the map.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="258"/>
        <source>The composite covers every scene found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="261"/>
        <source>The whole area of the scenes found.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="290"/>
        <source>Take the map canvas&apos;s current extent as the AOI (it is taken when you choose this option or press this button, not while you pan).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="293"/>
        <source>Use the current map extent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="316"/>
        <source>Drag a rectangle on the map canvas; it becomes the AOI.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="319"/>
        <source>Draw a rectangle on the map</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="345"/>
        <source>Polygon layer whose features are the AOI: the composite covers their bounding box and pixels outside the polygons are nodata. Any CRS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="352"/>
        <source>Use only the layer&apos;s selected features.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="355"/>
        <source>Selected features only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="378"/>
        <source>AOI bounds as xmin, ymin, xmax, ymax in the CRS below (e.g. 14.55, 45.86, 14.56, 45.87 in EPSG:4326).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="381"/>
        <source>xmin, ymin, xmax, ymax</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="388"/>
        <source>CRS of the typed bounds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="399"/>
        <source>Resolution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="409"/>
        <source>Pixel size of the composite in metres. At the minimum (shown as &quot;scenes&apos; own&quot;), the scenes&apos; own resolution (10 m for Sentinel-2&apos;s finest bands).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="412"/>
        <source> m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="427"/>
        <source>scenes&apos; own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="434"/>
        <source>Output CRS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="444"/>
        <source>CRS of the composite (projected, in metres). Not set: the CRS most scenes share for a folder; for Earth Engine the UTM zone of the AOI&apos;s centre (as the Processing algorithm).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="451"/>
        <source>Size of the AOI on the ground and in pixels at the resolution above.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="493"/>
        <source>Cloud mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="502"/>
        <source>QA band</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="512"/>
        <source>Band holding the per-pixel clear score, 0 (occluded) to 1 (clear): cs or cs_cdf for Cloud Score+. Lists the QA bands the source offers.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="522"/>
        <source>Clear threshold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="534"/>
        <source>A pixel is clear, and kept, where its score is at least this value (0..1). 0.50..0.65 works well; higher values also remove haze, thin cloud and cirrus shadow but keep fewer pixels. Moving it updates the scene table and the mask preview at once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="562"/>
        <source>Clear threshold, 0..1: a pixel is clear where score &gt;= threshold. Default 0.60 (Earth Engine&apos;s Cloud Score+ example); the clear button restores it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="586"/>
        <source>Scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="594"/>
        <source>Search the source for scenes in the dates over the AOI and read their clear scores inside the AOI (in the background).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="597"/>
        <source>Find scenes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="604"/>
        <source>Show the selected scene&apos;s clear mask at the current threshold on the map (green clear, red not clear), as a temporary layer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="607"/>
        <source>Preview mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="619"/>
        <source>Scenes found: untick a scene to leave it out of the composite. Click a header to sort; select a row to preview its mask. &quot;Clear in AOI&quot; is the share of the scene&apos;s scored pixels in the AOI that are clear at the current QA band and threshold.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="638"/>
        <source>What the search found, or why it found nothing; for Earth Engine, what each engine would download (on its servers: the composite only; on this computer: every scene and its score).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="667"/>
        <source>Composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="676"/>
        <source>Compute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="686"/>
        <source>Where the composite is computed. On Earth Engine&apos;s servers: only the composite is downloaded (uint16); it costs EECU time from the Cloud project&apos;s quota and needs the permission earthengine.computations.create; no per-scene clear fractions come back. On this computer: every scene&apos;s bands and score are downloaded into the tile cache and composited here; another threshold or method then downloads nothing. Export to Cloud Storage: for large areas, a batch task writes the composite to your bucket (below), then it is downloaded and stitched; Cancel cancels the task, closing QGIS leaves it running for the next run to pick up. Shown for sources that can compute on their servers (Earth Engine).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="693"/>
        <source>Method</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="703"/>
        <source>Per-pixel statistic of the clear observations: median (Earth Engine&apos;s recipe), mean, min, max, percentiles (below), or best (the observation with the highest clear score).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="710"/>
        <source>Percentiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="720"/>
        <source>Percentiles to compute with the percentiles method, 0..100, separated by commas (the Pan-European seasonal mosaics use 25, 50, 75).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="730"/>
        <source>Bands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="740"/>
        <source>Sentinel-2 bands to composite. None ticked: every band all the scenes have.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="747"/>
        <source>Format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="757"/>
        <source>GTiff: tiled, compressed GeoTIFF. COG: Cloud Optimized GeoTIFF (with overviews), for serving or sharing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="764"/>
        <source>Write bytes (0..255) instead of reflectance x 10000 (uint16): a quarter of the size, for display only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="767"/>
        <source>Scale to bytes (display only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="774"/>
        <source>With several statistics (percentiles), also add one RGB layer per statistic to the result group (hidden at first).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="777"/>
        <source>Add a layer per percentile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="784"/>
        <source>Orbits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="794"/>
        <source>All scenes together: one composite of every acquisition (over several relative orbits it shows seams along the orbits). Per orbit, blended at the seams: each relative orbit (SENSING_ORBIT_NUMBER) is composited on its own, then the orbit composites are blended with weights that fall to zero at each orbit&apos;s swath edge, so no seam remains; computed on this computer only. Either way, tiles of one acquisition (overlapping MGRS tiles) count once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="827"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="846"/>
        <source>Folder to write the composite in. Empty: QGIS&apos;s temporary folder (the file is lost when QGIS closes).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="849"/>
        <source>Folder for the composite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="856"/>
        <source>File name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="866"/>
        <source>Name of the GeoTIFF (.tif added when missing). Empty: composite_&lt;start&gt;_&lt;end&gt;_&lt;random&gt;.tif.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="869"/>
        <source>[composite_&lt;dates&gt;.tif]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="927"/>
        <source>Progress of the running task.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="937"/>
        <source>Composite the ticked scenes in the background and add the result to the project. QGIS stays usable meanwhile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="940"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="950"/>
        <source>Stop the running task; no output file is written (downloads already made are kept).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="953"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="965"/>
        <source>Current stage and time left while a task runs; the outcome of the last run after.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="879"/>
        <source>Display</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="888"/>
        <source>Show as</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="898"/>
        <source>Band combination of the composite&apos;s RGB layers (stretched 0..2500 reflectance DN). Changing it restyles the last result.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="983"/>
        <source>Put every field back to its default (the scene table and the AOI are cleared).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="986"/>
        <source>Reset to defaults</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="1009"/>
        <source>Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="30"/>
        <source>Where the scenes come from, their dates and the area of interest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="487"/>
        <source>The QA band and clear threshold, the scenes found and their clear fractions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="661"/>
        <source>How the scenes are combined: engine, method, bands, orbits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="821"/>
        <source>Where the composite is written and how it is shown.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/composite_dock.ui" line="1006"/>
        <source>Open the plugin&apos;s help at the dock&apos;s section, in a window of its own.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
