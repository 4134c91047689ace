"""The municipality's own administration pages (its admin role; the Django admin stays for superusers)."""
