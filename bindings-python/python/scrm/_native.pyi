"""Type stubs of the native module; import from ``scrm``, not from here."""

from typing import Literal, Optional

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
