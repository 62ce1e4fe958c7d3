"""Reports made from the records: pandas assembly (pure) and rendering (XLSX, HTML, PDF).

Entry points of SOP A's monthly report are in :mod:`reports.maintenance`; see
``docs/reports.md``.
"""
