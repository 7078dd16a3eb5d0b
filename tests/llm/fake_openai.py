"""A real OpenAI-compatible chat-completions server on 127.0.0.1, run in a thread.

Used by the backend tests, the content workflow tests and the benchmarks::

    with FakeOpenAI(reply="<p>Hello</p>") as server:
        server.fail(429)                      # the next request gets HTTP 429
        backend = OpenAIBackend(base_url=server.base_url, api_key="test", max_retries=2)
        backend.generate(request)             # retried by the client, then answered
        assert len(server.requests) == 2

``reply`` is a string or a callable ``(request body) -> str`` (e.g. echoing the prompt).
``script(...)`` queues per-request answers (:class:`Answer`: status, text, delay) used in
order before the default reply. Every request is recorded in ``requests`` (path, headers,
JSON body, the answer's status). Token usage counts whitespace-separated words.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict[str, Any]], str]


@dataclass
class Answer:
    """One scripted answer: an HTTP status (200 answers with ``text``) after ``delay`` s."""

    status: int = 200
    text: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    """A request the server got."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 0


class FakeOpenAI:
    """The server; a context manager (``start()`` / ``stop()`` also work)."""

    def __init__(self, reply: Reply = "A fine product, described by a fake model.") -> None:
        self.reply = reply
        self.delay = 0.0
        self.requests: list[Received] = []
        self._script: deque[Answer] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ---------------------------------------------------------------------

    def script(self, *answers: Answer) -> None:
        """Answer the next requests with these, in order; then the default reply."""
        with self._lock:
            self._script.extend(answers)

    def fail(self, status: int, times: int = 1, message: str = "Simulated failure") -> None:
        """The next ``times`` requests get HTTP ``status``."""
        self.script(*[Answer(status=status, text=message) for _ in range(times)])

    def chat_requests(self) -> list[dict[str, Any]]:
        """Bodies of the chat-completion requests received."""
        return [r.body for r in self.requests if r.path.endswith("/chat/completions")]

    # -- answering (server threads) ----------------------------------------------------

    def _next_answer(self) -> Answer:
        with self._lock:
            return self._script.popleft() if self._script else Answer(delay=self.delay)

    def _completion(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        prompt = " ".join(str(m.get("content", "")) for m in body.get("messages", []))
        prompt_tokens, completion_tokens = len(prompt.split()), len(text.split())
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def respond(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple:
        """(status, headers, JSON payload, delay) for one request; records it."""
        received = Received(path=path, headers=headers, body=body)
        with self._lock:
            self.requests.append(received)
        if not path.endswith("/chat/completions"):
            received.status = 404
            return 404, {}, _error(f"No route {path}", "invalid_request_error"), 0.0
        answer = self._next_answer()
        received.status = answer.status
        if answer.status != 200:
            payload = _error(answer.text or "error", "server_error")
            return answer.status, answer.headers, payload, answer.delay
        text = answer.text
        if text is None:
            text = self.reply(body) if callable(self.reply) else self.reply
        return 200, answer.headers, self._completion(body, text), answer.delay


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_raw": raw.decode("utf-8", "replace")}
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra, payload, delay = server.respond(self.path, headers, body)
            if delay:
                time.sleep(delay)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in extra.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout); nothing to answer

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    return Handler
