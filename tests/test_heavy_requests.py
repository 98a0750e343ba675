"""Limits on heavy requests (web/heavy.py) and on streamed responses (web/streaming.py)."""

import threading
import time
import uuid

import pytest

from counterclaim.web import create_app, heavy, streaming
from counterclaim.web.heavy import LocalCounter, RedisCounter
from counterclaim.web.streaming import StreamTimeLimit, Watchdog, time_limited

REDIS_URL = "redis://127.0.0.1:6379/0"


# --- the wall-clock limit on a stream -------------------------------------------------


def test_a_stream_stops_at_its_time_limit_counting_the_time_between_pieces():
    now = [0.0]
    pieces = time_limited(iter(range(100)), 10, clock=lambda: now[0])
    got = []
    with pytest.raises(StreamTimeLimit):
        for piece in pieces:
            got.append(piece)
            now[0] += 3  # the consumer (a server writing to a slow client) takes 3 s
    assert got == [0, 1, 2, 3]  # asked at 0, 3, 6, 9; at 12 the limit has passed


def test_a_stream_within_its_limit_is_whole_and_its_source_is_closed():
    closed = []

    def source():
        try:
            yield from "abc"
        finally:
            closed.append(True)

    assert "".join(time_limited(source(), 10)) == "abc" and closed == [True]


def test_the_watchdog_runs_what_is_due_and_skips_what_was_cancelled():
    dog, ran = Watchdog(), []
    dog.watch(time.monotonic() + 0.05, lambda: ran.append("due"))
    dog.watch(time.monotonic() + 0.05, lambda: ran.append("cancelled")).cancel()
    deadline = time.monotonic() + 5
    while not ran and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)
    assert ran == ["due"]


def test_a_streamed_download_ends_unfinished_at_the_limit(app, login_as, monkeypatch):
    app.config["STREAM_TIME_LIMIT"] = 0.2
    sent = []

    def slow(*_args):
        for n in range(100):
            time.sleep(0.05)
            sent.append(n)
            yield f"row {n}\n"

    from counterclaim.web.reports import routes

    monkeypatch.setattr(routes.report_formats, "render", slow)
    response = login_as("viewer").get("/reports/report.csv", buffered=False)
    assert response.status_code == 200
    with pytest.raises(StreamTimeLimit):
        for _ in response.response:
            pass
    response.close()
    assert 2 <= len(sent) <= 8  # stopped after about 0.2 s, not after 100 rows


# --- per user and per process ---------------------------------------------------------


def test_a_user_past_the_limit_gets_429_with_retry_after_and_a_clear_page(app, login_as):
    app.config["HEAVY_PER_USER"] = 1
    client, other = login_as("viewer"), login_as("viewer")
    counts = app.extensions["counterclaim.heavy"].per_user
    key = f"counterclaim:heavy:user:{client.user.id}"
    assert counts.enter(key, 1)  # a heavy request of this user's is running
    try:
        refused = client.get("/reports/report")
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "10"
        assert "Too many heavy requests" in refused.text and "try it again" in refused.text
        for heavy_path in ("/reports/report.csv", "/sql/?sql=SELECT+1", "/sql/saved/1"):
            assert client.get(heavy_path).status_code == 429, heavy_path
        assert client.get("/reports/").status_code == 200  # the scope form is not heavy
        assert client.get("/sql/").status_code == 200  # the console's form runs no query
        assert other.get("/reports/report").status_code == 200  # another user's own slot
    finally:
        counts.leave(key)
    assert client.get("/reports/report").status_code == 200


def test_a_streamed_download_holds_its_slot_until_it_is_closed(app, login_as):
    app.config["HEAVY_PER_USER"] = 1
    client = login_as("viewer")
    counts = app.extensions["counterclaim.heavy"].per_user
    key = f"counterclaim:heavy:user:{client.user.id}"
    held = client.get("/reports/report.json", buffered=False)
    assert held.status_code == 200
    assert not counts.enter(key, 1)  # still held while the body is being sent
    b"".join(held.response)
    held.close()
    assert counts.enter(key, 1)  # given back when the server closed the body
    counts.leave(key)


