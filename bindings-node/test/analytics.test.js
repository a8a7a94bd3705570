// Social graph (propagation, fission) and funnel analytics: plain objects in, typed reports out.
const { test } = require('node:test')
const assert = require('node:assert/strict')

const scrm = require('..')

const share = (id, customer, at, properties) => ({ tenant_id: 'acme', id, customer_id: customer, type: 'share', at, properties })
const view = (id, customer, at, shareId) => ({ tenant_id: 'acme', id, customer_id: customer, type: 'content_view', at, properties: { share_id: shareId } })
const chain = [
  share('s1', 'ann', '2026-03-01T00:00:00Z', { content_id: 'guide' }),
  share('s2', 'bo', '2026-03-01T00:05:00Z', { content_id: 'guide', parent_share_id: 's1' }),
  view('v1', 'cy', '2026-03-01T00:09:00Z', 's2'),
]
const help = (id, helper, inviter, at) => ({
  tenant_id: 'acme',
  id,
  customer_id: helper,
  type: 'friend_added',
  at,
  properties: { campaign: 'spring', inviter_id: inviter },
})
const campaign = { id: 'spring', goal: 2, starts_at: new Date('2026-03-01T00:00:00Z'), ends_at: '2026-03-31T00:00:00Z', reward: 'tea set' }
const options = { stages: ['lead', 'mql', 'sql'], timezone: 'Asia/Shanghai' }
const journey = (id, created, stages, channel = 'douyin') => ({
  customer_id: id,
  channel,
  created_at: created,
  stages: stages.map(([stage, at]) => ({ stage, at })),
})
const journeys = [
  journey('a', '2026-03-01T00:00:00Z', [
    ['lead', '2026-03-01T00:00:00Z'],
    ['mql', '2026-03-03T00:00:00Z'],
  ]),
  journey('b', '2026-03-02T00:00:00Z', [['lead', new Date('2026-03-02T00:00:00Z')]], 'wecom'),
]

function paths(work) {
  try {
    work()
  } catch (err) {
    return [err.code, err.problems.map((p) => p.path)]
  }
  return assert.fail('no error')
}

test('propagation builds the tree with its K-factor as a decimal string', () => {
  const { trees, skipped } = scrm.propagation(chain, { include_nodes: true })
  assert.deepEqual(skipped, [])
  const [tree] = trees
  assert.deepEqual([tree.key, tree.depth, tree.reach, tree.levels, tree.k_factor], ['guide', 2, 2, [1, 1, 1], '1.0000'])
  assert.deepEqual(tree.nodes?.map((n) => [n.customer_id, n.parent]), [
    ['ann', null],
    ['bo', 'ann'],
    ['cy', 'bo'],
  ])
  assert.deepEqual(scrm.propagation([]), { trees: [], skipped: [] })
})

test('fission counts helps per inviter at now', () => {
  const events = [help('h1', 'bo', 'ann', '2026-03-02T00:00:00Z'), help('h2', 'cy', 'ann', '2026-03-03T00:00:00Z')]
  const progress = scrm.fission(campaign, events, new Date('2026-03-10T00:00:00Z'))
  const [ann] = progress.inviters
  assert.deepEqual([ann.inviter_id, ann.count, ann.reward_earned, ann.reached_at], ['ann', 2, true, '2026-03-03T00:00:00Z'])
  const before = scrm.fission(campaign, events, '2026-03-10T00:00:00Z', ['cy'])
  assert.deepEqual(before.inviters[0].helps.map((h) => [h.event_id, h.status]), [
    ['h1', 'counted'],
    ['h2', 'not_new'],
  ])
})

