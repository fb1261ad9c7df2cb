"""kombu's filesystem transport (the embedded broker of `make run`), with atomic publishing.

kombu's own `_put` creates the message file and writes into it afterwards. A consumer polling
the folder (every 20 ms here) can move and read the file in between, get an empty payload, and
its consumer loop dies with a JSONDecodeError: seen in the demo-serving smoke test, where the
worker stopped and its jobs were never run. Here a message is written under a name the consumer
ignores and renamed into place, which is atomic on POSIX file systems.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"  # "<stamp>_<uuid>.<queue>.msg.part": not a queue's file
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
