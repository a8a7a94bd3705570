// Runs every vector in conformance/vectors through the Node binding.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const dir = path.join(repo, 'conformance', 'vectors')
const vectors = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).vectors)

function sourceText(v) {
  if ('text' in v) return v.text
  if ('file' in v) return fs.readFileSync(path.join(repo, v.file), 'utf8')
  return JSON.stringify(v.document)
}

function summary(p) {
  return {
    schema_version: p.schemaVersion,
    tenant_id: p.tenantId,
    timezone: p.timezone,
    channels: p.channels.map((c) => c.id),
    groups: p.tagGroups.map((g) => ({ id: g.id, exclusive: g.exclusive, tags: g.tags.map((t) => t.id) })),
  }
}

// As the Rust runner's `outcome`: a scrm error becomes {error: {kind, paths}}; anything else is a bug.
function outcome(work) {
  try {
    return work()
  } catch (err) {
    if (!err.problems) throw err
    return { error: { kind: err.code, paths: err.problems.map((p) => p.path) } }
  }
}

const playbooks = new Map()
function playbook(v) {
  if (!playbooks.has(v.playbook)) {
    playbooks.set(v.playbook, scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, v.playbook), 'utf8')))
  }
  return playbooks.get(v.playbook)
}

// As the Rust runner's `text`: an absent (or null) list is an empty one.
const list = (value) => (value === undefined || value === null ? [] : value)

const str = (value) => (typeof value === 'string' ? value : undefined)

// The identity in its JSON shape, as serde writes it: optional fields only when set.
function identityJson(i) {
  const out = { kind: i.kind }
  if (i.namespace !== undefined && i.namespace !== null) out.namespace = i.namespace
  if (i.scope !== undefined && i.scope !== null) out.scope = i.scope
  out.value = i.value
  if (i.strong) out.strong = true
  return out
}

const changesValue = (changes) => changes.map((c) => ({ tag_id: c.tagId, action: c.action, reason: c.reason }))

// The tags a customer carries, with their expiry where they have one, sorted by id.
function carriedTags(customer) {
  return customer.tags
    .map((t) => ('expires_at' in t ? { tag_id: t.tag_id, expires_at: t.expires_at } : { tag_id: t.tag_id }))
    .sort((a, b) => (a.tag_id < b.tag_id ? -1 : a.tag_id > b.tag_id ? 1 : 0))
}

function tagEvents(v) {
  const tagger = scrm.Tagger.fromPlaybook(playbook(v))
  return outcome(() => {
    let customer = v.customer
    const changes = []
    for (const [i, event] of v.events.entries()) {
      const result = tagger.onEvent(customer, event, v.events.slice(0, i))
      customer = result.customer
      changes.push(changesValue(result.changes))
    }
    return { changes, tags: carriedTags(customer) }
  })
}

// As the Rust runner's `segment_members`: include and exclude keep their string ids; absent
// histories and scores are none.
function segmentMembers(v) {
  const p = playbook(v)
  const ids = (value) => (Array.isArray(value) ? value.filter((x) => typeof x === 'string') : [])
  const optional = (value) => (value === undefined || value === null ? undefined : value)
  return outcome(() => {
    const segment = scrm.Segment.create(scrm.Condition.parse(v.condition).compile(p), ids(v.include), ids(v.exclude))
    return { members: segment.members(list(v.customers), v.now, optional(v.histories), optional(v.scores)) }
  })
}

// As the Rust runner's `tag_by_hand`: steps in order (`tag` + `at`, `untag`, `expire`,
// `pre_tags`), the changes of each and the tags carried at the end.
function tagByHand(v) {
  const tagger = scrm.Tagger.fromPlaybook(playbook(v))
  return outcome(() => {
    let customer = v.customer
    const changes = []
    for (const step of v.steps) {
      let result
      if (typeof step.tag === 'string') result = tagger.tag(customer, step.tag, step.at)
      else if (typeof step.untag === 'string') result = tagger.untag(customer, step.untag)
      else if ('expire' in step) result = tagger.expire(customer, step.expire)
      else result = tagger.applyPreTags(customer, step.pre_tags ?? null)
      customer = result.customer
      changes.push(changesValue(result.changes))
    }
    return { changes, tags: carriedTags(customer) }
  })
}

// The decision chain with the snake_case keys of its JSON form.
function decisionChain(v) {
  return outcome(() => {
    const c = scrm.decisionChain(v.account)
    return {
      decision_makers: c.decisionMakers,
      influencers: c.influencers,
      champions: c.champions,
      gatekeepers: c.gatekeepers,
      gaps: c.gaps,
    }
  })
}

