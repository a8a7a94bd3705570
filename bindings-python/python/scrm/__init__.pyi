from scrm._native import (
    Channel as Channel,
    InternalError as InternalError,
    ParseError as ParseError,
    Playbook as Playbook,
    Problem as Problem,
    ScrmError as ScrmError,
    Tag as Tag,
    TagGroup as TagGroup,
    UnsupportedVersionError as UnsupportedVersionError,
    ValidationError as ValidationError,
    __version__ as __version__,
)
