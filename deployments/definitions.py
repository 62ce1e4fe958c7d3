"""SIGAP's Prefect deployments: names, schedules and parameters in one place.

``sigap serve`` serves these from one process (the embedded default);
``deployments/prefect.yaml`` declares the same ones for a work pool in production.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import WorkPoolCreate
from prefect.exceptions import ObjectAlreadyExists
from prefect.schedules import Cron, Interval

from config.settings import load_settings
from flows.assets.catalog import FLOWS as ASSET_FLOWS
from flows.assets.common import DEPLOYMENT_NAMES as ASSET_DEPLOYMENTS
from flows.assets.evaluation import DEPLOYMENT_NAME as EVALUATION_DEPLOYMENT
from flows.assets.evaluation import asset_evaluation
from flows.incident import DEPLOYMENT_NAME as INCIDENT_DEPLOYMENT
from flows.incident import network_incident
from flows.maintenance import DEPLOYMENT_NAME, network_maintenance
from flows.monitoring import DEPLOYMENT_NAME as MONITORING_DEPLOYMENT
from flows.monitoring import pemantauan_server
from flows.server_repair import DEPLOYMENT_NAME as SERVER_REPAIR_DEPLOYMENT
from flows.server_repair import perbaikan_server
from flows.sites import SITE_DEPLOYMENT
from flows.visits import DEPLOYMENT_NAME as VISITS_DEPLOYMENT
from flows.visits import akses_ruang_server
from sop.office import Office

MAINTENANCE_CRON = "0 7 1 * *"
"""SOP A: the 1st of every month at 07:00, in the office's timezone."""


def maintenance_deployment(office: Office) -> Any:
    """The ``pemeliharaan-jaringan-bulanan`` deployment of SOP A for an office.

    Args:
        office: Its timezone sets the schedule's clock.

    Returns:
        A runner deployment for :func:`prefect.serve`.
    """
    return network_maintenance.to_deployment(
        name=DEPLOYMENT_NAME,
        schedule=Cron(MAINTENANCE_CRON, timezone=office.timezone_name),
        description=(
            f"SOP A Pemeliharaan Infrastruktur Sistem Jaringan, {office.short_name}: "
            "inventarisasi dan checklist kinerja semua perangkat, lalu pemeriksaan Kasubag, "
            "Kabag dan persetujuan Kadivmin. Berjalan tanggal 1 setiap bulan pukul 07:00 "
            f"{office.timezone_abbrev}; bisa dijalankan kapan saja dengan parameter."
        ),
        tags=["sop-a", "pemeliharaan"],
    )


def visits_deployment(office: Office) -> Any:
    """The ``akses-ruang-server`` deployment of SOP B (no schedule: one run per visit).

    Args:
        office: Named in the description.

    Returns:
        A runner deployment for :func:`prefect.serve`; its run form asks for the
        number of a visit registered in the records (no personal data).
    """
    return akses_ruang_server.to_deployment(
        name=VISITS_DEPLOYMENT,
        description=(
            f"SOP B Akses Ruang Server, {office.short_name}: formulir akses pengunjung, "
            "persetujuan Kasub, kartu akses ditukar tanda pengenal, pendampingan, "
            "pemeriksaan perangkat keluar, arsip. Satu run per kunjungan: daftarkan "
            "dulu dengan `sigap visit open --no-start`, lalu jalankan dengan nomor "
            "kunjungannya (KRS-...), atau `sigap visit open` / `sigap visit start`."
        ),
        tags=["sop-b", "ruang-server"],
    )


ASSET_EVALUATION_CRON = "0 8 2 1 *"
"""SOP D6: 2 January at 08:00 in the office's timezone, for the year before."""


def asset_deployments(office: Office) -> list[Any]:
    """The deployments of SOP D: D1-D5 run ad hoc, D6 also yearly.

    Args:
        office: Its timezone sets D6's schedule.

    Returns:
        Runner deployments for :func:`prefect.serve`.
    """
    deployments = [
        ASSET_FLOWS[code].to_deployment(
            name=ASSET_DEPLOYMENTS[code],
            description=f"{(ASSET_FLOWS[code].description or code).splitlines()[0]} "
            f"{office.short_name}; `sigap asset` memulai run (starts a run).",
            tags=["sop-d", "aset", code.lower()],
        )
        for code in sorted(ASSET_FLOWS)
    ]
    deployments.append(
        asset_evaluation.to_deployment(
            name=EVALUATION_DEPLOYMENT,
            schedule=Cron(ASSET_EVALUATION_CRON, timezone=office.timezone_name),
            description=(
                f"SOP D6 Evaluasi Pengelolaan Aset, {office.short_name}: rekap prosedur D1-D5, "
                "kepatuhan waktu, aset per status/kategori/umur, garansi, rencana tindak lanjut; "
                "persetujuan Kadis. Berjalan 2 Januari pukul 08:00 "
                f"{office.timezone_abbrev} untuk tahun sebelumnya; bisa dijalankan kapan saja "
                "untuk periode lain (`sigap asset evaluate`)."
            ),
            tags=["sop-d", "aset", "d6"],
        )
    )
    return deployments


