"""Python helpers for the ecommerce warehouse project (demo data generator)."""
