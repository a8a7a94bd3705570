// Compiled (never run) by types.test.js with `tsc --strict`: the declarations fit real use.
import {
  Condition,
  Engine,
  Playbook,
  Pool,
  Pricing,
  Segment,
  Tagger,
  advanceFees,
  attribute,
  became,
  cohorts,
  commission,
  commissionStatement,
  consume,
  costPerLead,
  decisionChain,
  fission,
  funnel,
  merge,
  meter,
  normalizeIdentity,
  packLadder,
  price,
  propagation,
  purchase,
  reportHtml,
  resolve,
} from '..'
import type {
  AccountJson,
  AnalyticsOptionsJson,
  AssignStateJson,
  CustomerJson,
  DecisionChain,
  EmployeeJson,
  EventJson,
  Invoice,
  Money,
  PoolFactsJson,
  PreTagJson,
  ProfileJson,
  ScrmError,
  StageJourneyJson,
  SubscriptionJson,
  TagChange,
  WalletJson,
} from '..'

declare const playbook: Playbook

const phone = normalizeIdentity('phone', '138 0013 8000')
const customer: CustomerJson = { tenant_id: 't', id: 'c1', created_at: '2026-03-01T00:00:00Z', identities: [phone] }
const event: EventJson = { tenant_id: 't', id: 'e1', customer_id: 'c1', type: 'message', at: '2026-03-15T02:00:00Z', text: '价格' }

const clusters: string[][] = resolve([customer, { ...customer, id: 'c2' }])
const merged: CustomerJson = merge([customer], { default: 'newest_non_empty', attributes: { orders: 'sum' } })

const tagger = Tagger.fromPlaybook(playbook)
const { customer: tagged, changes } = tagger.onEvent(merged, event, [])
const added: TagChange[] = changes.filter((c) => c.action === 'added')
const ids: string[] = added.map((c) => c.tagId + (c.provenance.id ?? ''))

const condition = Condition.fromJson({ has_tag: '高意向' })
const same: boolean = condition.equals(Condition.parse(condition.toText()))
const holds: boolean = condition.compile(playbook).evaluate(tagged, new Date(), undefined, '72.5')

const segment = Segment.create(condition.compile(playbook), ['c-vip'], ['c-blocked'])
const members: string[] = segment.members([customer, tagged], '2026-03-15T02:00:00Z', { c1: [event] }, { c1: '72.5' })
const pinned: string[] = segment.included.concat(segment.excluded)

const account: AccountJson = { tenant_id: 't', id: 'a', name: '华东餐饮集团', contacts: [{ customer_id: 'c1', roles: ['decision_maker'] }] }
const chain: DecisionChain = decisionChain(account)
const gaps: string[] = chain.decisionMakers.concat(chain.influencers, chain.champions, chain.gatekeepers, chain.gaps)

const preTags: PreTagJson[] = [{ identity: phone, tag: '门店扫码', at: new Date() }]
const byHand: TagChange[] = [
  ...tagger.tag(customer, '高意向', new Date()).changes,
  ...tagger.untag(customer, 'intent_high').changes,
  ...tagger.expire(customer, '2026-05-30T00:00:00Z').changes,
  ...tagger.applyPreTags(customer, preTags).changes,
]
const carried: CustomerJson = tagger.expire(tagged, new Date()).customer

// Engine: profiles in and out, effects typed.
const engine = Engine.fromPlaybook(playbook)
const fresh: ProfileJson = engine.newProfile(customer)
const applied = engine.apply(null, event, new Date())
const stage: string | undefined = applied.profile.live.customer.stage
const added2: string[] = (applied.effects.tags ?? []).filter((t) => t.action === 'added').map((t) => t.tag_id)
const moved: Array<string | null> = (applied.effects.stages ?? []).map((s) => s.from)
const delta: string | undefined = applied.effects.score?.delta
const folded = engine.fold([fresh, applied.profile], [event])
const later: Promise<number> = engine.foldAsync([fresh], [event]).then((r) => r.report.applied)
const created: number = folded.report.created + (folded.report.refused ?? []).length
const scoreText: string = engine.score(folded.profiles[0], '2026-03-15T02:00:00Z').score
const ticked = engine.tick(applied.profile, new Date()).effects.alerts ?? []
const rescored: ProfileJson = engine.rescore(applied.profile, [event], new Date()).profile
const priorities: string[] = engine.priorityList('wang', folded.profiles, new Date()).map((p) => p.priority + p.reason)
const segments: Array<string | undefined> = engine.rfm(folded.profiles, new Date(), 'quintiles').map((r) => r.segment)

