"""The PermenPAN-RB 35/2012 table of an SOP, with the office's role titles."""

from __future__ import annotations

import pytest

from config.sop_files import load_sops
from sop.table import HEADERS, sop_table


@pytest.fixture(scope="module")
def sops():
    return load_sops()


def test_rows_use_the_office_role_titles_and_defaults_for_the_rest(sops):
    titles = {"kasi": "Kepala Seksi Jaringan dan Data Center", "kabid": "Kabid Infrastruktur"}
    table = sop_table(sops["E"], titles)
    assert table.headers == (
        "No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output", "Keterangan"
    )  # fmt: skip
    assert len(table.rows) == 7
    assert table.rows[0] == (
        "1",
        "Melakukan monitoring jaringan menggunakan sistem website dan aplikasi monitoring server",
        "Staf",
        "Jaringan Internet dan Intranet",
        "30 menit",
        "Laporan",
        "-",
    )
    assert table.rows[2][2] == "Kepala Seksi Jaringan dan Data Center"
    assert table.rows[2][6] == "Ya: ke langkah 4; Tidak: ke langkah 2"
    assert table.rows[5][2] == "Kepala Seksi Jaringan dan Data Center, Kabid Infrastruktur"
    assert table.rows[4][4] == "-"  # E step 5 has no time standard


def test_default_titles_without_an_office(sops):
    table = sop_table(sops["C"])
    assert table.rows[3][2] == "Anggota Tim Sistem Informasi, Penyedia Layanan"
    assert table.rows[6][3].count(";") == 2  # three required documents


def test_english_headers_activities_and_times(sops):
    table = sop_table(sops["B"], lang="en")
    assert table.headers == HEADERS["en"]
    assert table.title == "B. Server room access"
    assert table.rows[2][1].startswith("Verifies and decides whether access is granted")
    assert table.rows[2][6] == "Yes: step 4; No: end"
    assert sop_table(sops["A"], lang="en").rows[3][4] == "1 month"


def test_indonesian_notes_keep_the_seed_keterangan(sops):
    row = sop_table(sops["A"]).rows[4]
    assert row[6] == (
        "Hasil pemeliharaan sistem yang telah diperiksa oleh Kasubag & Kabag; "
        "Ya: ke langkah 6; Tidak: ke langkah 4"
    )


def test_unknown_language_is_refused(sops):
    with pytest.raises(ValueError, match="language must be one of id, en"):
        sop_table(sops["A"], lang="fr")
