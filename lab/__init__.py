"""SIGAP's local lab of SSH devices, for tests and demos (not product code).

``sigap lab up`` starts Linux servers (Debian's OpenSSH sshd), simulated Cisco IOS
switches and an FRRouting router on loopback addresses and writes a Nornir-style
inventory for them; :mod:`lab.manager` is the Python API. See ``docs/lab.md``.
"""
