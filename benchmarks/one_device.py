"""One switch's session over the WAN proxy: SIGAP's against Nornir's, timed, chunks counted.

Starts one simulated switch and ``lab.wan_proxy`` (in this process's thread) at
``--latency-ms``, then alternates ``--repeat`` sessions of

- **SIGAP**: ``tasks.collect.collect_device`` (host key pinned first, parsing in this
  thread), the code each of SIGAP's session slots runs for a device;
- **Nornir**: what the Nornir side of ``collect_sites.py`` runs for a host
  (``nornir_napalm``'s connection: NAPALM's ios driver opened with Nornir's options,
  the same getters and commands, closed).

and prints each side's median seconds and the chunks the proxy forwarded each way
(a chunk per direction change is one exchange: the round trips the WAN costs).

Usage (no root needed)::

    .venv/bin/python benchmarks/one_device.py [--latency-ms 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from measure import ROOT, free_port

ADDRESS = "127.0.92.1"
PROXY = "127.0.92.2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from lab.switch_server import start_switches, stop_switches
    from lab.wan_proxy import Route, WanProxy
    from sop.platforms import get_platform
    from tasks.collect import CollectRequest, collect_device
    from tasks.hostkeys import fetch_host_key
    from tasks.session import Target, open_socket

    password = secrets.token_urlsafe(12)
    os.environ["SIGAP_LAB_PASSWORD"] = password
    work = Path(tempfile.mkdtemp(prefix="sigap-one-device-"))
    port, proxy_port = free_port(ADDRESS), free_port(PROXY)
    spec = work / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "devices": [
                    {
                        "hostname": "sw0001",
                        "address": ADDRESS,
                        "port": port,
                        "username": "sigap",
                        "password_env": "SIGAP_LAB_PASSWORD",
                    }
                ]
            }
        )
    )
    switch = start_switches(spec, {"SIGAP_LAB_PASSWORD": password})
    target = Target("sw0001", PROXY, proxy_port, "sigap")
    platform = get_platform("cisco_ios")
    try:
        with WanProxy([Route(PROXY, proxy_port, ADDRESS, port)], args.latency_ms) as proxy:
            key = fetch_host_key(open_socket(target, 5), 10)
            request = CollectRequest(
                target, "cisco_ios", "env:SIGAP_LAB_PASSWORD", pinned_key=key, time_limit=120
            )

            def sigap() -> str:
                return collect_device(request).outcome

            def nornir() -> str:
                from napalm import get_network_driver

                driver = get_network_driver("ios")(
                    PROXY, "sigap", password, optional_args={"port": proxy_port, "secret": password}
                )
                driver.open()
                for name in platform.getters:
                    getattr(driver, name)()
                driver.cli(list(platform.commands))
                driver.close()
                return "ok"

            sides: dict[str, Callable[[], str]] = {"sigap": sigap, "nornir": nornir}
            times: dict[str, list[float]] = {side: [] for side in sides}
            chunks: dict[str, tuple[int, int]] = {}
            for i in range(args.repeat):
                for side in sides if i % 2 == 0 else list(sides)[::-1]:
                    up, down = proxy.chunks_up[0], proxy.chunks_down[0]
                    start = time.perf_counter()
                    outcome = sides[side]()
                    times[side].append(time.perf_counter() - start)
                    chunks[side] = (proxy.chunks_up[0] - up, proxy.chunks_down[0] - down)
                    print(f"{side:6} {times[side][-1]:6.2f} s  {outcome}  chunks {chunks[side]}")
    finally:
        stop_switches(switch)
    for side, values in times.items():
        print(
            f"{side:6} median {statistics.median(values):6.2f} s at {args.latency_ms:g} ms; "
            f"chunks up/down {chunks[side]}"
        )


if __name__ == "__main__":
    main()
