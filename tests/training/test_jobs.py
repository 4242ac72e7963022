"""The job manager without HTTP: life cycle, queue bounds, cancel, event log, subscribers, hooks."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from app.data.synthetic import make_synthetic
from app.optim.registry import get_optimizer
from app.training.job import Job, JobEvent, JobNotFound, JobPlan, NotCancellable, QueueFull
from app.training.jobs import JobManager
from app.training.runs import RunConfig
from app.training.snapshot import JobSnapshot

DATA = make_synthetic()
WAIT = 60.0  # seconds: an upper bound on waits, never a timing assertion


def config(optimizer: str, impl: str = "book", **hp: float) -> RunConfig:
    return RunConfig(optimizer, impl, get_optimizer(optimizer).resolve(hp, impl, "training"))


def plan(*runs: RunConfig, batch_size: int = 10, epochs: int = 2, seed: int = 0) -> JobPlan:
    runs = runs or (config("adagrad"), config("rmsprop"))
    return JobPlan(
        dataset=DATA,
        runs=list(runs),
        batch_size=batch_size,
        epochs=epochs,
        seed=seed,
        device_requested="cpu",
        device="cpu",
    )


def long_plan() -> JobPlan:
    """150,000 steps of two torch runs: far longer than any test lets it go on."""
    return plan(config("rmsprop", "torch"), config("adam", "torch"), batch_size=1, epochs=100)


def until_running(manager: JobManager, job: Job) -> None:
    for _ in range(int(WAIT / 0.005)):
        if manager.snapshot(job.id).status != "queued":
            return
        time.sleep(0.005)
    raise AssertionError("the job never started")


@pytest.fixture
def manager() -> Iterator[JobManager]:
    jobs = JobManager(max_concurrent=1, max_queued=2, max_kept=3)
    jobs.start()
    yield jobs
    jobs.stop()


def names(events: list[JobEvent]) -> list[str]:
    return [e.name for e in events]


# --- life cycle -----------------------------------------------------------------------------


def test_a_job_runs_to_done_with_its_full_event_log(manager: JobManager) -> None:
    job = manager.submit(plan(config("adagrad"), config("rmsprop"), config("sgd", eta=5.0)))
    assert manager.wait(job.id, WAIT)
    record = manager.snapshot(job.id).to_json()
    assert record["status"] == "done" and record["progress"] == 1.0 and record["error"] is None
    assert record["device"] == "cpu" and record["points"] == 31 and record["steps"] == 300
    adagrad, rmsprop, sgd = record["runs"]
    assert adagrad["status"] == rmsprop["status"] == "done" and sgd["status"] == "diverged"
    assert len(adagrad["losses"]) == len(adagrad["epochs"]) == adagrad["points"] == 31
    assert adagrad["final_loss"] == adagrad["losses"][-1] and adagrad["summary"].startswith("loss: ")
    assert sgd["final_loss"] is None and sgd["diverged_at"] is not None

    events = job.events
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert names(events)[:2] == ["job", "status"] and names(events)[-1] == "end"
    assert names(events).count("run") == 3
    assert events[-1].data["status"] == "done" and record["last_event_id"] == len(events)
    # The progress events carry every point exactly once, per run.
    streamed: list[list[float]] = [[], [], []]
    for event in events:
        if event.name == "progress":
            for i, run in enumerate(event.data["runs"]):
                assert len(run["epochs"]) == len(run["losses"])
                streamed[i] += run["losses"]
    assert streamed == [run["losses"] for run in record["runs"]]
    # A run's end is announced after its last point.
    sgd_end = next(e for e in events if e.name == "run" and e.data["index"] == 2)
    assert sgd_end.data["status"] == "diverged"
    assert all(e.name != "progress" or not e.data["runs"][2]["losses"] for e in events[sgd_end.id :])


def test_the_event_log_is_bounded_by_the_points() -> None:
    jobs = JobManager(max_concurrent=1, max_queued=0)
    jobs.start()
    try:
        job = jobs.submit(plan(config("rmsprop"), epochs=40))  # 601 points per run
        assert jobs.wait(job.id, WAIT)
    finally:
        jobs.stop()
    progress = [e for e in job.events if e.name == "progress"]
    assert sum(len(e.data["runs"][0]["losses"]) for e in progress) == 601
    assert len(progress) < 601 / 2  # several points per event
    assert len(job.events) <= 601 + 3


def test_training_happens_on_worker_threads_and_listeners_see_every_state(manager: JobManager) -> None:
    seen: list[tuple[str, str, int]] = []

    def listener(snapshot: JobSnapshot) -> None:
        points = sum(len((run.curve or {})["losses"]) for run in snapshot.runs)
        seen.append((snapshot.status, threading.current_thread().name, points))

    manager.add_listener(listener)
    job = manager.submit(plan())
    assert manager.wait(job.id, WAIT)
    assert [status for status, _, _ in seen] == ["queued", "running", "done"]
    assert seen[1][1].startswith("optlab-job-")  # the work is on a worker, not the caller's thread
    assert seen[2][2] == 2 * 31  # the final record carries the curves


def test_a_failing_listener_does_not_break_the_job(manager: JobManager) -> None:
    def broken(snapshot: JobSnapshot) -> None:
        raise RuntimeError("store is down")

    manager.add_listener(broken)
    job = manager.submit(plan())
    assert manager.wait(job.id, WAIT)
    assert manager.snapshot(job.id).status == "done"


# --- cancel, queue bounds, stop -------------------------------------------------------------


def test_cancelling_a_running_job(manager: JobManager) -> None:
    job = manager.submit(long_plan())
    until_running(manager, job)
    manager.cancel(job.id)
    assert manager.wait(job.id, WAIT)
    record = manager.snapshot(job.id).to_json()
    assert record["status"] == "cancelled" and record["progress"] < 1
    assert [run["status"] for run in record["runs"]] == ["cancelled", "cancelled"]
    assert job.events[-1].name == "end" and job.events[-1].data["status"] == "cancelled"
    with pytest.raises(NotCancellable, match="already ended"):
        manager.cancel(job.id)


def test_cancelling_a_queued_job_ends_it_at_once(manager: JobManager) -> None:
    running = manager.submit(long_plan())
    queued = manager.submit(plan())
    manager.cancel(queued.id)
    assert manager.snapshot(queued.id).status == "cancelled"
    assert names(queued.events) == ["job", "end"]
    manager.cancel(running.id)
    assert manager.wait(running.id, WAIT)


def test_a_full_queue_refuses_with_a_retry_delay(manager: JobManager) -> None:
    jobs = [manager.submit(long_plan()) for _ in range(3)]  # 1 running + 2 waiting = capacity
    with pytest.raises(QueueFull) as refused:
        manager.submit(plan())
    assert 1 <= refused.value.retry_after <= 60 and "queue is full" in str(refused.value)
    assert manager.stats()["queued"] + manager.stats()["running"] == 3
    for job in jobs:
        manager.cancel(job.id)
    manager.submit(plan())  # room again


def test_stopping_the_server_interrupts_unfinished_jobs_and_tells_the_listeners() -> None:
    heard: list[tuple[str, str]] = []
    jobs = JobManager(max_concurrent=1, max_queued=5, listeners=[lambda s: heard.append((s.id, s.status))])
    jobs.start()
    running, waiting = jobs.submit(long_plan()), jobs.submit(plan())
    until_running(jobs, running)
    jobs.stop()
    for job in (running, waiting):
        assert job.status == "interrupted" and (job.id, "interrupted") in heard
        assert job.events[-1].data["status"] == "interrupted"
    assert {run.status for run in running.runs} == {"interrupted"}
    assert jobs.stats()["workers"] == 0


def test_finished_jobs_are_kept_newest_first_within_the_limit(manager: JobManager) -> None:
    ids = []
    for seed in range(4):
        job = manager.submit(plan(config("rmsprop"), seed=seed))
        assert manager.wait(job.id, WAIT)
        ids.append(job.id)
    assert [job.id for job in manager.jobs()] == ids[::-1][:3]
    with pytest.raises(JobNotFound):
        manager.get(ids[0])


# --- subscribers ----------------------------------------------------------------------------


async def collect(manager: JobManager, job_id: str, after: int = 0, stop_after: int | None = None) -> list[JobEvent]:
    """Read like the SSE endpoint does, optionally dropping the connection after some events."""
    subscription = manager.subscribe(job_id, after)
    got: list[JobEvent] = []
    try:
        while True:
            events, complete = subscription.take()
            for event in events:
                got.append(event)
                if stop_after is not None and len(got) >= stop_after:
                    return got
            if complete:
                return got
            await subscription.wait(1.0)
    finally:
        subscription.close()


def test_several_live_subscribers_each_get_the_whole_log_once(manager: JobManager) -> None:
    job = manager.submit(plan(config("rmsprop"), batch_size=1, epochs=3))

    async def three() -> list[list[JobEvent]]:
        return list(
            await asyncio.gather(collect(manager, job.id), collect(manager, job.id), collect(manager, job.id, after=5))
        )

    first, second, late = asyncio.run(three())
    assert manager.wait(job.id, WAIT)
    assert first == second == job.events
    assert late == job.events[5:]
    assert manager.stats()["subscribers"] == 0


def test_a_reconnect_gets_exactly_the_missed_events(manager: JobManager) -> None:
    job = manager.submit(plan(config("rmsprop"), config("adagrad", "torch"), batch_size=1, epochs=3))

    async def drop_and_resume() -> tuple[list[JobEvent], list[JobEvent]]:
        before = await collect(manager, job.id, stop_after=7)  # the connection drops here
        after = await collect(manager, job.id, after=before[-1].id)  # Last-Event-ID: 7
        return before, after

    before, after = asyncio.run(drop_and_resume())
    assert manager.wait(job.id, WAIT)
    assert [e.id for e in before] == list(range(1, 8))
    assert before + after == job.events  # nothing lost, nothing twice
    assert manager.stats()["subscribers"] == 0


def test_a_late_subscriber_gets_the_history_of_an_ended_job(manager: JobManager) -> None:
    job = manager.submit(plan())
    assert manager.wait(job.id, WAIT)
    assert asyncio.run(collect(manager, job.id)) == job.events
    assert asyncio.run(collect(manager, job.id, after=len(job.events))) == []


def test_a_crash_in_training_fails_the_job(manager: JobManager, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("out of memory on the device")

    monkeypatch.setattr("app.training.worker.Trainer", broken)
    job = manager.submit(plan())
    assert manager.wait(job.id, WAIT)
    record = manager.snapshot(job.id).to_json()
    assert record["status"] == "failed" and "out of memory on the device" in record["error"]
    assert {run["status"] for run in record["runs"]} == {"failed"}
    assert job.events[-1].name == "end" and job.events[-1].data["error"] == record["error"]
    monkeypatch.undo()
    ok = manager.submit(plan())  # the worker survived
    assert manager.wait(ok.id, WAIT) and manager.snapshot(ok.id).status == "done"
