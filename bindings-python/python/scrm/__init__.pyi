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
    resolve_aliases as resolve_aliases,
)

# The full surface (issue 6): engine, pool, social and analytics, billing, CPS and packs.
from scrm._native import (
    Engine as Engine,
    Pool as Pool,
    Pricing as Pricing,
    advance_fees as advance_fees,
    attribute as attribute,
    became as became,
    cohorts as cohorts,
    commission as commission,
    commission_statement as commission_statement,
    consume as consume,
    cost_per_lead as cost_per_lead,
    fission as fission,
    funnel as funnel,
    meter as meter,
    pack_ladder as pack_ladder,
    price as price,
    propagation as propagation,
    purchase as purchase,
    report_html as report_html,
)
# Batch functions over Arrow tables (issue 6 §2).
from scrm._native import fold_table as fold_table
from scrm._native import meter_table as meter_table
from scrm._native import price_table as price_table
