"""An AI customer-relationship layer for django-oscar shops."""

__version__ = "0.1.0"
