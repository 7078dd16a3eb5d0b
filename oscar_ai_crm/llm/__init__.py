"""LLM backends (OpenAI-compatible API, local transformers, offline) and output safety."""
