"""SIGAP: IT maintenance SOPs for Indonesian government offices, run as Prefect flows."""

__version__ = "0.1.0"
