"""A tiny random-weight GPT-2 and its tokenizer, built offline and saved to a directory.

Nothing is downloaded: the byte-level BPE tokenizer is trained on a few sentences with the
``tokenizers`` library, the model is ``GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=2,
n_embd=32))`` with seeded random weights. The directory then loads like any Hugging Face
model directory (``AutoTokenizer`` / ``AutoModelForCausalLM.from_pretrained(path)``), so
the transformers backend is tested through the code path users take.
"""

from __future__ import annotations

from pathlib import Path

EOS = "<|endoftext|>"
CORPUS = [
    "A linen shirt in white, light and breathable for summer days.",
    "This ceramic mug holds coffee or tea and is safe in the dishwasher.",
    "Discover our new collection of books, shoes, toys and garden tools.",
    "Write a friendly product description for the online shop.",
    "The price is low and the quality is high; customers love it.",
    "System: you write marketing copy. User: describe the product. Assistant:",
]
#: A minimal chat template (Jinja), so the backend's chat-template path is exercised.
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}"
)


def build_tiny_gpt2(directory: Path, *, chat_template: bool = True, seed: int = 0) -> Path:
    """Save a tiny GPT-2 with its tokenizer to ``directory`` and return the path."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(CORPUS, trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token=EOS, eos_token=EOS, unk_token=EOS, pad_token=EOS
    )
    if chat_template:
        tokenizer.chat_template = CHAT_TEMPLATE

    torch.manual_seed(seed)
    eos_id = tokenizer.convert_tokens_to_ids(EOS)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=256,
        n_layer=2,
        n_head=2,
        n_embd=32,
        bos_token_id=eos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )
    model = GPT2LMHeadModel(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
