"""A multipart upload of any size made up as the server reads it, for the tests that an upload
past its limit is refused before it is read (config/uploads.py)."""

BOUNDARY = "BoUnDaRy"


class StreamedBody:
    """A multipart body of `size` bytes (nothing held in memory): `fields` as form fields, then
    one file part (`file_field`, `filename`, `content_type`) of `fill` bytes up to the closing
    boundary. Counts what the server reads in `read_bytes`."""

    def __init__(self, size: int, *, fields: dict[str, str], file_field: str, filename: str,
                 content_type: str, fill: bytes = b"\0"):
        parts = "".join(f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
                        f"\r\n{value}\r\n" for name, value in fields.items())
        self.head = (parts + f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
                     f"name=\"{file_field}\"; filename=\"{filename}\"\r\n"
                     f"Content-Type: {content_type}\r\n\r\n").encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size, self.fill, self.read_bytes = size, fill, 0

    def read(self, n=-1):
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        out = bytearray(self.fill * n)
        for i, byte in enumerate(self.head[start:start + n]):
            out[i] = byte
        tail_from = self.size - len(self.tail)
        for pos in range(max(start, tail_from), start + n):
            out[pos - start] = self.tail[pos - tail_from]
        return bytes(out)

    def readline(self, n=-1):
        return self.read(n)


def post_streamed(client, path: str, body: StreamedBody, **meta):
    """POST `body` to `path` through the test client, declaring its whole length."""
    return client.request(**{
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "wsgi.input": body,
        "CONTENT_LENGTH": str(body.size),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", **meta})
