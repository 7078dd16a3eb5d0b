"""Template tags of oscar_ai_crm (``{% load crm_tags %}``)."""