def test_reports_past_the_concurrency_wait_briefly_then_get_503(app, login_as, monkeypatch):
    monkeypatch.setattr(heavy, "REPORT_WAIT", 0.1)
    limits = app.extensions["counterclaim.heavy"]
    limits.reports = threading.BoundedSemaphore(1)
    client = login_as("viewer")
    assert limits.reports.acquire(blocking=False)  # another report is being made
    try:
        refused = client.get("/reports/report.csv")
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
        assert "Reports are busy" in refused.text
    finally:
        limits.reports.release()
    with client.get("/reports/report.csv") as download:
        assert download.status_code == 200 and download.text.startswith("link_id,")
    assert limits.reports.acquire(blocking=False)  # and the download gave its turn back
    limits.reports.release()


@pytest.mark.parametrize(
    ("name", "value"),
    [("STREAM_TIME_LIMIT", "soon"), ("STREAM_TIME_LIMIT", "0"), ("HEAVY_PER_USER", "0"),
     ("HEAVY_PER_USER", "1.5"), ("REPORT_CONCURRENCY", "-1"), ("STREAM_TIME_LIMIT", "nan")],
)  # fmt: skip
def test_a_bad_setting_is_refused_at_start_naming_it(name, value, tmp_path):
    with pytest.raises(ValueError, match=f"COUNTERCLAIM_{name} must be"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", name: value})


def test_the_local_counter_never_goes_past_its_limit_under_threads():
    counter, taken = LocalCounter(), []
    barrier = threading.Barrier(16)

    def take():
        barrier.wait()
        taken.append(counter.enter("k", 3))

    threads = [threading.Thread(target=take) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taken.count(True) == 3
    for _ in range(3):
        counter.leave("k")
    assert counter.enter("k", 1)


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")


def test_the_redis_counter_holds_across_processes_and_expires():
    _redis_or_skip()
    key = f"counterclaim:test:{uuid.uuid4().hex}"
    one, two = RedisCounter(REDIS_URL, ttl=60), RedisCounter(REDIS_URL, ttl=60)  # two workers
    assert one.enter(key, 2) and two.enter(key, 2)
    assert not one.enter(key, 2) and not two.enter(key, 2)
    one.leave(key)
    assert two.enter(key, 2)
    one.leave(key), two.leave(key), two.leave(key), two.leave(key)  # never below zero
    assert one.enter(key, 1) and not two.enter(key, 1)
    short = RedisCounter(REDIS_URL, ttl=1)  # a worker killed mid-request: the count expires
    other = f"{key}:expiry"
    assert short.enter(other, 1) and not short.enter(other, 1)
    time.sleep(2.1)
    assert short.enter(other, 1)
    one._redis.delete(key, other)


def test_an_unreachable_redis_falls_back_to_this_process():
    counter = RedisCounter("redis://127.0.0.1:1/0", ttl=60)
    assert counter.enter("k", 1) and not counter.enter("k", 1)
    counter.leave("k")
    assert counter.enter("k", 1)


def test_a_shared_storage_uri_shares_the_per_user_count(tmp_path):
    _redis_or_skip()
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "RATELIMIT_STORAGE_URI": REDIS_URL}
    )
    assert isinstance(app.extensions["counterclaim.heavy"].per_user, RedisCounter)
    assert streaming.GRACE <= 1.0


def test_the_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNTERCLAIM_STREAM_TIME_LIMIT", "42.5")
    monkeypatch.setenv("COUNTERCLAIM_HEAVY_PER_USER", "3")
    monkeypatch.setenv("COUNTERCLAIM_REPORT_CONCURRENCY", "4")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert (app.config["STREAM_TIME_LIMIT"], app.config["HEAVY_PER_USER"]) == (42.5, 3)
    assert app.config["REPORT_CONCURRENCY"] == 4
    reports = app.extensions["counterclaim.heavy"].reports
    assert all(reports.acquire(blocking=False) for _ in range(4))
    assert not reports.acquire(blocking=False)