// A field of a JSON value as the Rust runner's `value["key"]` reads it: absent is null.
const at = (value, key) => (value !== null && typeof value === 'object' && value[key] !== undefined ? value[key] : null)

// As the Rust runner's `pick`: the named fields of each object of a list, those present.
function pick(items, keys) {
  if (!Array.isArray(items)) return null
  return items.map((item) => Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]])))
}

// The playbook of a pool vector: a file path, or the document itself.
function poolPlaybook(v) {
  return typeof v.playbook === 'string' ? playbook(v) : scrm.Playbook.fromJson(JSON.stringify(v.playbook))
}

// The pool, claim, transfer and assignment ops: each calls its `Pool` method; the whole output
// is compared.
function runPool(v) {
  const pool = () => scrm.Pool.fromPlaybook(poolPlaybook(v))
  switch (v.op) {
    case 'pool.due':
      return outcome(() => pool().due(v.customers, v.now))
    case 'pool.claim':
      return outcome(() => pool().claim(v.employee, v.customer, v.now))
    case 'transfer.plan':
      return outcome(() => pool().planTransfer(v.request, v.now, list(v.history), v.employees))
    case 'transfer.status':
      return outcome(() => pool().transferStatus(v.records, v.now, v.employees))
    case 'assignment.assign':
      return outcome(() => pool().assign(v.employees, v.leads, v.now, v.state))
    default:
      return undefined
  }
}

// Propagation trees without the explanation texts (as the Rust runner's `propagation_summary`).
function propagationSummary(out) {
  const trees = out.trees.map((t) => ({
    ...t,
    nodes: at(t, 'nodes') === null ? null : t.nodes.map((n) => ({ customer_id: n.customer_id, parent: at(n, 'parent'), depth: n.depth })),
  }))
  return { trees, skipped: out.skipped.map((s) => s.event_id) }
}

function fissionSummary(out) {
  const inviters = out.inviters.map((i) => ({
    inviter_id: i.inviter_id,
    count: i.count,
    reward_earned: i.reward_earned,
    reached_at: at(i, 'reached_at'),
    helps: i.helps.map((h) => [h.event_id, h.status]),
  }))
  return { inviters, unattributed: out.unattributed }
}

function countsSummary(c) {
  return {
    key: at(c, 'key'),
    journeys: c.journeys,
    unstaged: c.unstaged,
    counts: c.stages.map((s) => at(s, 'count')),
    rates: c.conversions.map((x) => at(x, 'rate')),
    overall: at(c, 'overall'),
  }
}

function funnelSummary(out) {
  return {
    overall: countsSummary(out.overall),
    by_channel: out.by_channel.map(countsSummary),
    by_owner: out.by_owner.map(countsSummary),
    time_in_stage: out.time_in_stage,
  }
}

function meterSummary(out) {
  const values = out.values.map((x) => ({
    customer_id: x.customer_id,
    meter_id: x.meter_id,
    first_day: x.period.first_day,
    last_day: x.period.last_day,
    start: x.period.start,
    value: x.value,
    events: x.events,
  }))
  const r = out.report
  const listed = (key, field) => r[key].map((c) => ({ index: at(c, 'index'), [field]: at(c, field) }))
  return {
    values,
    report: {
      accepted: r.accepted,
      replayed: r.replayed,
      unmetered: r.unmetered,
      conflicts: listed('conflicts', 'id'),
      rejected: listed('rejected', 'path'),
    },
  }
}

// An invoice reduced to what vectors pin (as the Rust runner's `invoice_summary`).
function invoiceSummary(inv) {
  return {
    first_day: inv.period.first_day,
    last_day: inv.period.last_day,
    status: inv.status,
    currency: inv.currency,
    lines: inv.lines.map((l) => ({ kind: l.kind, amount: l.amount.amount })),
    subtotal: inv.subtotal.amount,
    discount: inv.discount.amount,
    total: inv.total.amount,
    coupons: inv.coupons.map((c) => {
      const out = { coupon: c.coupon, discount: c.discount.amount }
      if (c.remaining !== undefined) out.remaining = c.remaining.amount
      return out
    }),
  }
}

// The engine of a vector: `playbook` is a file path, or an object completed with
// `schema_version` 1, `tenant_id` "t" and `timezone` "UTC" where it leaves them out.
function engineOf(v) {
  const p =
    typeof v.playbook === 'string'
      ? playbook(v)
      : scrm.Playbook.fromJson(JSON.stringify({ schema_version: 1, tenant_id: 't', timezone: 'UTC', ...v.playbook }))
  return scrm.Engine.fromPlaybook(p)
}

