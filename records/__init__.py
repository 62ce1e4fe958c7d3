"""SIGAP's system of record: models, migrations and the functions that read and write them.

Open a database with :func:`records.db.make_engine`, work in
:func:`records.db.session_scope`, and call the small functions in
:mod:`records.devices`, :mod:`records.collection_runs`, :mod:`records.snapshots`,
:mod:`records.sop_runs`, :mod:`records.steps` and :mod:`records.approvals`.
Throwaway test databases: :mod:`records.testing`. See ``docs/records.md``.
"""
