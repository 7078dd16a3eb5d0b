"""Backends configured by import string in the content tests (the way shops add one)."""

from typing import Any

from oscar_ai_crm.llm.backends.openai_backend import OpenAIBackend


class RemoteChatBackend(OpenAIBackend):
    """The OpenAI backend declared external, as it is for a server on another machine.

    The fake server listens on 127.0.0.1, which the OpenAI backend rightly treats as
    local; this subclass lets the tests see what an external backend is sent.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.external = True
