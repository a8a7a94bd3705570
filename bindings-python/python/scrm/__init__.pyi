from scrm._native import (
    Channel as Channel,
    CompiledCondition as CompiledCondition,
    Condition as Condition,
    DecisionChain as DecisionChain,
    Identity as Identity,
    InternalError as InternalError,
    ParseError as ParseError,
    Playbook as Playbook,
    Problem as Problem,
    ScrmError as ScrmError,
    Segment as Segment,
    Tag as Tag,
    TagChange as TagChange,
    TagGroup as TagGroup,
    Tagger as Tagger,
    UnsupportedVersionError as UnsupportedVersionError,
    ValidationError as ValidationError,
    __version__ as __version__,
    decision_chain as decision_chain,
    merge as merge,
    normalize_identity as normalize_identity,
    resolve as resolve,
)

# Batch functions over Arrow tables (issue 6 §2).
from scrm._native import fold_table as fold_table
from scrm._native import meter_table as meter_table
from scrm._native import price_table as price_table
