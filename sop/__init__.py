"""SIGAP's pure core: SOP definitions, checklist rules, SLA arithmetic, approval policy.

Nothing in this package imports Prefect, an SSH library or SQLAlchemy.
"""
