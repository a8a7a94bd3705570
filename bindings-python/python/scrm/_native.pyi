"""Type stubs of the native module; import from ``scrm``, not from here."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Optional, Protocol, Union, overload

class ArrowStreamExportable(Protocol):
    """Any Arrow table: a pyarrow Table, a polars or pandas DataFrame (``__arrow_c_stream__``)."""

    def __arrow_c_stream__(self, requested_schema: object = None) -> object: ...

class ArrowArrayExportable(Protocol):
    """A pyarrow RecordBatch or any object with ``__arrow_c_array__``."""

    def __arrow_c_array__(self, requested_schema: object = None) -> tuple[object, object]: ...

ArrowTable = Union[ArrowStreamExportable, ArrowArrayExportable]
"""A customers table, read through the Arrow PyCapsule interface without a copy."""

BooleanArray = Any
"""A ``pyarrow.BooleanArray`` (or, without pyarrow, an Arrow array exposing ``__arrow_c_array__``)."""

RejectedRows = Any
"""A ``pyarrow.Table`` with columns ``row`` (int64), ``column`` and ``reason`` (strings)."""

JsonDict = dict[str, Any]
"""A JSON object as Python's ``json`` module reads it: a customer, an event, a policy."""

__version__: str

class ScrmError(Exception):
    """Base class of every scrm error."""

    kind: str
    """Stable code of the error kind: "parse", "validation", "unsupported_version", "internal"."""
    problems: list[Problem]
    """Every problem found, each with its path."""

class ParseError(ScrmError):
    """The text is not well-formed JSON or TOML."""

class ValidationError(ScrmError):
    """The input breaks one or more rules; see ``problems``."""

class UnsupportedVersionError(ScrmError):
    """The document's schema_version is not one this build reads."""

class InternalError(ScrmError):
    """A bug in scrm; please report it with the input."""

class Problem:
    """One problem of an input."""

    @property
    def path(self) -> str:
        """Dotted path of the field at fault, e.g. ``taxonomy.groups[2].tags[0].id``; "" for the root."""
    @property
    def message(self) -> str:
        """What is wrong, naming the offending value."""

class Channel:
    """A channel customers arrive through."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def platform(self) -> str:
        """Platform name: "wecom", "wechat", "mini_program", "douyin", "offline", ..."""

class Tag:
    """A tag of the taxonomy."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def path(self) -> Optional[str]:
        """Hierarchical path such as "行业/汽车/新能源", or None."""
    @property
    def order(self) -> int:
        """Display order (bigger first)."""

class TagGroup:
    """A tag group; an exclusive group holds at most one tag per customer."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def exclusive(self) -> bool: ...
    @property
    def order(self) -> int: ...
    @property
    def tags(self) -> list[Tag]: ...

class Playbook:
    """A validated tenant configuration."""

    @staticmethod
    def from_json(text: str) -> Playbook:
        """Load and validate a JSON playbook; raises ParseError, UnsupportedVersionError or ValidationError."""
    @staticmethod
    def from_toml(text: str) -> Playbook:
        """Load and validate a TOML playbook; raises as ``from_json`` does."""
    @staticmethod
    def validate(text: str, format: Literal["json", "toml"] = "json") -> list[Problem]:
        """Every problem of a playbook text; an empty list when it loads."""
    @staticmethod
    def json_schema() -> str:
        """The JSON Schema of the playbook format."""
    def to_json(self) -> str:
        """The playbook as JSON; loading it again gives an equal playbook."""
    @property
    def schema_version(self) -> int: ...
    @property
    def tenant_id(self) -> str: ...
    @property
    def name(self) -> Optional[str]: ...
    @property
    def timezone(self) -> str:
        """IANA timezone name, e.g. "Asia/Shanghai"."""
    @property
    def channels(self) -> list[Channel]: ...
    @property
    def tag_groups(self) -> list[TagGroup]: ...

class Identity:
    """One identity of a customer in normal form: phones in E.164, emails lower-cased, ids trimmed.

    Build one with :func:`normalize_identity` or :meth:`Identity.custom`. Equal identities name
    the same id; identities are hashable.
    """

    @staticmethod
    def custom(namespace: str, value: str, strong: bool = False) -> Identity:
        """An id in a namespace of your own; ``strong`` ids merge the profiles that share them.

        Raises ValidationError when the namespace or value is empty.
        """
    @property
    def kind(self) -> Literal[
        "wecom_external_userid", "wechat_unionid", "wechat_openid", "phone", "email", "douyin_openid", "custom"
    ]:
        """The kind of id."""
    @property
    def value(self) -> str:
        """The normalised value, e.g. "+8613800138000"."""
    @property
    def scope(self) -> Optional[str]:
        """Where the id is unique: the corp id of an external_userid, the app id of an openid."""
    @property
    def namespace(self) -> Optional[str]:
        """The namespace of a custom identity."""
    @property
    def strong(self) -> bool:
        """The ``strong`` flag of a custom identity (False for other kinds; see ``is_strong``)."""
    @property
    def is_strong(self) -> bool:
        """Whether sharing this identity proves two profiles are one person."""
    def to_dict(self) -> JsonDict:
        """The identity in the JSON shape of a customer's ``identities`` entries."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

