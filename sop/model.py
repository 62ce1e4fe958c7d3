"""SOP definitions as data: the steps of an SOP and their *Mutu Baku*.

Every step keeps what the PermenPAN-RB 35/2012 table says about it: the actor
(*Pelaksana*, as role keys from :mod:`sop.roles`), the activity (*Kegiatan*),
the required inputs (*Kelengkapan*), the time standard (*Waktu*) and the
output, plus the branches of a decision step (*Ya/Tidak*). The definitions are
read from YAML by :mod:`sop.catalog`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sop.durations import Duration, format_total

END = "end"
"""Branch target meaning "the procedure ends here" (``end``/``selesai`` in YAML)."""

Target = int | str
"""A branch target: a step number, or :data:`END`."""

DECISION_VALUES = ("setuju", "tolak", "kembalikan")
"""The three answers a manager can give: approve, reject, return for revision."""

Outcome = int | str
"""What a decision does at its step: ``"ya"`` (the *Ya* branch, or the next step of a
step that is not a *Ya/Tidak* decision), ``"tidak"`` (the *Tidak* branch), :data:`END`
(the run ends there, refused) or a step number (back to that step)."""


@dataclass(frozen=True)
class Decision:
    """The two branches of a decision step.

    Attributes:
        yes: Where *Ya* leads: a step number or :data:`END`.
        no: Where *Tidak* leads: a step number or :data:`END`.

    Examples:
        >>> Decision(yes=4, no=END).describe("en")
        'Yes: step 4; No: end'
        >>> Decision(yes=6, no=4).describe()
        'Ya: ke langkah 6; Tidak: ke langkah 4'
    """

    yes: Target
    no: Target

    def describe(self, lang: str = "id") -> str:
        """Return the branches as one line of text for a table's *Keterangan*.

        Args:
            lang: ``"id"`` or ``"en"``.

        Returns:
            The branches, yes first.
        """

        def target(t: Target) -> str:
            if t == END:
                return "end" if lang == "en" else "selesai"
            return f"step {t}" if lang == "en" else f"ke langkah {t}"

        if lang == "en":
            return f"Yes: {target(self.yes)}; No: {target(self.no)}"
        return f"Ya: {target(self.yes)}; Tidak: {target(self.no)}"


@dataclass(frozen=True)
class Step:
    """One row of an SOP table.

    Attributes:
        number: Step number, 1..n within its SOP.
        roles: Role keys of the actors, first the one who performs the step.
        activity_id: The activity in Indonesian, as the SOP writes it.
        activity_en: The activity in English (``None`` if not translated).
        inputs: Required inputs (*Kelengkapan*), possibly empty.
        time: The time standard as the SOP writes it, e.g. ``"10 Menit"``, or ``None``.
        duration: ``time`` parsed, or ``None`` when the SOP gives no standard.
        output: The output document or result, or ``None``.
        decision: The branches if this is a decision step.
        note: The *Keterangan* of the SOP, if any.
        answers: For a step a manager decides (``setuju``/``tolak``/``kembalikan``):
            what each decision does, as ``(decision, outcome)`` pairs (:data:`Outcome`);
            empty for a step nobody decides.
    """

    number: int
    roles: tuple[str, ...]
    activity_id: str
    activity_en: str | None = None
    inputs: tuple[str, ...] = ()
    time: str | None = None
    duration: Duration | None = None
    output: str | None = None
    decision: Decision | None = None
    note: str | None = None
    answers: tuple[tuple[str, Outcome], ...] = ()

    @property
    def role(self) -> str:
        """The role key of the actor who performs the step (the first one)."""
        return self.roles[0]

    @property
    def is_decision(self) -> bool:
        """True for a *Ya/Tidak* decision step."""
        return self.decision is not None

    def outcome(self, decision: str) -> Outcome:
        """What ``decision`` does at this step, as the SOP definition says.

        Args:
            decision: ``setuju``, ``tolak`` or ``kembalikan``.

        Returns:
            The outcome (:data:`Outcome`).

        Raises:
            KeyError: The step is not decided, or not with this decision.

        Examples:
            >>> s = Step(5, ("kasubag",), "Memeriksa", decision=Decision(6, 4),
            ...          answers=(("setuju", "ya"), ("kembalikan", "tidak"), ("tolak", END)))
            >>> s.outcome("kembalikan"), s.outcome("tolak")
            ('tidak', 'end')
        """
        for value, outcome in self.answers:
            if value == decision:
                return outcome
        raise KeyError(f"step {self.number} has no answer {decision!r} in its SOP definition")

    def activity(self, lang: str = "id") -> str:
        """Return the activity in ``lang``, falling back to Indonesian.

        Args:
            lang: ``"id"`` or ``"en"``.

        Returns:
            The activity text.

        Examples:
            >>> s = Step(1, ("staff",), "Memantau jaringan", "Monitors the network")
            >>> s.activity(), s.activity("en")
            ('Memantau jaringan', 'Monitors the network')
        """
        if lang == "en" and self.activity_en:
            return self.activity_en
        return self.activity_id


@dataclass(frozen=True)
class SopSource:
    """Where an SOP comes from.

    Attributes:
        office: The issuing office.
        sop_number: The SOP's official number.
        year: Year of issue.
        unit: The unit inside the office that owns the SOP, if stated.
        seed: File name of the original text the definition was taken from.
        effective: Effective date as written in the SOP, if stated.
        approved_by: Title of the official who ratified it, if stated.
    """

    office: str
    sop_number: str
    year: int
    unit: str | None = None
    seed: str | None = None
    effective: str | None = None
    approved_by: str | None = None


@dataclass(frozen=True)
class SopDefinition:
    """One SOP (one procedure) with its steps.

    Attributes:
        code: Short code used everywhere, e.g. ``A`` or ``D4``.
        title_id: Indonesian title.
        title_en: English title (``None`` if not translated).
        source: Issuing office, number and year.
        steps: The steps, numbered 1..n.
        file: The file the definition was read from.
        legal_basis: *Dasar Hukum*.
        qualifications: *Kualifikasi Pelaksana*.
        related_sops: *Keterkaitan*.
        equipment: *Peralatan/Perlengkapan*.
        warning: *Peringatan*.
        records: *Pencatatan dan Pendataan*.
    """

    code: str
    title_id: str
    title_en: str | None
    source: SopSource
    steps: tuple[Step, ...]
    file: str = ""
    legal_basis: tuple[str, ...] = field(default=())
    qualifications: tuple[str, ...] = field(default=())
    related_sops: tuple[str, ...] = field(default=())
    equipment: tuple[str, ...] = field(default=())
    warning: str | None = None
    records: str | None = None

    def title(self, lang: str = "id") -> str:
        """Return the title in ``lang``, falling back to Indonesian.

        Args:
            lang: ``"id"`` or ``"en"``.

        Returns:
            The title.
        """
        if lang == "en" and self.title_en:
            return self.title_en
        return self.title_id

    def step(self, number: int) -> Step:
        """Return step ``number``.

        Args:
            number: The step number.

        Returns:
            The step.

        Raises:
            KeyError: The SOP has no such step.
        """
        for s in self.steps:
            if s.number == number:
                return s
        raise KeyError(f"SOP {self.code} has no step {number}")

    @property
    def role_keys(self) -> tuple[str, ...]:
        """Every role key used by a step, in order of first appearance."""
        seen: dict[str, None] = {}
        for s in self.steps:
            for r in s.roles:
                seen.setdefault(r, None)
        return tuple(seen)

    def total_standard(self, lang: str = "id") -> str:
        """Return the sum of all steps' time standards, for display.

        Every step counts, including those only reached through a branch.

        Args:
            lang: ``"id"`` or ``"en"``.

        Returns:
            E.g. ``"1 Bulan 1 Hari 1 Jam 10 Menit"``; ``"-"`` if no step has one.
        """
        return format_total((s.duration for s in self.steps), lang)