// Pool: records in, decisions with reasons out.
const pool = Pool.fromPlaybook(playbook)
const facts: PoolFactsJson = { customer_id: 'c1', owner: { id: 'wang', since: new Date() }, stage: 'lead' }
const dueActions: Array<'reclaim' | 'warn' | 'kept'> = pool.due([facts], new Date()).items.map((i) => i.action)
const employee: EmployeeJson = { id: 'wang', status: 'active', working_hours: [{ days: ['mon'], from: '09:00', to: '18:00' }] }
const allowed: boolean = pool.claim(employee, { customer_id: 'c2' }, new Date()).allowed
const plan = pool.planTransfer({ kind: 'resigned', handover: 'wang', takeover: 'li', customers: ['c1'] }, new Date(), [], [employee])
const statuses: string[] = pool.transferStatus(plan.records, new Date(), [employee]).outcomes.map((o) => o.status)
const assigned = pool.assign([employee], [{ customer_id: 'c3', channel_code: 'qr-1' }], new Date())
const state: AssignStateJson = assigned.state
const taker: string | null = pool.assign(assigned.employees, [], new Date(), state).decisions[0]?.employee_id ?? null

// Social and analytics.
const trees = propagation([event], { include_nodes: true }).trees
const kFactor: string | undefined = trees[0]?.k_factor
const earned: boolean[] = fission({ id: 'spring', goal: 2, starts_at: new Date() }, [event], new Date(), ['c9']).inviters.map((i) => i.reward_earned)
const options: AnalyticsOptionsJson = { stages: ['lead', 'mql'], timezone: 'Asia/Shanghai' }
const journeys: StageJourneyJson[] = [{ customer_id: 'c1', created_at: new Date(), stages: [{ stage: 'lead', at: '2026-03-01T00:00:00Z' }] }]
const report = funnel(options, journeys)
const rates: Array<string | null> = report.overall.conversions.map((c) => c.rate)
const becameAt: string[] = became(options, journeys).flatMap((b) => b.became.map((x) => x.at))
const cohortRates: string[][] = cohorts(options, journeys, new Date()).cohorts.map((c) => c.rates)
const perLead: Array<string | null> = costPerLead(options, journeys, [{ channel: 'douyin', amount: '100.00', currency: 'CNY' }]).channels.map((c) => c.cost_per_lead)
const html: string = reportHtml({ title: 'March', funnel: report, scores: [12, 40] })

// Billing: decimal strings for money.
const metered = meter([{ id: 'sms', event: 'sms_sent', aggregation: 'count' }], [{ id: 'e1', customer_id: 'c1', type: 'sms_sent', at: new Date() }], { timezone: 'Asia/Shanghai' })
const meterValues: string[] = metered.values.map((v) => v.value + v.period.first_day)
const amount: Money = price({ model: 'standard', unit_price: '0.05' }, '1500', 'CNY').amount
const fees: Money[] = advanceFees({ model: 'standard', unit_price: '0.05' }, ['1'], 'CNY', ['99']).fees.map((f) => f.amount)
const pricing = Pricing.fromJson({ plans: [{ id: 'basic', name: 'Basic', currency: 'CNY', interval: 'month', fee: '299.00' }] })
const subscription: SubscriptionJson = { id: 's1', customer_id: 'c1', plan: 'basic', started_at: new Date(), timezone: 'Asia/Shanghai' }
const invoice: Invoice = pricing.invoice(subscription, { sms: '1500' }, new Date(), new Date())
const lineKinds: string[] = invoice.lines.map((l) => l.kind + l.amount.amount)
const statementTotal: Money = Pricing.fromPlaybook(playbook).statement(subscription, { '2026-03-01': { sms: '1' } }, new Date()).total

// CPS and packs.
const credits: string[] = attribute({ model: 'linear' }, { id: 's1', at: new Date(), amount: '10.00', currency: 'CNY', touches: [{ at: new Date(), channel: 'wecom' }] }).credits.map((c) => c.amount)
const commissionPlan = playbook.commission
if (commissionPlan !== null) {
  const due: string = commission(commissionPlan, { sales: [], refunds: [] }, new Date()).totals.due
  const lines: number = commissionStatement(commissionPlan, { sales: [] }, 'p_li', '2026-03-01T00:00:00Z', new Date()).lines.length
  void due
  void lines
}
const packs = playbook.packs
if (packs !== null) {
  const unitPrices: string[] = packLadder(packs).packs.map((p) => p.unit_price)
  const wallet: WalletJson = purchase(packs, 'sms_1k', 'w1', new Date())
  const left: string[] = consume([wallet], [{ id: 'u1', at: new Date(), quantity: '5' }]).wallets.map((w) => w.paid_units)
  void unitPrices
  void left
}

try {
  normalizeIdentity('phone', '1')
} catch (e) {
  const err = e as ScrmError
  const paths: string[] = err.problems.map((p) => p.path)
  const code: 'parse' | 'validation' | 'unsupported_version' | 'internal' = err.code
  void paths
  void code
}

void clusters
void ids
void same
void holds
void members
void pinned
void gaps
void byHand
void carried
void stage
void added2
void moved
void delta
void created
void scoreText
void ticked
void rescored
void priorities
void segments
void dueActions
void allowed
void statuses
void taker
void kFactor
void earned
void rates
void becameAt
void cohortRates
void perLead
void html
void meterValues
void amount
void fees
void lineKinds
void statementTotal
void credits
void later