def normalize_identity(kind: str, value: str, scope: Optional[str] = None) -> Identity:
    """Normalise an identity: ``normalize_identity("phone", "138 0013 8000").value == "+8613800138000"``.

    ``kind`` is one of the kinds of :attr:`Identity.kind` except "custom" (use
    :meth:`Identity.custom`). ``scope`` is required for "wecom_external_userid" (the corp id) and
    the openids (the app id). Raises ValidationError at "kind", "value" or "scope".
    """

def resolve(customers: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    """Group customers into people: the lists of customer ids that are one person, each sorted.

    Identities must already be in normal form. Raises ValidationError with every problem at its
    path, e.g. ``customers[2].identities[0].value``; TypeError for values JSON cannot hold.
    """

def resolve_aliases(customers: Sequence[Mapping[str, Any]], ids: Sequence[str]) -> list[str]:
    """The id each of ``ids`` lives under now, through the alias records (``merged_ids``) of
    ``customers``: the id of the customer it was merged into, following merges of merges; an id
    never merged away comes back as it is.

    Raises ValidationError for bad customers, or customers of different tenants.
    """

def merge(customers: Sequence[Mapping[str, Any]], policy: Optional[Mapping[str, Any]] = None) -> JsonDict:
    """Merge the profiles of one person into one customer dict under a merge policy (None: the default).

    The oldest profile survives and the others' ids become aliases. Raises ValidationError for bad
    customers or policy, or profiles of different tenants.
    """

class TagChange:
    """What one tagging call did to one tag of a customer, and why. Equal by value; hashable."""

    @property
    def tag_id(self) -> str: ...
    @property
    def action(self) -> Literal["added", "removed", "refreshed"]:
        """Added, removed, or refreshed (already on; its expiry moved later)."""
    @property
    def provenance(self) -> JsonDict:
        """Who or what made the change, e.g. ``{"kind": "keyword", "id": "kw_price"}``; a fresh dict each time."""
    @property
    def reason(self) -> str:
        """Why, in words: ``said "多少钱" (rule kw_price)``."""
    def to_dict(self) -> JsonDict:
        """The change as a dict: tag_id, action, provenance, reason."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class Tagger:
    """The auto-tag rules of a playbook, compiled once. Immutable and safe to share between threads."""

    def __init__(self, playbook: Playbook) -> None:
        """Compile the tagging rules of ``playbook``."""
    def on_event(
        self,
        customer: Mapping[str, Any],
        event: Mapping[str, Any],
        history: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> tuple[JsonDict, list[TagChange]]:
        """Run the auto-tag rules on one event of one customer.

        Returns the customer as changed (a new dict) and the changes made. ``history`` is the
        customer's earlier events, which behaviour rules count. Replaying an event changes
        nothing. Raises ValidationError at its path for a bad customer or event, or an event of
        another customer or tenant.
        """
    def tag(self, customer: Mapping[str, Any], tag: str, at: datetime) -> tuple[JsonDict, list[TagChange]]:
        """Apply ``tag`` (an id or display name) by hand at ``at``; provenance ``{"kind": "manual"}``.

        Returns the customer as changed (a new dict) and the changes; tagging into an exclusive
        group replaces the sibling tag. ``at`` must be timezone-aware (a naive datetime raises
        ValueError). Raises ValidationError at "tag" for an unknown tag, at its path for a bad
        customer, one of another tenant, or one at the tag limit.
        """
    def untag(self, customer: Mapping[str, Any], tag: str) -> tuple[JsonDict, list[TagChange]]:
        """Take ``tag`` (an id or display name) off by hand; a tag not carried changes nothing.

        Raises ValidationError at "tag" for an unknown tag, at its path for a bad customer.
        """
    def expire(self, customer: Mapping[str, Any], now: datetime) -> tuple[JsonDict, list[TagChange]]:
        """Take off the tags whose expiry has passed at ``now`` (timezone-aware).

        Raises ValidationError at its path for a bad customer.
        """
    def apply_pre_tags(
        self, customer: Mapping[str, Any], pre_tags: Sequence[Mapping[str, Any]]
    ) -> tuple[JsonDict, list[TagChange]]:
        """Apply the pre-tags waiting for the customer's identities.

        Each pre-tag is ``{"identity": {...}, "tag": "...", "at": "<RFC 3339>"}``; those whose
        identity the customer carries are applied. Raises ValidationError at its path, e.g.
        ``pre_tags[0].tag``.
        """

class Condition:
    """A condition over one customer, such as ``score >= 60 and has_tag("高意向")``.

    Read from its text form or its JSON form; both give equal conditions, and each prints back
    to the other. ``str(condition)`` is the canonical text. Equal conditions hash equal.
    """

    @staticmethod
    def parse(text: str) -> Condition:
        """Read the text form; raises ParseError (line, column and caret in the message) or ValidationError."""
    @staticmethod
    def from_json(obj: Union[Mapping[str, Any], str]) -> Condition:
        """Read the JSON form, as a dict or JSON text; raises ParseError or ValidationError at JSON paths."""
    def to_text(self) -> str:
        """The canonical text form, on one line."""
    def to_json(self) -> JsonDict:
        """The JSON form as a dict."""
    def compile(self, playbook: Playbook) -> CompiledCondition:
        """Resolve tag and group names against the playbook's taxonomy; raises ValidationError for unknown tags."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

class CompiledCondition:
    """A condition compiled against a playbook, ready to evaluate over many customers."""

    @property
    def condition(self) -> Condition:
        """The condition this was compiled from."""
    def evaluate(
        self,
        customer: Mapping[str, Any],
        now: datetime,
        history: Optional[Sequence[Mapping[str, Any]]] = None,
        score: Union[Decimal, int, str, None] = None,
    ) -> bool:
        """Whether ``customer`` satisfies the condition at ``now``.

        ``now`` must be timezone-aware (a naive datetime raises ValueError); windows such as
        ``within = "7d"`` end there. ``history`` is the customer's events. ``score`` is a Decimal,
        int or decimal string (a float raises TypeError). Raises ValidationError for bad input.
        """
    @overload
    def evaluate_table(
        self, customers: ArrowTable, now: datetime, *, on_error: Literal["raise"] = "raise"
    ) -> BooleanArray: ...
    @overload
    def evaluate_table(
        self, customers: ArrowTable, now: datetime, *, on_error: Literal["reject"]
    ) -> tuple[BooleanArray, RejectedRows]: ...
    def evaluate_table(
        self, customers: ArrowTable, now: datetime, *, on_error: Literal["raise", "reject"] = "raise"
    ) -> Union[BooleanArray, tuple[BooleanArray, RejectedRows]]:
        """Evaluate the condition over every row of a customers table at ``now``, in one call.

        ``customers`` is a pyarrow Table or RecordBatch, a polars DataFrame, a pandas DataFrame, or
        anything with ``__arrow_c_stream__`` / ``__arrow_c_array__``. Columns: ``id`` (string, never
        null), ``tags`` (list of tag ids), ``stage``, ``owner``, ``grade`` (strings), ``score``
        (decimal, int, float or decimal string), ``identities`` (list of kinds),
        ``consent.<purpose>.<channel>`` (strings), and any other column is the attribute of its
        name (docs/python.md). Only the columns the condition reads must be present.

        Returns a boolean array, one value per row in order; the GIL is released meanwhile. A bad
        row raises ValidationError at ``customers[<row>].<column>``; with ``on_error="reject"``
        returns ``(values, rejected)``, bad rows null in ``values`` and listed in ``rejected``. A
        missing or mistyped column raises ValidationError at ``customers.<column>``; ``count(...)``
        raises at ``condition`` (a table holds no events).
        """

class Segment:
    """A segment of customers: those matching a compiled condition, adjusted by hand.

    ``include`` pins customers (by id) in whatever the condition says; ``exclude`` keeps them
    out even when included. Immutable and safe to share between threads.
    """

    def __init__(
        self,
        condition: CompiledCondition,
        include: Optional[Iterable[str]] = (),
        exclude: Optional[Iterable[str]] = (),
    ) -> None:
        """A segment of the customers matching ``condition``; a lone ``str`` for include or exclude raises TypeError."""
    @property
    def condition(self) -> CompiledCondition:
        """The compiled condition of the segment."""
    @property
    def include(self) -> list[str]:
        """The manually included customer ids, sorted."""
    @property
    def exclude(self) -> list[str]:
        """The manually excluded customer ids, sorted."""
    def members(
        self,
        customers: Sequence[Mapping[str, Any]],
        now: datetime,
        histories: Optional[Mapping[str, Sequence[Mapping[str, Any]]]] = None,
        scores: Optional[Mapping[str, Union[Decimal, int, str]]] = None,
    ) -> list[str]:
        """The ids of the customers in the segment at ``now``, in the order of ``customers``.

        ``now`` must be timezone-aware (a naive datetime raises ValueError). ``histories`` maps a
        customer id to its events; ``scores`` maps a customer id to a Decimal, int or decimal
        string (a float raises TypeError). Raises ValidationError at its path for bad input,
        e.g. ``scores.c1``.
        """
    @overload
    def evaluate_table(
        self, customers: ArrowTable, now: datetime, *, on_error: Literal["raise"] = "raise"
    ) -> BooleanArray: ...
    @overload
    def evaluate_table(
        self, customers: ArrowTable, now: datetime, *, on_error: Literal["reject"]
    ) -> tuple[BooleanArray, RejectedRows]: ...
    def evaluate_table(
        self, customers: ArrowTable, now: datetime, *, on_error: Literal["raise", "reject"] = "raise"
    ) -> Union[BooleanArray, tuple[BooleanArray, RejectedRows]]:
        """Whether each row of a customers table is in the segment at ``now``, in one call.

        Same tables, arguments and results as :meth:`CompiledCondition.evaluate_table`, with the
        segment's precedence applied by the ``id`` column: exclude, then include, then the
        condition. The GIL is released meanwhile.
        """

class DecisionChain:
    """The decision chain of a B2B account: who decides, who influences, and what is missing."""

    @property
    def decision_makers(self) -> list[str]:
        """Customer ids of the decision makers, top of the reporting line first."""
    @property
    def influencers(self) -> list[str]:
        """Customer ids of those who influence a decision maker."""
    @property
    def champions(self) -> list[str]: ...
    @property
    def gatekeepers(self) -> list[str]: ...
    @property
    def gaps(self) -> list[str]:
        """What the sales team still needs to find, e.g. "no decision maker known"."""
    def to_dict(self) -> dict[str, list[str]]:
        """The chain as a dict of its five lists."""
    def __eq__(self, other: object) -> bool: ...

def decision_chain(account: Mapping[str, Any]) -> DecisionChain:
    """The decision chain of an account dict.

    Raises ValidationError at its path for a bad account, duplicate contacts, a ``reports_to``
    naming no contact, or a reporting cycle.
    """

# The full surface (issue 6): engine, pool, social and analytics, billing, CPS and packs.
# Documents in and out are dicts in the shapes of docs/engine.md, pool.md, social.md,
# analytics.md, billing.md, cps.md and packs.md. In outputs, times are aware ``datetime``s (days
# ``date``s) and amounts, scores, rates and units ``Decimal``s; passing an output back in gives
# the core the same document.

Document = dict[str, Any]
"""A JSON document as a dict; times as aware ``datetime``, amounts as ``Decimal``."""

DecimalLike = Union[Decimal, int, str]
"""An exact number: a ``Decimal``, an ``int`` or a decimal ``str`` such as ``"72.5"``; never a float."""

class Engine:
    """A playbook's engine: its tagging, scoring and lifecycle rules compiled once.

    State lives in profile dicts you keep and pass back. Immutable and safe to share between
    threads; every call releases the GIL.
    """

    def __init__(self, playbook: Playbook) -> None:
        """Compile the engine of ``playbook``; raises ValidationError if its rules do not compile."""
    @property
    def tenant_id(self) -> str:
        """The tenant id of the playbook."""
    def new_profile(self, customer: Mapping[str, Any]) -> Document:
        """A new profile around a customer dict; raises ValidationError at its path (``customer.tags[0].tag_id``)."""
    def apply(
        self, profile: Optional[Mapping[str, Any]], event: Mapping[str, Any], now: datetime
    ) -> tuple[Document, Document]:
        """Apply one event at ``now`` (timezone-aware): auto-tags, score, thresholds, stage rules.

        ``profile`` is None for a customer seen for the first time. Returns ``(profile, effects)``;
        ``effects`` lists ``tags``, ``score``, ``stages``, ``thresholds``, ``tasks``, ``alerts``,
        ``pool`` (the reclaim clock, when it moved: ``reclaim_on_before`` and ``reclaim_on`` as
        dates, ``open_tasks``, ``reason``), ``suppressed`` (tasks and alerts left out for want of
        the playbook's ``engine.contact_consent``), ``replayed``, ``refolded``. Replaying an event changes nothing. Raises ValidationError at
        its path (``event.at``).
        """
    def fold(
        self, profiles: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
    ) -> tuple[list[Document], Document]:
        """Fold a batch of events into many profiles; the same result as applying them in time order.

        Returns ``(profiles, report)``: the profiles in input order then the ones created, and
        ``{"events", "applied", "replayed", "created", "refused"?}``. The GIL is released meanwhile.
        """
    def tick(self, profile: Mapping[str, Any], now: datetime) -> tuple[Document, Document]:
        """The time-based check at ``now`` (decay, idle stage rules, expiring tags); returns ``(profile, effects)``."""
    def score(self, profile: Mapping[str, Any], now: datetime) -> Document:
        """The lead score at ``now`` with its explanation: ``score``, ``engagement``, ``fit``, ``social`` (Decimals), ``grade``, ``explanation``."""
    def pool_facts(self, profile: Mapping[str, Any]) -> Document:
        """What ``Pool.due`` and ``Pool.claim`` need of a profile: ``customer_id``, ``owner``, ``stage``, ``last_follow_up``, ``open_tasks``, ``last_activity`` and ``last_activity_by_rule``."""
    def rescore(
        self, profile: Mapping[str, Any], history: Sequence[Mapping[str, Any]], now: datetime
    ) -> tuple[Document, Document]:
        """Re-score a profile from the customer's full event history; returns ``(profile, effects)``."""
    def priority_list(self, owner: str, profiles: Sequence[Mapping[str, Any]], now: datetime) -> list[Document]:
        """The owner's follow-up list, highest priority first: ``customer_id``, ``priority``, ``intent``, ``urgency``, ``value``, ``reason``."""
    def rfm(
        self, profiles: Sequence[Mapping[str, Any]], now: datetime, mode: Literal["binary", "quintiles"] = "binary"
    ) -> list[Document]:
        """RFM scores in input order: ``customer_id``, ``r``, ``f``, ``m`` and in binary mode ``segment``."""

class Pool:
    """A playbook's pool, transfer and assignment rules, checked once. Safe to share between threads."""

    def __init__(self, playbook: Playbook) -> None:
        """Compile the pool, transfer and assignment rules; raises ValidationError at its path."""
    def due(self, customers: Sequence[Mapping[str, Any]], now: datetime) -> Document:
        """What is due at ``now``: ``{"items": [{customer_id, owner, action, since, idle_days, ..., reason}]}``.

        ``action`` is "reclaim", "warn" or "kept". The GIL is released meanwhile.
        """
    def claim(self, employee: Mapping[str, Any], customer: Mapping[str, Any], now: datetime) -> Document:
        """Whether the employee may claim the customer: ``{customer_id, employee_id, allowed, refusals, reason}``."""
    def plan_transfer(
        self,
        request: Mapping[str, Any],
        now: datetime,
        history: Optional[Sequence[Mapping[str, Any]]] = None,
        employees: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> Document:
        """Check a transfer request against earlier records: ``{accepted, refused, records, completes_at}``."""
    def transfer_status(
        self,
        records: Sequence[Mapping[str, Any]],
        now: datetime,
        employees: Optional[Sequence[Mapping[str, Any]]] = None,
    ) -> Document:
        """The status of each transfer record at ``now``: ``{"outcomes": [...]}`` in input order."""
    def assign(
        self,
        employees: Sequence[Mapping[str, Any]],
        leads: Sequence[Mapping[str, Any]],
        now: datetime,
        state: Optional[Mapping[str, Any]] = None,
    ) -> Document:
        """Assign leads in order: ``{"decisions", "state", "employees"}``; pass ``state`` and ``employees`` to the next call."""

class Pricing:
    """A tenant's price list (the ``pricing`` section of a playbook), validated once."""

    @staticmethod
    def from_json(text: str) -> Pricing:
        """Load a pricing section written in JSON; raises ParseError or ValidationError at its path."""
    @staticmethod
    def from_dict(section: Mapping[str, Any]) -> Pricing:
        """Load a pricing section given as a dict; raises as ``from_json`` does."""
    @staticmethod
    def from_playbook(playbook: Playbook) -> Pricing:
        """The pricing section of a playbook."""
    @property
    def meters(self) -> list[Document]:
        """The meters, for :func:`meter`."""
    @property
    def commission(self) -> Optional[Document]:
        """The commission plan, for :func:`commission` as ``plan``; None when there is none."""
    @property
    def packs(self) -> Optional[Document]:
        """The usage packs, for :func:`pack_ladder`; None when there are none."""
    def to_dict(self) -> Document:
        """The whole section; ``Pricing.from_dict`` of it gives an equal pricing."""
    def invoice(
        self, subscription: Mapping[str, Any], usage: Mapping[str, Any], at: datetime, now: datetime
    ) -> Document:
        """The invoice of the period containing ``at`` as known at ``now``.

        ``usage`` maps a meter id to a quantity or a list of transaction amounts. Returns
        ``period``, ``status``, ``currency``, ``lines``, ``subtotal``, ``discount``, ``total``,
        ``coupons``, amounts as Decimal. Raises ValidationError at its path.
        """
    def statement(
        self, subscription: Mapping[str, Any], usage: Mapping[Union[date, str], Mapping[str, Any]], now: datetime
    ) -> Document:
        """Every invoice from the first period through the one containing ``now``: ``{"subscription_id", "invoices", "total"}``.

        ``usage`` maps each period's first local day to its usage. The GIL is released meanwhile.
        """
    def __eq__(self, other: object) -> bool: ...

def meter(
    meters: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    options: Optional[Mapping[str, Any]] = None,
) -> Document:
    """Meter usage events per customer, meter and period: ``{"values": [...], "report": {...}}``.

    ``options`` is ``{"timezone", "interval", "customers"}``, each optional. A bad event is
    rejected in the report, not raised. The GIL is released meanwhile.
    """

def price(charge: Mapping[str, Any], quantity: Union[DecimalLike, Sequence[DecimalLike]], currency: str) -> Document:
    """Price a quantity (or a list of transaction amounts) with a charge model, in arrears.

    Returns ``{"quantity", "amount": {"amount", "currency"}, "precise_amount", "explanation",
    "parts"}``. A float quantity raises TypeError.
    """

def advance_fees(
    charge: Mapping[str, Any],
    events: Sequence[DecimalLike],
    currency: str,
    prior: Optional[Sequence[DecimalLike]] = None,
) -> Document:
    """The fee of each event charged in advance, after the period's ``prior`` events: ``{"fees", "total"}``."""

def propagation(events: Sequence[Mapping[str, Any]], rules: Optional[Mapping[str, Any]] = None) -> Document:
    """The propagation trees of share, invite and arrival events: ``{"trees": [...], "skipped": [...]}``."""

def fission(
    campaign: Mapping[str, Any],
    events: Sequence[Mapping[str, Any]],
    now: datetime,
    existing_friends: Optional[Sequence[str]] = None,
) -> Document:
    """A fission campaign's progress at ``now``: ``{"campaign_id", "as_of", "inviters", "unattributed"}``."""

def funnel(options: Mapping[str, Any], journeys: Sequence[Mapping[str, Any]]) -> Document:
    """The lifecycle funnel: ``{"overall", "by_channel", "by_owner", "time_in_stage"}``. The GIL is released meanwhile."""

def became(options: Mapping[str, Any], journeys: Sequence[Mapping[str, Any]]) -> list[Document]:
    """When each journey first became each stage: ``[{"customer_id", "became": [{"stage", "at"}]}]``."""

def cohorts(options: Mapping[str, Any], journeys: Sequence[Mapping[str, Any]], as_of: datetime) -> Document:
    """Monthly cohorts as of ``as_of``: ``{"timezone", "as_of", "cohorts": [{month, size, retained, rates}]}``."""

def cost_per_lead(
    options: Mapping[str, Any], journeys: Sequence[Mapping[str, Any]], spend: Sequence[Mapping[str, Any]]
) -> Document:
    """Cost per lead per channel: ``{"lead_stage", "channels": [...], "total"}``."""

def report_html(report: Mapping[str, Any]) -> str:
    """A self-contained HTML report of ``{"title", "funnel"?, "cohorts"?, "cost_per_lead"?, "propagation"?, "scores"?}``."""

def attribute(attribution: Mapping[str, Any], sale: Mapping[str, Any]) -> Document:
    """Attribute a sale to its touches: ``{credits, excluded, attributed, unattributed, explanation, ...}``."""

def commission(
    plan: Mapping[str, Any],
    *,
    as_of: Union[datetime, str],
    sales: Optional[Sequence[Mapping[str, Any]]] = None,
    refunds: Optional[Sequence[Mapping[str, Any]]] = None,
    payouts: Optional[Sequence[Mapping[str, Any]]] = None,
    referrers: Optional[Mapping[str, str]] = None,
) -> Document:
    """Every commission line as of ``as_of``: ``{as_of, currency, lines, totals}``."""

def commission_statement(
    plan: Mapping[str, Any],
    promoter: str,
    start: Union[datetime, str],
    end: Union[datetime, str],
    *,
    sales: Optional[Sequence[Mapping[str, Any]]] = None,
    refunds: Optional[Sequence[Mapping[str, Any]]] = None,
    payouts: Optional[Sequence[Mapping[str, Any]]] = None,
    referrers: Optional[Mapping[str, str]] = None,
) -> Document:
    """A promoter's statement for ``[start, end)``: ``{promoter, currency, from, to, lines, totals, explanation}``."""

def pack_ladder(packs: Mapping[str, Any]) -> Document:
    """The pack ladder with effective unit prices: ``{"unit", "currency", "packs": [...]}``."""

def purchase(packs: Mapping[str, Any], pack_id: str, wallet_id: str, at: Union[datetime, str]) -> Document:
    """The wallet a purchase creates: ``{"id", "pack_id", "purchased_at", "expires_at"?, "paid_units", "bonus_units"}``."""

def consume(wallets: Sequence[Mapping[str, Any]], usages: Sequence[Mapping[str, Any]]) -> Document:
    """Consume usages from wallets: ``{"wallets": [...], "consumptions": [...]}``."""
# --- Batch functions over Arrow tables (issue 6 §2) ---------------------------------------------

ArrowTableResult = Any
"""A ``pyarrow.Table`` (or, without pyarrow, an object exposing ``__arrow_c_stream__``)."""

@overload
def fold_table(
    playbook: Playbook,
    events: ArrowTable,
    profiles: Optional[ArrowTable] = None,
    *,
    now: Optional[datetime] = None,
    effects: bool = True,
    state: bool = True,
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["raise"] = "raise",
) -> tuple[ArrowTableResult, ArrowTableResult]: ...
@overload
def fold_table(
    playbook: Playbook,
    events: ArrowTable,
    profiles: Optional[ArrowTable] = None,
    *,
    now: Optional[datetime] = None,
    effects: bool = True,
    state: bool = True,
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["reject"],
) -> tuple[ArrowTableResult, ArrowTableResult, RejectedRows]: ...
def fold_table(
    playbook: Playbook,
    events: ArrowTable,
    profiles: Optional[ArrowTable] = None,
    *,
    now: Optional[datetime] = None,
    effects: bool = True,
    state: bool = True,
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["raise", "reject"] = "raise",
) -> Union[tuple[ArrowTableResult, ArrowTableResult], tuple[ArrowTableResult, ArrowTableResult, RejectedRows]]:
    """Fold an events table into ``(profiles, effects)`` tables with the playbook's engine.

    ``events`` (pyarrow, polars, pandas, or any Arrow PyCapsule exporter) has columns ``id``,
    ``customer_id``, ``type`` (strings), ``at`` (timestamp with a timezone, or RFC 3339 text),
    optionally ``tenant_id``, ``platform``, ``channel_id``, ``channel_code``, ``text`` and
    ``properties`` (JSON object text); every other column is the event property of its name. Each
    customer's events are folded in time order, whatever the row order.

    ``profiles`` continues an earlier fold (its ``state`` column). The profiles table has
    ``customer_id``, ``stage``, ``score`` (at ``now``, default each customer's latest event),
    ``grade``, ``tags``, ``owner``, ``last_event_at``, ``events_seen`` and ``state``; the effects
    table one row per change: ``customer_id``, ``event_id``, ``at``, ``kind``, ``detail``,
    ``reason``. ``effects=False`` takes the core's faster batch fold and leaves effects empty;
    ``state=False`` leaves out the ``state`` column (no continuing from this result).

    The GIL is released meanwhile. A bad row raises ValidationError at
    ``events[<row>].<column>``; with ``on_error="reject"`` returns
    ``(profiles, effects, rejected)``. A bad profile always raises (``profiles[<row>].state``).
    """

@overload
def meter_table(
    meters: Union[Playbook, Sequence[JsonDict], str],
    usage: ArrowTable,
    *,
    timezone: Optional[str] = None,
    interval: Literal["month", "quarter", "year"] = "month",
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["raise"] = "raise",
) -> ArrowTableResult: ...
@overload
def meter_table(
    meters: Union[Playbook, Sequence[JsonDict], str],
    usage: ArrowTable,
    *,
    timezone: Optional[str] = None,
    interval: Literal["month", "quarter", "year"] = "month",
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["reject"],
) -> tuple[ArrowTableResult, RejectedRows]: ...
def meter_table(
    meters: Union[Playbook, Sequence[JsonDict], str],
    usage: ArrowTable,
    *,
    timezone: Optional[str] = None,
    interval: Literal["month", "quarter", "year"] = "month",
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["raise", "reject"] = "raise",
) -> Union[ArrowTableResult, tuple[ArrowTableResult, RejectedRows]]:
    """Meter a usage table: one row per customer, meter and calendar period.

    ``meters`` is a Playbook (its ``pricing.meters``, periods in its timezone), or meter dicts or
    their JSON text. ``usage`` has columns ``id``, ``customer_id``, ``type``, ``at``, optionally
    ``operation`` (``add``/``remove``), and the columns the meters read (strings, integers,
    decimals; floats are refused). Returns ``customer_id``, ``meter_id``, ``period_start``,
    ``period_end``, ``first_day``, ``last_day``, ``value`` (decimal string or decimal128) and
    ``events``. A repeat counts once; a bad row or a conflicting repeat raises ValidationError at
    ``usage[<row>].<column>``, or is listed with ``on_error="reject"``. The table's schema metadata
    accounts for every row: ``scrm.rows`` = ``scrm.metered`` + ``scrm.replayed`` +
    ``scrm.unmetered`` (a type no meter reads) + ``scrm.rejected``.
    """

@overload
def price_table(
    pricing: Union[Playbook, JsonDict, str],
    subscriptions: ArrowTable,
    *,
    at: datetime,
    now: datetime,
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["raise"] = "raise",
) -> tuple[ArrowTableResult, ArrowTableResult]: ...
@overload
def price_table(
    pricing: Union[Playbook, JsonDict, str],
    subscriptions: ArrowTable,
    *,
    at: datetime,
    now: datetime,
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["reject"],
) -> tuple[ArrowTableResult, ArrowTableResult, RejectedRows]: ...
def price_table(
    pricing: Union[Playbook, JsonDict, str],
    subscriptions: ArrowTable,
    *,
    at: datetime,
    now: datetime,
    decimal: Literal["string", "decimal128"] = "string",
    on_error: Literal["raise", "reject"] = "raise",
) -> Union[tuple[ArrowTableResult, ArrowTableResult], tuple[ArrowTableResult, ArrowTableResult, RejectedRows]]:
    """Price many subscriptions into ``(invoices, lines)`` for the period containing ``at``.

    ``subscriptions`` has a ``subscription`` column (JSON text) or the fields as columns (``id``,
    ``customer_id``, ``plan``, ``started_at``, ``timezone``, optionally ``anchor``, ``seats``,
    ``overrides``, ``coupons``, ``changes``); usage from a ``usage`` column (JSON text) and/or
    ``usage.<meter id>`` columns. Amounts are decimal strings or decimal128, never floats. A
    subscription that cannot be priced raises ValidationError at
    ``subscriptions[<row>].<column>``; with ``on_error="reject"`` the others are still priced.
    """
