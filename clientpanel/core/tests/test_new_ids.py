"""New row ids (core.ids.new_id, new_id_texts): UUID version 7, strictly increasing in a process,
unique across threads, and still increasing when the clock steps back or the counter runs out."""

from __future__ import annotations

import threading
import time
import uuid

from clientpanel.core import ids
from clientpanel.core.ids import new_id, new_id_texts


def _ms(value: uuid.UUID) -> int:
    return value.int >> 80


def test_a_new_id_is_a_version_7_uuid_stamped_with_the_millisecond(monkeypatch):
    # From a fresh start: a test that travelled in time before leaves the ids counting on from
    # its moment (they only grow), as a clock set back does.
    monkeypatch.setattr(ids, "_last_ms", 0)
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000
    assert (made.version, made.variant) == (7, uuid.RFC_4122)
    assert before <= _ms(made) <= after + 1


def test_ids_made_one_by_one_and_by_the_batch_keep_increasing():
    made = [new_id() for _ in range(500)]
    texts = new_id_texts(5000)
    made += [uuid.UUID(text) for text in texts] + [new_id() for _ in range(500)]
    assert made == sorted(made) and len(set(made)) == len(made)
    assert all(str(uuid.UUID(text)) == text and uuid.UUID(text).version == 7 for text in texts)


def test_ids_keep_increasing_when_the_clock_steps_back(monkeypatch):
    first = new_id()
    monkeypatch.setattr(ids.time, "time_ns", lambda: (_ms(first) - 5_000) * 1_000_000)  # 5 s earlier
    later = [new_id() for _ in range(10)]
    assert [first, *later] == sorted([first, *later]) and len(set(later)) == 10


def test_a_counter_about_to_run_out_moves_to_the_next_millisecond(monkeypatch):
    first = new_id()
    monkeypatch.setattr(ids.time, "time_ns", lambda: _ms(first) * 1_000_000)  # the same millisecond
    monkeypatch.setattr(ids, "_last_counter", (1 << ids._COUNTER_BITS) - 3)
    texts = new_id_texts(10)
    made = [uuid.UUID(text) for text in texts]
    assert made == sorted(made) and _ms(made[0]) == _ms(first) + 1
    assert all(value.version == 7 for value in made)


def test_threads_making_ids_at_once_never_share_one():
    made: list[uuid.UUID] = []

    def make() -> None:
        batch = [new_id() for _ in range(2000)] + [uuid.UUID(t) for t in new_id_texts(2000)]
        made.extend(batch)

    workers = [threading.Thread(target=make) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(made) == len(set(made)) == 16_000


def test_a_forked_child_makes_ids_behind_a_fresh_lock(monkeypatch):
    """A thread of the parent may hold the lock at the fork: the child's first id must not wait
    for it (os.register_at_fork runs _forget_last_stamp in the child)."""
    monkeypatch.setattr(ids, "_id_lock", ids._id_lock)  # put back after the test
    held = ids._id_lock
    held.acquire()
    try:
        ids._forget_last_stamp()  # what the child runs after a fork
        assert ids._id_lock is not held
        assert new_id().version == 7  # would wait forever behind the held lock
    finally:
        held.release()
