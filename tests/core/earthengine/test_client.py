"""Retries, backoff, Retry-After, Earth Engine's error messages and token refresh, against the local fake server."""

import logging
import math
import socket
import time

import pytest
from cloudscore_composite.plugin.core.earthengine.auth import RefreshTokenCredentials, StaticToken
from cloudscore_composite.plugin.core.earthengine.client import (
    EarthEngineClient,
    RetryPolicy,
    api_url,
    retry_after_seconds,
)
from cloudscore_composite.plugin.core.earthengine.errors import AuthError, EarthEngineError, network_failure
from cloudscore_composite.plugin.core.errors import Cancelled, InputError

from ...fake_earthengine import REFRESH_TOKEN, TOKEN
from .conftest import END, PROJECT, START, demo_aoi

SCENE_COUNT = 5
TILES_PER_ASSET = 4  # the 100 x 101 demo grid in 64-pixel tiles


def fetch_all(source, grid, bands=("B2", "B4", "cs")):
    scenes = source.search(START, END, *demo_aoi(grid))
    source.fetch(scenes, list(bands), grid)
    return scenes


def test_429_with_retry_after_then_success(server, make_source, demo_grid, sleeps):
    server.add_fault("getPixels", status=429, message="Too many concurrent requests.", headers={"Retry-After": "7"})
    source = make_source(max_workers=1)
    fetch_all(source, demo_grid)
    assert sleeps == [7.0]  # Retry-After honoured, not the jittered backoff
    assert server.count("getPixels") == SCENE_COUNT * TILES_PER_ASSET * 2 + 1
    assert source.estimate(source.search(START, END, *demo_aoi(demo_grid)), ["B2", "B4", "cs"], demo_grid).requests == 0


def test_500_storm_within_the_retry_budget_succeeds_with_exponential_backoff(server, make_source, demo_grid, sleeps):
    server.add_fault("listAssets", status=503, message="The service is currently unavailable.", times=5)
    source = make_source()
    scenes = source.search(START, END, *demo_aoi(demo_grid))
    assert len(scenes) == SCENE_COUNT
    # full jitter with random() fixed at 0.5: 0.5 * 2, 4, 8, 16, 32 seconds (exponent from 1, as googleapiclient)
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_retry_waits_follow_googleapiclient_from_two_to_thirty_two_seconds():
    # earthengine-api retries through googleapiclient/http.py _retry_request: rand() * 2**retry_num, retry_num
    # 1..5 (python/ee/_state.py EEState.max_retries = 5); with rand() = 1 the waits are the upper bounds.
    policy = RetryPolicy(random=lambda: 1.0)
    assert policy.max_retries == 5
    assert [policy.delay(retry, None) for retry in range(policy.max_retries)] == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert policy.delay(0, 7.0) == 7.0  # Retry-After wins


def test_500_storm_beyond_the_retry_budget_fails_with_the_last_message(server, make_source, demo_grid, sleeps):
    server.add_fault("getPixels", status=500, message="An internal error has occurred.", times=6)
    source = make_source(max_workers=1)
    with pytest.raises(EarthEngineError, match=r"failed after 6 attempts; last: HTTP 500: An internal error"):
        fetch_all(source, demo_grid)
    assert len(sleeps) == 5


def test_truncated_body_is_fetched_again(server, make_source, demo_grid, sleeps, tmp_path):
    server.add_fault("getPixels", truncate=True)
    server.add_fault("listAssets", truncate=True)
    source = make_source(max_workers=1)
    fetch_all(source, demo_grid)
    assert len(sleeps) == 2
    # every cached tile is whole: a second source reads them all without a request
    server.reset_log()
    again = make_source()
    assert again.estimate(again.search(START, END, *demo_aoi(demo_grid)), ["B2", "B4", "cs"], demo_grid).requests == 0


