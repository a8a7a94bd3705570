// Engine: compiled once from a playbook; profiles are plain objects passed back on every call.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))
const engine = scrm.Engine.fromPlaybook(playbook)

const event = (id, type, at, extra = {}) => ({ tenant_id: 'chayuan-tea', id, customer_id: 'c1', type, at, ...extra })
const asked = event('e1', 'message', '2026-03-02T02:00:00Z', { text: '礼盒多少钱' })

test('an Engine is built from a playbook only, and knows its tenant', () => {
  assert.ok(engine instanceof scrm.Engine)
  assert.equal(engine.tenantId, 'chayuan-tea')
  assert.throws(() => new scrm.Engine(), Error)
  assert.throws(() => scrm.Engine.fromPlaybook({}), Error)
})

test('apply tags, scores and moves a new customer, each change with its reason', () => {
  const { profile, effects } = engine.apply(null, asked, new Date('2026-03-02T02:00:00Z'))
  assert.equal(effects.event_id, 'e1')
  assert.deepEqual(
    effects.tags.map((t) => [t.tag_id, t.action, t.reason]),
    [
      ['intent_high', 'added', 'said "多少钱" in message (rule kw_price)'],
      ['ind_corporate_gift', 'added', 'said "礼盒" in message (rule kw_gift)'],
    ],
  )
  assert.deepEqual(
    effects.stages.map((s) => [s.from, s.to, s.rule]),
    [
      [null, 'visitor', 'initial'],
      ['visitor', 'lead', 'engaged'],
    ],
  )
  assert.deepEqual([effects.score.before, effects.score.after, effects.score.delta], ['0', '28', '28'])
  assert.equal(typeof effects.score.explained.score, 'string', 'points are decimal strings')
  assert.equal(profile.live.customer.stage, 'lead')
  // The profile is plain JSON: it survives a round trip through a store.
  const stored = JSON.parse(JSON.stringify(profile))
  assert.deepEqual(engine.apply(stored, asked, '2026-03-02T02:00:00Z').effects, { event_id: 'e1', replayed: true })
})

test('newProfile keeps the customer; score, tick, rescore and priorityList read the profile', () => {
  const owned = engine.newProfile({ tenant_id: 'chayuan-tea', id: 'c1', created_at: '2026-03-01T00:00:00Z', owner: 'wang' })
  assert.equal(owned.live.customer.owner, 'wang')
  const { profile } = engine.apply(owned, asked, '2026-03-02T02:00:00Z')
  const score = engine.score(profile, '2026-03-03T00:00:00Z')
  assert.equal(score.score, '27.87')
  assert.deepEqual(
    score.explanation.rules.map((r) => [r.rule, r.events, r.raw]),
    [
      ['message', 1, '3'],
      ['asked_price', 1, '10'],
    ],
  )
  const [item] = engine.priorityList('wang', [profile], '2026-03-03T00:00:00Z')
  assert.equal(item.customer_id, 'c1')
  assert.match(item.reason, /tagged 高意向/)
  assert.deepEqual(engine.priorityList('li', [profile], '2026-03-03T00:00:00Z'), [])
  const later = engine.tick(profile, '2026-09-01T00:00:00Z')
  assert.deepEqual(later.effects.alerts.map((a) => [a.id, a.kind, a.owner]), [['silent_60d', 'stage', 'wang']])
  const rebuilt = engine.rescore(profile, [asked], '2026-03-03T00:00:00Z')
  assert.equal(rebuilt.profile.live.customer.stage, 'lead')
  assert.equal(rebuilt.effects.score.after, '27.87')
})

