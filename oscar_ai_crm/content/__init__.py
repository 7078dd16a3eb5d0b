"""Generated content: product descriptions written by an LLM backend, reviewed by merchants.

``product_facts`` reads a product, ``prompts`` renders the request, ``descriptions``
writes one draft (redaction, sanitising, grounding), ``publishing`` moves drafts through
review to the product page, ``batches`` runs many products as django-q2 tasks.
"""