def test_an_undecodable_body_is_fetched_again(server, make_source, demo_grid, sleeps):
    server.add_fault("getPixels", garbage=True)
    server.add_fault("listAssets", garbage=True)
    source = make_source(max_workers=1)
    fetch_all(source, demo_grid)
    assert len(sleeps) == 2
    assert server.count("getPixels") == SCENE_COUNT * TILES_PER_ASSET * 2 + 1


def test_rate_limit_403_is_retried_but_a_permission_403_is_not(server, make_source, demo_grid, sleeps):
    server.add_fault(
        "listAssets",
        status=403,
        message="Quota exceeded for quota metric 'Requests per minute'.",
        reason="rateLimitExceeded",
    )
    source = make_source()
    assert len(source.search(START, END, *demo_aoi(demo_grid))) == SCENE_COUNT
    assert len(sleeps) == 1
    server.add_fault(
        "listAssets", status=403, message=f"Project 'projects/{PROJECT}' is not registered to use Earth Engine."
    )
    with pytest.raises(
        AuthError,
        match=rf"project '{PROJECT}' has no Earth Engine access .*not registered to use "
        r"Earth Engine.*register",
    ):
        make_source().search(START, END, *demo_aoi(demo_grid))
    assert len(sleeps) == 1


def test_other_4xx_fail_at_once_with_earth_engines_message(server, make_source, demo_grid, sleeps):
    source = make_source()
    client = source.client()
    with pytest.raises(EarthEngineError, match=r"HTTP 400\): Image.select: Pattern 'B99' did not match any bands"):
        client.request(
            "POST",
            "v1/projects/earthengine-public/assets/COPERNICUS/S2_HARMONIZED/"
            "20150711T100008_20150711T100008_T33TVL:getPixels",
            json={"fileFormat": "GEO_TIFF", "bandIds": ["B99"], "grid": {"dimensions": {"width": 1, "height": 1}}},
            decode=lambda response: response,
        )
    assert server.count("getPixels") == 1 and sleeps == []


def test_requests_carry_the_token_and_the_project(server, make_source, demo_grid):
    make_source().search(START, END, *demo_aoi(demo_grid))
    assert server.projects and set(server.projects) == {PROJECT}


def test_an_expired_token_is_refreshed_once(server, make_source, demo_grid, sleeps):
    credentials = RefreshTokenCredentials(
        REFRESH_TOKEN, "client-id", "client-secret", environ={"CLOUDSCORE_EE_OAUTH_URL": server.token_uri}
    )
    source = make_source(credentials=credentials, max_workers=4)
    scenes = source.search(START, END, *demo_aoi(demo_grid))
    assert server.count("token") == 1
    server.expire_tokens()
    source.fetch(scenes, ["B4", "cs"], demo_grid)
    assert server.count("token") == 2  # one refresh, shared by the requests in flight
    assert sleeps == []


def test_a_token_that_cannot_be_refreshed_names_where_it_came_from(server, make_source, demo_grid):
    server.expire_tokens()
    with pytest.raises(AuthError, match=r"refused the access token from the given token \(expired or revoked"):
        make_source(credentials=StaticToken(TOKEN, "the given token")).search(START, END, *demo_aoi(demo_grid))


def test_a_refused_refresh_token_says_so(server, make_source, demo_grid):
    credentials = RefreshTokenCredentials(
        "revoked", "id", "secret", origin="my credentials file", environ={"CLOUDSCORE_EE_OAUTH_URL": server.token_uri}
    )
    with pytest.raises(
        AuthError,
        match=r"refresh token from my credentials file was refused \(Token has been "
        r"expired or revoked.\).*earthengine authenticate",
    ):
        make_source(credentials=credentials).search(START, END, *demo_aoi(demo_grid))


