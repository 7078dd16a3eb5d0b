"""Text from a local Hugging Face causal language model (the optional ``[local]`` extra).

The model and its tokenizer are loaded on first use, once per worker process (shared by
every backend instance naming the same model and device), from a local directory or a
name already in the Hugging Face cache: with ``local_files_only`` nothing is downloaded.
torch and transformers are imported only here, inside functions.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from ...exceptions import BackendUnavailable, ConfigurationError, GenerationError
from ..types import Generation, GenerationRequest, Message

LOCAL_EXTRA_HINT = "pip install 'django-oscar-ai-crm[local]'"
DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


@dataclass
class LoadedModel:
    """A tokenizer and model on a device; ``lock`` serialises generation on it."""

    tokenizer: Any
    model: Any
    device: str
    lock: threading.Lock = field(default_factory=threading.Lock)


_loaded: dict[tuple[str, str], LoadedModel] = {}
_load_lock = threading.Lock()


def _import_torch_transformers() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise BackendUnavailable(
            f"The transformers backend needs torch and transformers: {LOCAL_EXTRA_HINT} ({exc})"
        ) from exc
    return torch, transformers


def resolve_device(device: str) -> str:
    """ "auto" -> "cuda" when a CUDA GPU is present, else "cpu"; other values unchanged."""
    if device != "auto":
        return device
    torch, _ = _import_torch_transformers()
    return "cuda" if torch.cuda.is_available() else "cpu"


def load_model(name: str, device: str, local_files_only: bool = True) -> LoadedModel:
    """The model ``name`` on ``device``, loaded on the first call in this process."""
    key = (name, device)
    with _load_lock:
        if key not in _loaded:
            _loaded[key] = _load(name, device, local_files_only)
        return _loaded[key]


def _load(name: str, device: str, local_files_only: bool) -> LoadedModel:
    _, transformers = _import_torch_transformers()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(
            name, local_files_only=local_files_only
        )
        model = transformers.AutoModelForCausalLM.from_pretrained(
            name, local_files_only=local_files_only
        )
    except (OSError, ValueError) as exc:
        raise BackendUnavailable(
            f"The transformers backend cannot load the model {name!r}"
            f"{' (downloads are off)' if local_files_only else ''}: give OPTIONS['model'] a "
            "local directory holding the model and its tokenizer, or the name of a model "
            f"already in the Hugging Face cache. ({exc})"
        ) from exc
    model.to(device)
    model.eval()
    return LoadedModel(tokenizer=tokenizer, model=model, device=device)


def plain_prompt(messages: list[Message]) -> str:
    """The messages as one prompt, for models without a chat template (e.g. GPT-2)."""
    return "\n\n".join(m.content.strip() for m in messages if m.content.strip()) + "\n\n"


class TransformersBackend:
    """A local causal language model.

    Parameters
    ----------
    model : a local directory or a cached model name (None: not configured).
    device : "auto" (CUDA when present, else CPU), "cpu", "cuda", "cuda:N" or "mps".
    local_files_only : never download (keep True on shop servers).
    """

    name = "transformers"
    external = False

    def __init__(
        self, *, model: str | None = None, device: str = "auto", local_files_only: bool = True
    ) -> None:
        if model is not None and (not isinstance(model, str) or not model):
            raise ConfigurationError(f"model must be a path or model name, not {model!r}.")
        if not isinstance(device, str) or not DEVICE_PATTERN.match(device):
            raise ConfigurationError(
                f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', not {device!r}."
            )
        self.model = model
        self.device = device
        self.local_files_only = bool(local_files_only)

    def __repr__(self) -> str:
        return f"<TransformersBackend model={self.model!r} device={self.device!r}>"

    def loaded(self) -> LoadedModel:
        """The tokenizer and model, loaded on first use."""
        if self.model is None:
            raise BackendUnavailable(
                "The transformers backend has no model: set OSCAR_AI_CRM['LLM']['BACKENDS']"
                "['transformers']['OPTIONS']['model'] to a local model directory."
            )
        return load_model(self.model, resolve_device(self.device), self.local_files_only)

    def generate(self, request: GenerationRequest) -> Generation:
        """Sample (greedy at temperature 0) up to ``max_tokens`` new tokens."""
        torch, _ = _import_torch_transformers()
        loaded = self.loaded()
        max_new = self._max_new_tokens(loaded, request.max_tokens)
        inputs = self._encode(loaded, request.messages, max_new)
        prompt_length = int(inputs["input_ids"].shape[1])
        options: dict[str, Any] = {"max_new_tokens": max_new, "do_sample": False}
        if request.temperature > 0:
            options.update(do_sample=True, temperature=request.temperature)
        tokenizer = loaded.tokenizer
        pad_id = tokenizer.pad_token_id
        options["pad_token_id"] = tokenizer.eos_token_id if pad_id is None else pad_id
        with loaded.lock, torch.inference_mode():
            output = loaded.model.generate(**inputs, **options)
        new_tokens = output[0, prompt_length:]
        text = tokenizer.decode(new_tokens, skip_special_tokens=True).strip()
        if not text:
            raise GenerationError(f"The local model {self.model!r} returned an empty reply.")
        return Generation(
            text=text,
            backend=self.name,
            model=str(self.model),
            prompt_tokens=prompt_length,
            completion_tokens=int(new_tokens.shape[0]),
        )

    @staticmethod
    def _max_new_tokens(loaded: LoadedModel, requested: int) -> int:
        """``requested``, clamped to half the model's context so a prompt still fits."""
        limit = getattr(loaded.model.config, "max_position_embeddings", None)
        return max(1, min(requested, limit // 2)) if limit else max(1, requested)

    def _encode(self, loaded: LoadedModel, messages: list[Message], max_new: int) -> dict[str, Any]:
        """Token ids on the model's device, cut from the left to leave room for the answer."""
        tokenizer = loaded.tokenizer
        if getattr(tokenizer, "chat_template", None):
            chat = [{"role": m.role, "content": m.content} for m in messages]
            encoded = tokenizer.apply_chat_template(
                chat, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        else:
            encoded = tokenizer(plain_prompt(messages), return_tensors="pt")
        limit = getattr(loaded.model.config, "max_position_embeddings", None)
        keep = limit - max_new if limit else None
        return {
            name: (tensor[:, -keep:] if keep else tensor).to(loaded.device)
            for name, tensor in encoded.items()
            if name in ("input_ids", "attention_mask")
        }
