"""servicetjek: a municipality's employment-services review, rebuilt from data."""

__version__ = "0.2.0"