test('fold applies a batch over many profiles and creates new customers', () => {
  const bought = { ...event('b1', 'purchase', '2026-03-03T02:00:00Z', { properties: { amount: '300' } }), customer_id: 'c2' }
  const { profiles, report } = engine.fold([], [asked, bought])
  assert.deepEqual(report, { events: 2, applied: 2, replayed: 0, created: 2 })
  assert.deepEqual(profiles.map((p) => p.live.customer.id), ['c1', 'c2'])
  const again = engine.fold(profiles, [asked])
  assert.deepEqual([again.report.applied, again.report.replayed], [0, 1])
  const rfm = engine.rfm(profiles, '2026-03-10T00:00:00Z')
  assert.deepEqual(rfm[1], { customer_id: 'c2', recency_days: 6, frequency: 1, monetary: '300', r: 1, f: 0, m: 0, segment: '一般发展客户' })
  assert.equal(engine.rfm(profiles, '2026-03-10T00:00:00Z', 'quintiles')[1].segment, undefined)
})

test('foldAsync folds off the main thread, with the same result and errors as fold', async () => {
  const bought = { ...event('b1', 'purchase', '2026-03-03T02:00:00Z', { properties: { amount: '300' } }), customer_id: 'c2' }
  const pending = engine.foldAsync([], [asked, bought])
  assert.ok(pending instanceof Promise)
  assert.deepEqual(await pending, engine.fold([], [asked, bought]))
  await assert.rejects(engine.foldAsync([{}], []), (err) => {
    assert.ok(err instanceof Error)
    assert.deepEqual([err.code, err.kind, err.problems.map((p) => p.path)], ['validation', 'validation', ['profiles[0]']])
    return true
  })
  await assert.rejects(engine.foldAsync(Symbol('s'), []), { code: 'validation' })
  // Input with no JSON form is refused before any work is queued.
  assert.throws(() => engine.foldAsync([], [10n]), { code: 'parse' })
})

test('errors name their path', () => {
  const paths = (work) => {
    try {
      work()
    } catch (err) {
      return [err.code, err.problems.map((p) => p.path)]
    }
    assert.fail('no error')
  }
  assert.deepEqual(paths(() => engine.apply(null, asked, 'yesterday')), ['validation', ['now']])
  assert.deepEqual(paths(() => engine.apply(null, asked, new Date(NaN))), ['validation', ['now']])
  assert.deepEqual(paths(() => engine.apply({ live: 1 }, asked, '2026-03-02T02:00:00Z')), ['validation', ['profile']])
  assert.deepEqual(paths(() => engine.apply(null, { ...asked, tenant_id: 'other' }, '2026-03-02T02:00:00Z'))[0], 'validation')
  assert.deepEqual(paths(() => engine.rfm([], '2026-03-10T00:00:00Z', 'deciles')), ['validation', ['mode']])
  assert.deepEqual(paths(() => engine.newProfile({ tenant_id: 'chayuan-tea', id: 'c1' })), ['validation', ['customer']])
  assert.deepEqual(paths(() => engine.fold([{}], [])), ['validation', ['profiles[0]']])
  const cyclic = { ...asked }
  cyclic.self = cyclic
  assert.deepEqual(paths(() => engine.apply(null, cyclic, '2026-03-02T02:00:00Z')), ['parse', ['event']])
})

const isScrmError = (err) =>
  err instanceof Error &&
  ['parse', 'validation', 'unsupported_version', 'internal'].includes(err.code) &&
  Array.isArray(err.problems) &&
  err.problems.length > 0

test('bad input gives a scrm error or a result, never a crash', () => {
  const hostile = [undefined, null, 42, 'x', {}, [], Symbol('s'), 10n, () => 1, new Map(), [[[[]]]]]
  const calls = [
    (x) => engine.newProfile(x),
    (x) => engine.apply(x, asked, '2026-03-02T02:00:00Z'),
    (x) => engine.apply(null, x, '2026-03-02T02:00:00Z'),
    (x) => engine.apply(null, asked, x),
    (x) => engine.fold(x, []),
    (x) => engine.fold([], x),
    (x) => engine.tick(x, '2026-03-02T02:00:00Z'),
    (x) => engine.score(x, '2026-03-02T02:00:00Z'),
    (x) => engine.rescore(x, [], '2026-03-02T02:00:00Z'),
    (x) => engine.priorityList('wang', x, '2026-03-02T02:00:00Z'),
    (x) => engine.rfm(x, '2026-03-02T02:00:00Z'),
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
