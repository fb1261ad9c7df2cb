"""The embedded filesystem broker publishes atomically (config/broker_fs.py).

kombu's own transport creates a message file and then writes it; a consumer polling the folder
could take the empty file in between, and the worker's consumer died with a JSONDecodeError.
Here the test process publishes while another process consumes as fast as it can: every message
arrives whole. (With kombu's own transport, `race(folder, "filesystem")`, the consumer fails with
a JSONDecodeError on this machine.)
"""

import multiprocessing

from kombu import Connection


def _connection(folder, transport: str) -> Connection:
    return Connection("filesystem://", transport=transport,
                      transport_options={"data_folder_in": str(folder),
                                         "data_folder_out": str(folder),
                                         "store_processed": False,
                                         "polling_interval": 0})  # race as hard as it can


def _consume(folder, transport, count, out):
    """In another process (truly in parallel with the publisher): take messages as fast as
    possible; report how many arrived whole, or the error."""
    try:
        with _connection(folder, transport) as conn:
            queue = conn.SimpleQueue("race")
            whole = 0
            for _ in range(count):
                message = queue.get(timeout=20)
                whole += message.payload["payload"] == "x" * len(message.payload["payload"])
                message.ack()
            out.put(("ok", whole))
    except Exception as exc:  # kombu's own transport: JSONDecodeError on an empty file
        out.put(("error", repr(exc)))


def race(folder, transport: str, count: int = 200) -> tuple[str, object]:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    consumer = ctx.Process(target=_consume, args=(folder, transport, count, out))
    consumer.start()
    with _connection(folder, transport) as conn:
        queue = conn.SimpleQueue("race")
        for i in range(count):
            queue.put({"payload": "x" * 200_000, "i": i})
        queue.close()
    result = out.get(timeout=60)
    consumer.join(10)
    return result


def test_a_consumer_racing_the_publisher_never_reads_a_partial_message(tmp_path):
    assert race(tmp_path, "config.broker_fs:Transport") == ("ok", 200)