def incident_deployment(office: Office) -> Any:
    """The ``penanganan-kendala-jaringan`` deployment of SOP C (no schedule: one run per incident).

    Args:
        office: Named in the description.

    Returns:
        A runner deployment for :func:`prefect.serve`; its run form is the incident report
        (device, kind, description, reporter, time) or an existing incident number.
    """
    return network_incident.to_deployment(
        name=INCIDENT_DEPLOYMENT,
        description=(
            f"SOP C Penanganan Kendala Jaringan, {office.short_name}: laporan kendala, "
            "diagnosa otomatis perangkat, verifikasi (tim sendiri atau penyedia jasa), "
            "koordinasi penyedia, perbaikan yang diperiksa ulang SIGAP, penerimaan Ketua Tim, "
            "laporan dan Berita Acara Pemeliharaan Jaringan. Satu run per insiden "
            "(atau `sigap incident open`)."
        ),
        tags=["sop-c", "insiden"],
    )


def monitoring_deployment(office: Office) -> Any:
    """The ``pemantauan-server`` deployment of SOP E step 1, every ``SIGAP_MONITOR_INTERVAL`` min.

    Args:
        office: Named in the description.

    Returns:
        A runner deployment for :func:`prefect.serve`.
    """
    minutes = load_settings().monitor_interval
    return pemantauan_server.to_deployment(
        name=MONITORING_DEPLOYMENT,
        schedule=Interval(timedelta(minutes=minutes)),
        parameters={"trigger": "schedule"},
        description=(
            f"SOP E langkah 1 Pemantauan Server, {office.short_name}: kesehatan dan keamanan "
            "setiap server Linux (sshd, login gagal, port, pembaruan keamanan, disk, memori, "
            "beban, waktu, unit gagal, layanan) dan keterjangkauan perangkat jaringan, "
            f"setiap {minutes} menit. Gangguan baru membuka insiden sekali dan memulai "
            "perbaikan-server (atau penanganan-kendala-jaringan)."
        ),
        tags=["sop-e", "pemantauan"],
    )


def server_repair_deployment(office: Office) -> Any:
    """The ``perbaikan-server`` deployment of SOP E steps 2-7 (one run per incident).

    Args:
        office: Named in the description.

    Returns:
        A runner deployment for :func:`prefect.serve`.
    """
    return perbaikan_server.to_deployment(
        name=SERVER_REPAIR_DEPLOYMENT,
        description=(
            f"SOP E Pemeliharaan dan Pengamanan Server, {office.short_name}: analisa jenis "
            "kerusakan, persetujuan Kasi, perbaikan atau penyedia, pemeriksaan ulang oleh "
            "SIGAP, penerimaan laporan, penyimpanan barang bukti. Satu run per insiden "
            "(dimulai oleh pemantauan-server)."
        ),
        tags=["sop-e", "insiden"],
    )


def all_deployments(office: Office) -> list[Any]:
    """Every deployment SIGAP serves for an office.

    Args:
        office: The office configuration.

    Returns:
        Runner deployments.
    """
    return [
        maintenance_deployment(office),
        visits_deployment(office),
        *asset_deployments(office),
        incident_deployment(office),
        monitoring_deployment(office),
        server_repair_deployment(office),
    ]


PROJECT_DIR = Path(__file__).resolve().parents[1]
"""The SIGAP checkout the sites' workers run the collection from."""

SITE_ENTRYPOINT = "flows/collect.py:collect_devices"
"""The collection flow, relative to the checkout."""


def apply_site_deployment(pool: str, project_dir: Path | None = None) -> UUID:
    """Register ``collect-devices/kumpul-perangkat-situs`` on a ``process`` work pool.

    SOP A with ``SIGAP_SITE_POOL=<pool>`` starts one run of it per site, on the queue
    named for the site (:mod:`flows.sites`); ``prefect worker start --pool <pool>
    --work-queue <site>`` on a machine of that site runs them. The pool is created
    (type ``process``) when it does not exist; applying again updates the deployment.

    Args:
        pool: The work pool's name.
        project_dir: The SIGAP checkout the workers run the flow from (the same path
            on every worker machine; default: this one).

    Returns:
        The deployment's id.
    """
    from prefect.workers.process import ProcessWorker

    from flows.collect import collect_devices

    with get_client(sync_client=True) as client, contextlib.suppress(ObjectAlreadyExists):
        template = ProcessWorker.get_default_base_job_template()
        client.create_work_pool(
            WorkPoolCreate(name=pool, type="process", base_job_template=template)
        )
    source = collect_devices.from_source(
        source=str(project_dir or PROJECT_DIR), entrypoint=SITE_ENTRYPOINT
    )
    deployment_id: UUID = source.deploy(
        name=SITE_DEPLOYMENT,
        work_pool_name=pool,
        build=False,
        push=False,
        print_next_steps=False,
        description=(
            "Pengumpulan perangkat satu situs untuk SOP A langkah 4 (SIGAP_SITE_POOL): "
            "dijalankan oleh worker situs itu (antrean = nama situs, `tanpa-situs` untuk "
            "host tanpa situs); menyimpan ke basis data catatan pusat dari "
            "SIGAP_DATABASE_URL worker."
        ),
        tags=["sop-a", "situs"],
    )
    return deployment_id
