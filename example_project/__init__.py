"""An example django-oscar 4.2 shop with oscar_ai_crm installed as the README says."""
