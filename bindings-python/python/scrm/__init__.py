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

Every error is a :class:`ScrmError`; its subclass says the kind, ``kind`` is the stable code
shared with the Node and Kotlin bindings, and ``problems`` lists each problem with its path.
"""

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
    TagGroup,
    Tagger,
    UnsupportedVersionError,
    ValidationError,
    __version__,
    decision_chain,
    merge,
    normalize_identity,
    resolve,
)

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
]
