"""scrm: social CRM logic from one playbook, the same answers as the Rust core.

Load a tenant's playbook, then work with customers, tags, scores, stages and bills::

    from datetime import datetime, timezone
    import scrm

    playbook = scrm.Playbook.from_toml(open("playbook.toml").read())
    tagger = scrm.Tagger(playbook)
    customer, changes = tagger.on_event(customer, event)   # dicts as in docs/data-model.md
    hot = scrm.Condition.parse('score >= 60 and has_tag("高意向")').compile(playbook)
    hot.evaluate(customer, now=datetime.now(timezone.utc), score="72")
    scrm.Segment(hot, include=["c-vip"]).members(customers, now=datetime.now(timezone.utc))

Customers, events and merge policies are plain dicts in the JSON shapes of docs/data-model.md.
Times are aware ``datetime`` objects; scores and money are ``Decimal``, ``int`` or ``str``, never
``float``.

Over millions of rows, pass Arrow tables instead of dicts: a pyarrow ``Table``, a polars or
pandas ``DataFrame``; the GIL is released while the core works::

    in_segment = hot.evaluate_table(customers_table, now=datetime.now(timezone.utc))

(a boolean ``pyarrow.Array``, one value per row; see ``help(scrm.CompiledCondition.evaluate_table)``
and docs/python.md for the table's columns).

The rest of the core is here too (docs/python.md has an example per area): :class:`Engine`
(tags, lead score and lifecycle stage per event or per batch), :class:`Pool` (pool, claims,
transfers, lead assignment), :class:`Pricing` (invoices, statements) and the functions
``meter``, ``price``, ``advance_fees``, ``attribute``, ``commission``, ``commission_statement``,
``pack_ladder``, ``purchase``, ``consume``, ``propagation``, ``fission``, ``funnel``, ``became``,
``cohorts``, ``cost_per_lead`` and ``report_html``. They take and return dicts in the shapes of
the docs; in outputs times are aware ``datetime``s and amounts ``Decimal``s.

Every error is a :class:`ScrmError`; its subclass says the kind, ``kind`` is the stable code
shared with the Node and Kotlin bindings, and ``problems`` lists each problem with its path.
"""

from scrm import _native
from scrm._native import (
    Channel,
    CompiledCondition,
    Condition,
    DecisionChain,
    Identity,
    InternalError,
    ParseError,
    Playbook,
    Problem,
    ScrmError,
    Segment,
    Tag,
    TagChange,
    Tagger,
    TagGroup,
    UnsupportedVersionError,
    ValidationError,
    __version__,
    decision_chain,
    merge,
    normalize_identity,
    resolve,
    resolve_aliases,
)

# The full surface (issue 6): engine, pool, social and analytics, billing, CPS and packs.
from scrm._native import (
    Engine,
    Pool,
    Pricing,
    advance_fees,
    attribute,
    became,
    cohorts,
    commission,
    commission_statement,
    consume,
    cost_per_lead,
    fission,
    funnel,
    meter,
    pack_ladder,
    price,
    propagation,
    purchase,
    report_html,
)
# Batch functions over Arrow tables (issue 6 §2): fold, meter, price.
from scrm._native import fold_table, meter_table, price_table


def _check_native_version() -> None:
    """Refuse a native module built for another version of this package.

    A stale ``_native`` (an old build left next to new Python files, or a wheel mixed with another
    install) would give subtly different answers; failing at import says so plainly.
    """
    from importlib import metadata

    try:
        package = metadata.version("scrm")
    except metadata.PackageNotFoundError:  # imported from a source tree: nothing to compare
        return
    native = _pep440(_native.__version__)
    if package != native:
        raise ImportError(
            f"scrm {package} found its native module scrm._native at version {_native.__version__} "
            f"({_native.__file__}); reinstall scrm (pip install --force-reinstall scrm, or "
            "maturin develop in bindings-python) so both come from the same build"
        )


def _pep440(cargo_version: str) -> str:
    """The version as Python packaging writes it: Cargo's ``0.2.0-beta.1`` is ``0.2.0b1``."""
    release, _, pre = cargo_version.partition("-")
    if not pre:
        return release
    for cargo, python in (("alpha", "a"), ("beta", "b"), ("rc", "rc")):
        if pre.startswith(cargo):
            return release + python + pre[len(cargo) :].lstrip(".")
    return f"{release}+{pre}"


_check_native_version()

__all__ = [
    "Channel",
    "CompiledCondition",
    "Condition",
    "DecisionChain",
    "Identity",
    "InternalError",
    "ParseError",
    "Playbook",
    "Problem",
    "ScrmError",
    "Segment",
    "Tag",
    "TagChange",
    "TagGroup",
    "Tagger",
    "UnsupportedVersionError",
    "ValidationError",
    "__version__",
    "decision_chain",
    "merge",
    "normalize_identity",
    "resolve",
    "resolve_aliases",
    # Batch functions over Arrow tables.
    "fold_table",
    "meter_table",
    "price_table",
]

# The full surface (issue 6): engine, pool, social and analytics, billing, CPS and packs.
__all__ += [
    "Engine",
    "Pool",
    "Pricing",
    "advance_fees",
    "attribute",
    "became",
    "cohorts",
    "commission",
    "commission_statement",
    "consume",
    "cost_per_lead",
    "fission",
    "funnel",
    "meter",
    "pack_ladder",
    "price",
    "propagation",
    "purchase",
    "report_html",
]
