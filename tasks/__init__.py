"""The I/O side of the flows: SSH sessions, probes, parser processes, storing, files, e-mail.

Plain functions the flows in :mod:`flows` call; none of them is a Prefect task (the
Prefect tasks, ``collect-lane``, ``collect-device`` and ``probe-tcp``, are defined in
:mod:`flows.collect` and :mod:`flows.monitoring` around them). Settings are not read
here: the flow or command passes the values down. See ``tasks/README.md``.
"""
