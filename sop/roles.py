"""The SOP role keys SIGAP knows, with their usual Indonesian titles.

SOP definitions name actors by these keys; each office maps the keys it uses to
its own titles in its office configuration (``roles:``), so "Kasubag Humas, RB
dan TI" in one office and "Kasi Jaringan dan Data Center" in another are both
just a key to the code.
"""

from __future__ import annotations

ROLE_KEYS: dict[str, str] = {
    # SOP A / B (Kanwil Kemenkumham Maluku Utara)
    "kadivmin": "Kepala Divisi Administrasi",
    "kabag": "Kepala Bagian",
    "kasubag": "Kepala Subbagian",
    "it_officer": "Petugas Server TI",
    "visitor": "Pengunjung",
    # SOP C (BPSDM Kemenkumham, Pusat Penilaian Kompetensi)
    "team_member": "Anggota Tim Sistem Informasi",
    "team_lead": "Ketua Tim Sistem Informasi",
    "provider": "Penyedia Layanan",
    "head_of_centre": "Kepala Pusat",
    # SOP D (Dinas Kominfo Tanah Bumbu)
    "asset_manager": "Pengelola Aset",
    "asset_user": "Pengguna Aset",
    "kasi": "Kepala Seksi",
    "kabid": "Kepala Bidang",
    "kadis": "Kepala Dinas",
    # SOP E (Dinas Kominfosanti Buleleng)
    "staff": "Staf",
}
"""Role key -> default Indonesian title (used when an office does not rename it)."""


def is_role_key(key: str) -> bool:
    """Tell whether ``key`` is a role key SIGAP knows.

    Args:
        key: A candidate role key.

    Returns:
        True if SOP definitions and office configurations may use it.

    Examples:
        >>> is_role_key("kasubag"), is_role_key("Kasubag")
        (True, False)
    """
    return key in ROLE_KEYS
