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


SOP_ROLES: dict[str, tuple[str, ...]] = {
    "A": ("kadivmin", "kabag", "kasubag", "it_officer"),
    "B": ("it_officer", "visitor", "kasubag"),
    "C": ("team_member", "provider", "team_lead"),
    "D1": ("kasi", "kabid", "kadis", "asset_manager"),
    "D2": ("kasi", "kabid", "kadis"),
    "D3": ("kasi", "asset_user"),
    "D4": ("asset_manager", "kasi", "kabid"),
    "D5": ("asset_manager", "kasi", "kabid"),
    "D6": ("kasi", "kadis", "kabid"),
    "E": ("staff", "kasi", "kabid"),
}
"""SOP code -> role keys its steps name (in step order), of the SOPs packaged with SIGAP.

The same as ``role_keys`` of the packaged definitions (``sop/definitions/``), kept
here so the office checks need no file; ``tests/sop/test_catalog.py`` holds the two
equal.
"""
