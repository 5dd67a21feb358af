"""Find and put back task messages a dead worker took from Redis and never started.

With ``acks_late`` a message stays in kombu's ``unacked`` hash from its delivery until its task
returns. When a worker is killed as a whole, what it had taken waits there until the broker's
visibility timeout (an hour, longer than any task) before Redis hands it out again. Running
jobs are taken back sooner by the job service (their worker stopped beating); this module
covers the rest: messages delivered long ago whose job was never claimed. The caller decides
which of them are stranded (it knows the jobs); this module lists and restores them through
kombu's own channel, so the message goes back to its queue exactly as kombu itself would.

kombu is synchronous: call these from a thread.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from kombu import Connection


@dataclass(frozen=True)
class Delivery:
    tag: str
    task_id: str
    delivered_seconds_ago: float


def stale_deliveries(broker_url: str, *, older_than_seconds: float, limit: int = 100) -> list[Delivery]:
    """Unacknowledged task messages delivered more than ``older_than_seconds`` ago."""
    with Connection(broker_url, connect_timeout=2) as conn:
        channel = conn.default_channel
        client = channel.client
        now = time.time()
        rows = client.zrange(
            channel.unacked_index_key,
            0,
            now - older_than_seconds,
            byscore=True,
            offset=0,
            num=limit,
            withscores=True,
        )
        found = []
        for tag, score in rows:
            raw = client.hget(channel.unacked_key, tag)
            if raw is None:
                continue
            try:
                payload = json.loads(raw)[0]
                task_id = str(payload["headers"]["id"])
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            tag_text = tag.decode() if isinstance(tag, bytes) else str(tag)
            found.append(Delivery(tag_text, task_id, now - float(score)))
        return found


def restore(broker_url: str, tags: list[str]) -> None:
    """Put these unacknowledged messages back on their queues (kombu's own restore)."""
    if not tags:
        return
    with Connection(broker_url, connect_timeout=2) as conn:
        qos = conn.default_channel.qos
        for tag in tags:
            qos.restore_by_tag(tag, leftmost=True)