// An event of a vector: `tenant_id` defaults to the engine's tenant and `customer_id` to "c1".
const eventOf = (engine, e) => ({ ...e, tenant_id: e.tenant_id ?? engine.tenantId, customer_id: e.customer_id ?? 'c1' })

const wants = (v, key) => Array.isArray(v.report) && v.report.includes(key)

// The effects of one step, with only what is there (as the Rust runner's `step_summary`).
function stepSummary(effects) {
  const out = {}
  for (const flag of ['replayed', 'refolded']) if (effects[flag] === true) out[flag] = true
  const items = (key) => (Array.isArray(effects[key]) ? effects[key] : [])
  const sign = { added: '+', removed: '-' }
  const parts = {
    tags: items('tags').map((t) => `${sign[t.action] ?? '~'}${t.tag_id ?? ''}`),
    stages: items('stages').map((c) => [at(c, 'from'), at(c, 'to'), at(c, 'rule')]),
    thresholds: items('thresholds').map((t) => `${t.fired === true ? '+' : '-'}${t.id ?? ''}`),
    tasks: items('tasks').map((x) => at(x, 'id')),
    alerts: items('alerts').map((x) => at(x, 'id')),
  }
  for (const [key, value] of Object.entries(parts)) if (value.length > 0) out[key] = value
  const delta = effects.score?.delta
  if (typeof delta === 'string' && delta !== '0') out.delta = delta
  return out
}

// What a vector asks about a profile (as the Rust runner's `profile_report`).
function profileReport(engine, v, profile, out) {
  const scored = ['score', 'components', 'grade', 'rules', 'groups', 'total_capped', 'fit', 'social']
  if (scored.some((k) => wants(v, k))) {
    const score = engine.score(profile, v.now)
    const x = score.explanation
    const keyed = (key, id, fields) =>
      Object.fromEntries((x[key] ?? []).map((part) => [part[id] ?? '', Object.fromEntries(fields.map((f) => [f, at(part, f)]))]))
    const all = {
      score: at(score, 'score'),
      components: { engagement: at(score, 'engagement'), fit: at(score, 'fit'), social: at(score, 'social') },
      grade: at(score, 'grade'),
      rules: keyed('rules', 'rule', ['events', 'raw', 'capped', 'decayed', 'points']),
      groups: keyed('groups', 'group', ['net', 'capped', 'points']),
      total_capped: at(x, 'total_capped'),
      fit: keyed('fit', 'rule', ['matched', 'points', 'grade_steps']),
      social: keyed('social', 'source', ['amount', 'raw', 'capped', 'points']),
    }
    for (const [key, value] of Object.entries(all)) if (wants(v, key)) out[key] = value
  }
  const live = profile.live
  if (wants(v, 'stage')) out.stage = at(live.customer, 'stage')
  if (wants(v, 'history')) {
    out.history = (live.lifecycle?.history ?? []).map((c) => [at(c, 'from'), at(c, 'to'), at(c, 'rule'), at(c, 'at')])
  }
  if (wants(v, 'fired')) out.fired = (live.fired ?? []).map((f) => at(f, 'id'))
  if (wants(v, 'tags')) out.tags = (live.customer.tags ?? []).map((t) => t.tag_id).sort()
  if (wants(v, 'pool_facts')) out.pool_facts = engine.poolFacts(profile)
}

// One customer through `steps` (as the Rust runner's `engine_run`).
function engineRun(v) {
  let engine = engineOf(v)
  let profile = v.customer == null ? null : engine.newProfile(v.customer)
  const steps = []
  for (const step of v.steps ?? []) {
    const result = outcome(() => {
      if ('event' in step) return engine.apply(profile, eventOf(engine, step.event), step.now ?? step.event.at)
      if ('tick' in step) return engine.tick(profile, step.tick)
      if ('rescore' in step) {
        // The edited playbook's engine re-scores, then runs the steps after.
        engine = engineOf(step.rescore)
        return engine.rescore(profile, step.rescore.events.map((e) => eventOf(engine, e)), step.rescore.now)
      }
      const folded = engine.fold(profile === null ? [] : [profile], step.events.map((e) => eventOf(engine, e)))
      return { profile: folded.profiles[0], effects: { refused: (folded.report.refused ?? []).map((r) => r.event_id) } }
    })
    if ('error' in result) {
      steps.push(result)
      continue
    }
    profile = result.profile
    const summary = stepSummary(result.effects)
    if (Array.isArray(result.effects.refused) && result.effects.refused.length > 0) summary.refused = result.effects.refused
    steps.push(summary)
  }
  const out = {}
  if (wants(v, 'steps')) out.steps = steps
  if (profile !== null) profileReport(engine, v, profile, out)
  return out
}

