"""scrm: social CRM logic from one playbook, the same answers as the Rust core.

Load a tenant's playbook, then work with customers, tags, scores, stages and bills::

    import scrm

    playbook = scrm.Playbook.from_toml(open("playbook.toml").read())
    print(playbook.tenant_id, [g.name for g in playbook.tag_groups])

Every error is a :class:`ScrmError`; its subclass says the kind, ``kind`` is the stable code
shared with the Node and Kotlin bindings, and ``problems`` lists each problem with its path.
"""

from scrm._native import (
    Channel,
    InternalError,
    ParseError,
    Playbook,
    Problem,
    ScrmError,
    Tag,
    TagGroup,
    UnsupportedVersionError,
    ValidationError,
    __version__,
)

__all__ = [
    "Channel",
    "InternalError",
    "ParseError",
    "Playbook",
    "Problem",
    "ScrmError",
    "Tag",
    "TagGroup",
    "UnsupportedVersionError",
    "ValidationError",
    "__version__",
]
