"""Chat completions from any OpenAI-compatible server through the official ``openai`` client.

``base_url`` points it at OpenAI itself or at a vLLM, Ollama or llama.cpp server. Retries
with exponential backoff (timeouts, connection errors, 429 and 5xx) are the client's own,
``max_retries`` times. The ``openai`` package is the optional ``[openai]`` extra: it is
imported on the first request, never at start-up.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from ...exceptions import BackendUnavailable, ConfigurationError, GenerationError
from ..types import Generation, GenerationRequest

OPENAI_EXTRA_HINT = "pip install 'django-oscar-ai-crm[openai]'"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})
#: Sent to a local server when no key is configured (such servers do not check it, the
#: client refuses to start without one).
LOCAL_API_KEY = "local-server"


def is_local_url(url: str) -> bool:
    """True when ``url`` points at this machine (a local vLLM / Ollama / llama.cpp server)."""
    host = urlsplit(url).hostname or ""
    return host.lower() in LOCAL_HOSTS or host.endswith(".localhost")


class OpenAIBackend:
    """An OpenAI-compatible chat-completions backend.

    Parameters
    ----------
    model : the model name the server knows ("gpt-4o-mini", "llama3.1:8b", ...).
    base_url : the API root (".../v1"); None: ``OPENAI_BASE_URL``, else OpenAI's.
    api_key : None: ``OPENAI_API_KEY``; a local server without one gets a placeholder.
    timeout : seconds per attempt.
    max_retries : retries after the first attempt, with the client's exponential backoff.
    external : whether requests leave this server (customer data is then redacted unless
        ``PRIVACY["SEND_PII_TO_EXTERNAL_LLM"]``); ``None`` decides from ``base_url``: a
        loopback address (localhost, 127.0.0.1, ::1) is local, anything else external.
    """

    name = "openai"

    def __init__(
        self,
        *,
        model: str = "gpt-4o-mini",
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 30,
        max_retries: int = 2,
        external: bool | None = None,
    ) -> None:
        if not isinstance(model, str) or not model:
            raise ConfigurationError(f"model must be a non-empty string, not {model!r}.")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError(f"timeout must be a positive number of seconds: {timeout!r}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0: {max_retries!r}")
        self.model = model
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.timeout = float(timeout)
        self.max_retries = max_retries
        # None: requests leave this server unless base_url is a loopback address.
        self.external = not is_local_url(self.base_url) if external is None else bool(external)
        self._api_key = api_key or os.environ.get("OPENAI_API_KEY")
        self._client: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<OpenAIBackend model={self.model!r} base_url={self.base_url!r}>"

    def client(self) -> Any:
        """The ``openai.OpenAI`` client, created on first use (thread-safe, shared)."""
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
        return self._client

    def _make_client(self) -> Any:
        try:
            import openai
        except ImportError as exc:
            raise BackendUnavailable(
                f"The openai backend needs the openai package: {OPENAI_EXTRA_HINT} ({exc})"
            ) from exc
        api_key = self._api_key or (None if self.external else LOCAL_API_KEY)
        if api_key is None:
            raise BackendUnavailable(
                f"No API key for {self.base_url}: set OPTIONS['api_key'] of the openai "
                "backend or the OPENAI_API_KEY environment variable."
            )
        return openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )

    def generate(self, request: GenerationRequest) -> Generation:
        """Send the chat messages; the reply's first choice becomes the text."""
        client = self.client()  # BackendUnavailable without the package or a key
        import openai

        try:
            response = client.chat.completions.create(
                model=self.model,
                messages=[{"role": m.role, "content": m.content} for m in request.messages],
                max_tokens=request.max_tokens,
                temperature=request.temperature,
            )
        except openai.OpenAIError as exc:
            raise GenerationError(
                f"{self._where()} failed ({self.max_retries} retries allowed): {_describe(exc)}"
            ) from exc
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "").strip() if choice else ""
        if not text:
            reason = getattr(choice, "finish_reason", None)
            raise GenerationError(f"{self._where()} returned an empty reply (finish: {reason}).")
        usage = response.usage
        return Generation(
            text=text,
            backend=self.name,
            model=response.model or self.model,
            prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
        )

    def _where(self) -> str:
        return f"OpenAI-compatible server {self.base_url} (model {self.model!r})"


def _describe(exc: Exception) -> str:
    """The API error in one line: HTTP status and the server's message, or the failure kind."""
    status = getattr(exc, "status_code", None)
    kind = f"HTTP {status}" if status else type(exc).__name__
    return f"{kind} - {getattr(exc, 'message', None) or exc}"