// Many customers (as the Rust runner's `engine_batch`).
function engineBatch(v) {
  const engine = engineOf(v)
  let profiles = (v.customers ?? []).map((c) => engine.newProfile(c))
  const batches = Array.isArray(v.batches) ? v.batches : [v.events]
  const folds = []
  for (const batch of batches) {
    const { profiles: next, report: r } = engine.fold(profiles, batch.map((e) => eventOf(engine, e)))
    profiles = next
    folds.push({ applied: r.applied, replayed: r.replayed, created: r.created, refused: (r.refused ?? []).map((x) => x.event_id) })
  }
  const out = {}
  const id = (p) => p.live.customer.id
  if (wants(v, 'fold')) out.fold = folds
  if (wants(v, 'stages')) out.stages = Object.fromEntries(profiles.map((p) => [id(p), at(p.live.customer, 'stage')]))
  if (wants(v, 'scores')) out.scores = Object.fromEntries(profiles.map((p) => [id(p), engine.score(p, v.now).score]))
  if (wants(v, 'rfm')) {
    out.rfm = engine.rfm(profiles, v.now, v.rfm_mode ?? 'binary').map((r) => {
      const row = { customer_id: r.customer_id, r: r.r, f: r.f, m: r.m }
      if (r.segment !== undefined) row.segment = r.segment
      return row
    })
  }
  if (wants(v, 'priority')) out.priority = engine.priorityList(v.owner, profiles, v.now)
  return out
}

const LINE_KEYS = ['sale_id', 'touch_index', 'level', 'promoter', 'attributed', 'rate', 'rate_source', 'commission', 'paid', 'amount', 'status']

const linesView = (c) => ({ lines: pick(c.lines, LINE_KEYS), totals: c.totals })

// The input document of a CPS or packs vector: the vector without `id`, `description`, `op` and
// `expect`, whose parts the binding's functions take as arguments.
function documentOf(v) {
  const { id, description, op, expect, ...doc } = v
  return doc
}

function runBilling(v) {
  const d = documentOf(v)
  switch (v.op) {
    case 'billing.meter':
      return outcome(() => meterSummary(scrm.meter(v.meters, list(v.events), v.options)))
    case 'billing.price':
      return outcome(() => {
        const out = scrm.price(v.charge ?? null, v.quantity ?? null, str(v.currency) ?? '')
        return { amount: out.amount.amount, precise_amount: out.precise_amount, explanation: out.explanation }
      })
    case 'billing.advance':
      return outcome(() => {
        const out = scrm.advanceFees(v.charge ?? null, list(v.events), str(v.currency) ?? '', list(v.prior))
        return { fees: out.fees.map((f) => f.amount.amount), total: out.total.amount }
      })
    case 'billing.invoice':
      return outcome(() => invoiceSummary(scrm.Pricing.fromJson(v.pricing ?? null).invoice(v.subscription, v.usage, v.at, v.now)))
    case 'billing.statement':
      return outcome(() => {
        const out = scrm.Pricing.fromJson(v.pricing ?? null).statement(v.subscription, v.usage, v.now)
        return { invoices: out.invoices.map(invoiceSummary), total: out.total.amount }
      })
    case 'cps.attribute':
      return outcome(() => {
        const a = scrm.attribute(d.attribution, d.sale)
        return {
          credits: pick(a.credits, ['touch_index', 'weight', 'amount']),
          excluded: pick(a.excluded, ['touch_index', 'reason']),
          unattributed: a.unattributed,
        }
      })
    case 'cps.commission': {
      const { plan, as_of: asOf, ...history } = d
      return outcome(() => linesView(scrm.commission(plan, history, asOf)))
    }
    case 'cps.statement': {
      const { plan, promoter, from, to, ...history } = d
      return outcome(() => linesView(scrm.commissionStatement(plan, history, promoter, from, to)))
    }
    case 'packs.ladder':
      return outcome(() => ({ packs: pick(scrm.packLadder(d.packs).packs, ['id', 'total_units', 'unit_price', 'discount_percent']) }))
    case 'packs.purchase':
      return outcome(() => ({ wallet: scrm.purchase(d.packs, d.pack_id, d.wallet_id, d.at) }))
    case 'packs.consume':
      return outcome(() => {
        const c = scrm.consume(d.wallets, d.usages)
        return {
          wallets: pick(c.wallets, ['id', 'paid_units', 'bonus_units']),
          consumptions: c.consumptions.map((x) => ({
            usage_id: x.usage_id,
            consumed: x.consumed,
            shortfall: x.shortfall,
            lines: pick(x.lines, ['wallet_id', 'kind', 'units']),
            expired: pick(x.expired, ['wallet_id', 'bonus_units', 'paid_units']),
          })),
        }
      })
    default:
      return undefined
  }
}

