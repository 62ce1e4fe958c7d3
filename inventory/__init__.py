"""SIGAP's device and server inventory (Nornir SimpleInventory format).

Public API:

* :func:`load_inventory` reads ``hosts.yaml``, ``groups.yaml`` and ``defaults.yaml``
  from a directory, applies inheritance (defaults <- groups <- host) and returns
  an :class:`Inventory`, or raises :class:`ConfigError` listing every problem.
* :func:`import_spreadsheet` turns an office's CSV/XLSX device list into such a
  directory.
"""

from inventory.importer import import_spreadsheet
from inventory.loader import load_inventory
from inventory.model import CRITICALITIES, Entry, Host, HostData, Inventory
from inventory.platforms import known_platforms, napalm_driver
from inventory.secretref import SecretRef, parse_secret_ref
from sop.problems import ConfigError, Problem

__all__ = [
    "CRITICALITIES",
    "ConfigError",
    "Entry",
    "Host",
    "HostData",
    "Inventory",
    "Problem",
    "SecretRef",
    "import_spreadsheet",
    "known_platforms",
    "load_inventory",
    "napalm_driver",
    "parse_secret_ref",
]