test('funnel, became, cohorts and cost per lead read journeys', () => {
  const funnel = scrm.funnel(options, journeys)
  assert.deepEqual(funnel.overall.stages.map((s) => s.count), [2, 1, 0])
  assert.deepEqual(funnel.overall.conversions.map((c) => c.rate), ['0.5000', '0.0000'])
  assert.deepEqual(funnel.by_channel.map((c) => c.key), ['douyin', 'wecom'])
  assert.deepEqual(scrm.became(options, journeys)[0].became.map((b) => b.stage), ['lead', 'mql'])
  const cohorts = scrm.cohorts(options, journeys, '2026-03-15T00:00:00Z')
  assert.deepEqual(cohorts.cohorts.map((c) => [c.month, c.size]), [['2026-03', 2]])
  const cost = scrm.costPerLead({ ...options, lead_stage: 'lead' }, journeys, [
    { channel: 'douyin', amount: '100.00', currency: 'CNY' },
    { channel: 'wecom', amount: '50.01', currency: 'CNY' },
  ])
  assert.deepEqual(cost.channels.map((c) => [c.channel, c.leads, c.cost_per_lead]), [
    ['douyin', 1, '100.00'],
    ['wecom', 1, '50.01'],
  ])
})

test('reportHtml renders the reports as one page', () => {
  const html = scrm.reportHtml({
    title: '<茶园> spring',
    generated_at: new Date('2026-03-15T00:00:00Z'),
    funnel: scrm.funnel(options, journeys),
    propagation: scrm.propagation(chain),
  })
  assert.match(html, /^<!DOCTYPE html>/i)
  assert.match(html, /&lt;茶园&gt; spring/)
  assert.doesNotMatch(html, /<茶园>/)
})

test('errors name their path', () => {
  const other = { ...chain[1], tenant_id: 'other' }
  assert.deepEqual(paths(() => scrm.propagation([chain[0], other])), ['validation', ['events[1].tenant_id']])
  assert.deepEqual(paths(() => scrm.propagation([], { share_types: ['share'], invite_types: ['share'] })), ['validation', ['invite_types[0]']])
  assert.deepEqual(paths(() => scrm.fission({ ...campaign, goal: 0 }, [], '2026-03-10T00:00:00Z')), ['validation', ['goal']])
  assert.deepEqual(paths(() => scrm.fission(campaign, [], 'soon')), ['validation', ['now']])
  assert.deepEqual(paths(() => scrm.funnel({ stages: ['lead', 'lead'], timezone: 'Mars/Base' }, [])), ['validation', ['stages[1]', 'timezone']])
  assert.deepEqual(paths(() => scrm.cohorts(options, journeys, new Date(NaN))), ['validation', ['as_of']])
  assert.deepEqual(paths(() => scrm.costPerLead(options, [], [{ channel: 'x', amount: '1.001', currency: 'CNY' }])), ['validation', ['spend[0].amount']])
  assert.deepEqual(paths(() => scrm.reportHtml({}))[0], 'validation')
})

const isScrmError = (err) =>
  err instanceof Error &&
  ['parse', 'validation', 'unsupported_version', 'internal'].includes(err.code) &&
  Array.isArray(err.problems) &&
  err.problems.length > 0

test('bad input gives a scrm error or a result, never a crash', () => {
  const cyclic = {}
  cyclic.self = cyclic
  const hostile = [undefined, null, 42, 'x', {}, [], Symbol('s'), 10n, () => 1, cyclic, [cyclic], [[[[]]]]]
  const now = '2026-03-10T00:00:00Z'
  const calls = [
    (x) => scrm.propagation(x),
    (x) => scrm.propagation(chain, x),
    (x) => scrm.fission(x, [], now),
    (x) => scrm.fission(campaign, x, now, x),
    (x) => scrm.funnel(x, journeys),
    (x) => scrm.funnel(options, x),
    (x) => scrm.became(x, x),
    (x) => scrm.cohorts(options, x, now),
    (x) => scrm.cohorts(options, journeys, x),
    (x) => scrm.costPerLead(options, journeys, x),
    (x) => scrm.reportHtml(x),
  ]
  for (const call of calls) {
    for (const x of hostile) {
      try {
        call(x)
      } catch (err) {
        assert.ok(isScrmError(err), `${err.code}: ${err.message}`)
      }
    }
  }
})