function runAnalytics(v) {
  switch (v.op) {
    case 'social.propagation':
      return outcome(() => ({ summary: propagationSummary(scrm.propagation(list(v.events), v.rules)) }))
    case 'social.fission':
      return outcome(() => ({ summary: fissionSummary(scrm.fission(v.campaign ?? null, list(v.events), v.now, v.existing_friends)) }))
    case 'analytics.funnel':
      return outcome(() => ({ summary: funnelSummary(scrm.funnel(v.options ?? null, list(v.journeys))) }))
    case 'analytics.became':
      return outcome(() => ({ summary: scrm.became(v.options ?? null, list(v.journeys)) }))
    case 'analytics.cohorts':
      return outcome(() => ({ summary: scrm.cohorts(v.options ?? null, list(v.journeys), v.as_of) }))
    case 'analytics.cost_per_lead':
      return outcome(() => ({ summary: scrm.costPerLead(v.options ?? null, list(v.journeys), list(v.spend)) }))
    default:
      return undefined
  }
}

function run(v) {
  const bound = runPool(v) ?? runAnalytics(v) ?? runBilling(v)
  if (bound !== undefined) return bound
  switch (v.op) {
    case 'engine.run':
      return engineRun(v)
    case 'engine.batch':
      return engineBatch(v)
    case 'playbook.load': {
      const load = { json: (t) => scrm.Playbook.fromJson(t), toml: (t) => scrm.Playbook.fromToml(t) }[v.format]
      return outcome(() => ({ summary: summary(load(sourceText(v))) }))
    }
    case 'identity.normalize':
      // As the Rust runner: a missing kind or value is "", a missing scope none.
      return outcome(() => ({ identity: identityJson(scrm.normalizeIdentity(str(v.kind) ?? '', str(v.value) ?? '', str(v.scope))) }))
    case 'identity.resolve':
      return outcome(() => ({ clusters: scrm.resolve(list(v.customers)) }))
    case 'customer.merge':
      return outcome(() => ({ customer: scrm.merge(list(v.customers), v.policy) }))
    case 'tagging.events':
      return tagEvents(v)
    case 'condition.parse':
      return outcome(() => {
        // As the Rust runner: a string `text` is the text form, anything else reads `json`.
        const c =
          typeof v.text === 'string' ? scrm.Condition.parse(v.text) : scrm.Condition.fromJson(JSON.stringify(v.json ?? null))
        return { text: c.toText(), json: c.toJson() }
      })
    case 'condition.evaluate': {
      const p = playbook(v)
      return outcome(() => ({
        result: scrm.Condition.parse(v.condition)
          .compile(p)
          .evaluate(v.customer, v.now, list(v.history), v.score),
      }))
    }
    case 'segment.members':
      return segmentMembers(v)
    case 'account.decision_chain':
      return decisionChain(v)
    case 'tagging.manual':
      return tagByHand(v)
    default:
      throw new Error(`unknown op ${v.op} in ${v.id}`)
  }
}

test('there are vectors', () => assert.ok(vectors.length >= 15))

test('every vector has an expected outcome', () => assert.deepEqual(vectors.filter((v) => v.expect == null).map((v) => v.id), []))

// Ops not bound in Node yet: skipped visibly; an op both listed there and run here is an error.
const pending = new Set(JSON.parse(fs.readFileSync(path.join(repo, 'conformance/pending.json'), 'utf8')).node)

test('every op is run here or listed in conformance/pending.json', () => {
  const unknown = [...new Set(vectors.map((v) => v.op))].filter((op) => !pending.has(op) && !runs(op))
  assert.deepEqual(unknown, [])
  assert.deepEqual([...pending].filter(runs), [], 'run here, so remove from conformance/pending.json')
})

/** Whether `run` handles `op` (it throws "unknown op" for the others). */
function runs(op) {
  try {
    run({ op, id: 'probe' })
    return true
  } catch (e) {
    return !String(e.message).startsWith(`unknown op ${op}`)
  }
}

for (const v of vectors) {
  if (pending.has(v.op)) {
    test(v.id, { skip: `op ${v.op} is not bound in Node yet (conformance/pending.json)` }, () => {})
  } else {
    test(v.id, () => assert.deepEqual(run(v), v.expect))
  }
}
