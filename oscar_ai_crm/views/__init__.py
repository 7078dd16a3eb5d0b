"""Storefront views of oscar_ai_crm."""
