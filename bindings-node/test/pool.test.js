// Pool: reclaim, claim, transfer and assignment rules of a playbook; every answer with its reason.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))
const pool = scrm.Pool.fromPlaybook(playbook)

function paths(work) {
  try {
    work()
  } catch (err) {
    return [err.code, err.problems.map((p) => p.path)]
  }
  return assert.fail('no error')
}

test('a Pool is built from a playbook only; one without pool sections reclaims nobody', () => {
  assert.ok(pool instanceof scrm.Pool)
  assert.throws(() => new scrm.Pool(), Error)
  assert.throws(() => scrm.Pool.fromPlaybook({}), Error)
  const bare = scrm.Playbook.fromJson('{"schema_version": 1, "tenant_id": "t", "timezone": "UTC"}')
  const owned = { customer_id: 'c-1', owner: { id: 'wang', since: '2020-01-01T00:00:00Z' } }
  assert.deepEqual(scrm.Pool.fromPlaybook(bare).due([owned], '2026-03-16T16:00:00Z'), { items: [] })
})

test('due reclaims on calendar days in the playbook timezone, Dates or strings', () => {
  const lead = { customer_id: 'c-1', owner: { id: 'wang', since: new Date('2026-03-01T02:00:00Z') }, stage: 'lead' }
  const warned = pool.due([lead], '2026-03-16T15:59:59Z').items[0]
  assert.deepEqual([warned.action, warned.days_left, warned.reclaim_on], ['warn', 1, '2026-03-17'])
  const [item] = pool.due([lead], new Date('2026-03-16T16:00:00Z')).items
  assert.equal(item.action, 'reclaim')
  assert.equal(item.reason, 'not followed up in the 16 days since wang took it on; the lead-stage limit is 14 days + 2 grace days')
})

test('claim lists every refusal with its reason', () => {
  const pooled = { customer_id: 'c-9', pooled_at: '2026-03-01T02:00:00Z', previous_owner: 'wang' }
  const wang = pool.claim({ id: 'wang' }, pooled, '2026-03-20T00:00:00Z')
  assert.equal(wang.allowed, false)
  assert.deepEqual(wang.refusals.map((r) => [r.rule, r.until]), [['previous_owner', '2026-03-31T02:00:00Z']])
  assert.equal(pool.claim({ id: 'li' }, pooled, '2026-03-20T00:00:00Z').allowed, true)
})

test('planTransfer and transferStatus follow WeCom: records to store, statuses with codes', () => {
  const request = { kind: 'in_service', handover: 'wang', takeover: 'li', customers: ['c-1', 'c-2'] }
  const plan = pool.planTransfer(request, '2026-03-01T00:00:00Z')
  assert.deepEqual(plan.accepted, ['c-1', 'c-2'])
  assert.equal(plan.completes_at, '2026-03-02T00:00:00Z')
  const records = plan.records.map((r) => (r.customer_id === 'c-2' ? { ...r, refused_at: new Date('2026-03-01T08:00:00Z') } : r))
  const { outcomes } = pool.transferStatus(records, '2026-03-02T00:00:00Z')
  assert.deepEqual(outcomes.map((o) => [o.customer_id, o.status]), [
    ['c-1', 'done'],
    ['c-2', 'refused'],
  ])
  // Two transfers in 90 days is the limit: a third is refused, with when it becomes possible.
  const twice = [...plan.records, ...pool.planTransfer({ ...request, handover: 'li', takeover: 'zhao' }, '2026-03-05T00:00:00Z', plan.records).records]
  const third = pool.planTransfer({ ...request, handover: 'zhao', takeover: 'wang' }, '2026-03-10T00:00:00Z', twice, [])
  assert.deepEqual(third.refused.map((r) => [r.customer_id, r.rule]), [
    ['c-1', 'limit_reached'],
    ['c-2', 'limit_reached'],
  ])
})

test('assign passes over who cannot take a lead and returns the state for the next call', () => {
  const team = [
    { id: 'zhou', working_hours: [{ days: ['sat', 'sun'], from: '10:00', to: '18:00' }], backups: ['qian'] },
    { id: 'wu' },
    { id: 'qian' },
  ]
  const lead = (id) => ({ customer_id: id, channel_code: 'store-sh-xintiandi' })
  const first = pool.assign(team, [lead('c-1')], '2026-03-16T02:00:00Z')
  assert.equal(first.decisions[0].employee_id, 'qian')
  assert.deepEqual(first.decisions[0].skipped, [{ employee_id: 'zhou', why: 'off_hours', hours: 'Sat, Sun 10:00–18:00' }])
  assert.deepEqual(first.state, { last_turn: { store_sh: 'zhou' } })
  const second = pool.assign(first.employees, [lead('c-2')], '2026-03-16T02:00:00Z', first.state)
  assert.deepEqual([second.decisions[0].turn_of, second.decisions[0].employee_id], ['wu', 'wu'])
})

test('errors name their path', () => {
  assert.deepEqual(paths(() => pool.due([{ customer_id: 'c-1' }, { customer_id: 'c-2', owner: { id: 'wang' } }], '2026-03-16T16:00:00Z')), [
    'validation',
    ['customers[1]'],
  ])
  assert.deepEqual(paths(() => pool.due([], 'tomorrow')), ['validation', ['now']])
  const many = Array.from({ length: 101 }, (_, i) => `c${i}`)
  assert.deepEqual(paths(() => pool.planTransfer({ kind: 'in_service', handover: 'wang', takeover: 'li', customers: many }, '2026-03-01T00:00:00Z')), [
    'validation',
    ['customers'],
  ])
  assert.deepEqual(paths(() => pool.assign([{ id: 'a' }, { id: 'a' }], [], '2026-03-16T02:00:00Z')), ['validation', ['employees[1].id']])
  assert.deepEqual(paths(() => pool.transferStatus([{ customer_id: 'c-1' }], '2026-03-16T02:00:00Z')), ['validation', ['records[0]']])
})

const isScrmError = (err) =>
  err instanceof Error &&
  ['parse', 'validation', 'unsupported_version', 'internal'].includes(err.code) &&
  Array.isArray(err.problems) &&
  err.problems.length > 0

test('bad input gives a scrm error or a result, never a crash', () => {
  const cyclic = {}
  cyclic.self = cyclic
  const hostile = [undefined, null, 42, 'x', {}, [], Symbol('s'), 10n, () => 1, cyclic, [cyclic]]
  const now = '2026-03-16T02:00:00Z'
  const calls = [
    (x) => pool.due(x, now),
    (x) => pool.due([], x),
    (x) => pool.claim(x, { customer_id: 'c' }, now),
    (x) => pool.claim({ id: 'e' }, x, now),
    (x) => pool.planTransfer(x, now),
    (x) => pool.planTransfer({ kind: 'in_service', handover: 'a', takeover: 'b', customers: [] }, now, x, x),
    (x) => pool.transferStatus(x, now, x),
    (x) => pool.assign(x, [], now),
    (x) => pool.assign([], x, now, x),
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