def test_connection_errors_are_retried_then_reported(sleeps):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = EarthEngineClient(
        StaticToken(TOKEN),
        PROJECT,
        f"http://127.0.0.1:{port}",
        RetryPolicy(max_retries=2, sleep=sleeps.append, random=lambda: 1.0, poll=math.inf),
    )
    long_filter = 'startTime >= "2023-01-01T00:00:00Z" AND ' + "x" * 4000  # a 4 KB query string
    with pytest.raises(EarthEngineError) as error:
        client.get_json(
            "v1/projects/earthengine-public/assets/COPERNICUS/S2_HARMONIZED:listAssets", params={"filter": long_filter}
        )
    assert sleeps == [2.0, 4.0]
    # One line: what was asked of which host, and what failed; never the query string.
    assert str(error.value) == (
        f"Earth Engine request GET S2_HARMONIZED:listAssets to 127.0.0.1:{port} failed "
        "after 3 attempts; last: cannot connect (Connection refused)"
    )


def test_network_failures_name_the_host_and_the_cause_in_a_few_words():
    import requests

    # requests' own text of a failed name lookup (urllib3 2.x), whole URL and object reprs included; no lookup is
    # made here (the tests never touch the internet).
    unresolved = requests.ConnectionError(
        "HTTPSConnectionPool(host='earthengine.example', port=443): Max retries exceeded with url: /v1/x?filter="
        + "a" * 4000
        + ' (Caused by NameResolutionError("<urllib3.connection.HTTPSConnection object at '
        "0x7f2c1c0>: Failed to resolve 'earthengine.example' ([Errno -2] Name or service not known)\"))"
    )
    assert network_failure(unresolved) == "host not found (Name or service not known)"
    assert network_failure(requests.ReadTimeout("x"), 300) == "no answer within 300 s"
    assert network_failure(requests.ConnectTimeout("x")) == "the connection timed out"


def test_api_url_and_retry_after_parsing():
    assert api_url(None, {}) == "https://earthengine.googleapis.com"
    assert api_url(None, {"CLOUDSCORE_EE_API_URL": "http://127.0.0.1:9/"}) == "http://127.0.0.1:9"
    assert api_url("https://x", {"CLOUDSCORE_EE_API_URL": "https://y"}) == "https://x"
    assert retry_after_seconds("12") == 12.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: go now
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None


LIST_PATH = "v1/projects/earthengine-public/assets/COPERNICUS/S2_HARMONIZED:listAssets"


def test_a_read_timeout_is_retried_then_reported(sleeps):
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        client = EarthEngineClient(
            StaticToken(TOKEN),
            PROJECT,
            f"http://127.0.0.1:{silent.getsockname()[1]}",
            RetryPolicy(max_retries=1, sleep=sleeps.append, random=lambda: 1.0, poll=math.inf),
            timeout=(5.0, 0.2),
        )
        with pytest.raises(
            EarthEngineError, match=r"to 127\.0\.0\.1:\d+ failed after 2 attempts; last: no answer within 0\.2 s$"
        ):
            client.get_json(LIST_PATH)
    assert sleeps == [2.0]


def test_a_cancel_during_a_retry_after_wait_stops_it_without_another_request(server, sleeps):
    server.add_fault("listAssets", status=429, message="Too many requests.", headers={"Retry-After": "7"})
    client = EarthEngineClient(StaticToken(TOKEN), PROJECT, server.url, RetryPolicy(sleep=sleeps.append, poll=1.0))
    with pytest.raises(Cancelled):
        client.get_json(LIST_PATH, should_stop=lambda: len(sleeps) >= 2)  # cancelled 2 s into the 7 s wait
    assert sleeps == [1.0, 1.0] and server.count("listAssets") == 1


def test_a_cancelled_fetch_does_not_wait_out_a_long_retry_after(server, make_source, demo_grid):
    waited = []

    def sleep(seconds):  # really sleeps: the fetch's worker thread must see the cancel during its wait
        waited.append(seconds)
        time.sleep(seconds)

    source = make_source(max_workers=1, retry=RetryPolicy(sleep=sleep, poll=0.05))
    scenes = source.search(START, END, *demo_aoi(demo_grid))
    server.reset_log()
    server.add_fault("getPixels", status=429, message="Too many requests.", headers={"Retry-After": "300"})
    with pytest.raises(Cancelled):
        source.fetch(scenes, ["B4"], demo_grid, is_canceled=lambda: bool(waited))
    assert server.count("getPixels") == 1 and sum(waited) < 300


def test_a_permission_403_on_an_asset_is_not_reported_as_a_project_problem(server, make_source, demo_grid):
    message = (
        "Permission 'earthengine.assets.get' denied on resource 'projects/earthengine-public/assets/"
        "COPERNICUS/S2_HARMONIZED' (or it may not exist)."
    )
    server.add_fault("listAssets", status=403, message=message)
    with pytest.raises(EarthEngineError, match=r"refused the request \(HTTP 403\): Permission 'earthengine") as caught:
        make_source().search(START, END, *demo_aoi(demo_grid))
    assert not isinstance(caught.value, AuthError)


@pytest.mark.parametrize(
    "message, reason",
    [
        ("Earth Engine API has not been used in project 123 before or it is disabled.", "SERVICE_DISABLED"),
        ("Caller does not have required permission to use project my-ee-project.", "USER_PROJECT_DENIED"),
        ("Caller does not have required permission to use project my-ee-project.", None),
    ],
)
def test_project_refusals_are_recognised_by_reason_or_message(server, make_source, demo_grid, message, reason):
    server.add_fault("listAssets", status=403, message=message, reason=reason)
    with pytest.raises(AuthError, match=rf"project '{PROJECT}' has no Earth Engine access"):
        make_source().search(START, END, *demo_aoi(demo_grid))


def test_plain_http_is_refused_unless_the_host_is_this_machine():
    for url in ("http://127.0.0.1:9", "http://localhost:8080/", "http://[::1]:8080", "https://example.com"):
        assert api_url(url, {}) == url.rstrip("/")
    for url in ("http://earthengine.googleapis.com", "http://192.168.1.5:8080", "ftp://127.0.0.1"):
        with pytest.raises(InputError, match=r"CLOUDSCORE_EE_API_URL: .*must start with https://"):
            api_url(None, {"CLOUDSCORE_EE_API_URL": url})


QUOTA_WARNING = "has exceeded the compute quota of its noncommercial tier and is in restricted mode"


def test_a_restricted_quota_status_is_logged_once_per_client(server, retry, caplog):
    # earthengine-api python/ee/data.py _handle_response_headers: 'parallelism_restricted=true' in the
    # x-earth-engine-quota-status header of any response means restricted mode; it warns.
    restricted = {"x-earth-engine-quota-status": "parallelism_restricted=true"}
    server.add_fault("listAssets", status=429, message="Too many requests.", headers=restricted, times=2)
    client = EarthEngineClient(StaticToken(TOKEN), PROJECT, server.url, retry)
    with caplog.at_level(logging.WARNING, logger="cloudscore_composite.plugin.core.earthengine.client"):
        client.get_json(LIST_PATH)
        client.get_json(LIST_PATH)
    warnings = [r for r in caplog.records if QUOTA_WARNING in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert f"project '{PROJECT}'" in warnings[0].getMessage()
    assert "x-earth-engine-quota-status: parallelism_restricted=true" in warnings[0].getMessage()
    assert TOKEN not in caplog.text


def test_an_unrestricted_quota_status_is_not_logged(server, retry, caplog):
    server.add_fault(
        "listAssets",
        status=503,
        message="Unavailable.",
        headers={"x-earth-engine-quota-status": "parallelism_restricted=false"},
    )
    client = EarthEngineClient(StaticToken(TOKEN), PROJECT, server.url, retry)
    with caplog.at_level(logging.WARNING):
        client.get_json(LIST_PATH)
    assert QUOTA_WARNING not in caplog.text
