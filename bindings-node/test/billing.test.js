// Billing: meters, charge models and Pricing; every amount a decimal string, never a JS number.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const tiers = [
  { from: 0, to: 100, unit_price: '0.10' },
  { from: 101, to: 1000, unit_price: '0.08', flat_fee: '5.00' },
  { from: 1001, unit_price: '0.05' },
]
const graduated = { model: 'graduated', tiers }
const pricingJson = {
  meters: [{ id: 'sms', event: 'sms_sent', aggregation: 'count', unit: 'messages' }],
  plans: [
    { id: 'basic', name: 'Basic', currency: 'CNY', interval: 'month', fee: '299.00' },
    { id: 'pro', name: 'Pro', currency: 'CNY', interval: 'month', fee: '999.00', charges: [{ id: 'sms', meter: 'sms', price: graduated }] },
  ],
}
const subscription = {
  id: 's1',
  customer_id: 'c1',
  plan: 'basic',
  started_at: new Date('2026-03-01T00:00:00Z'),
  timezone: 'Asia/Shanghai',
  changes: [{ at: '2026-03-16T01:00:00Z', plan: 'pro' }],
}

function paths(work) {
  try {
    work()
  } catch (err) {
    return [err.code, err.problems.map((p) => p.path)]
  }
  return assert.fail('no error')
}

test('meter counts per customer and local billing period; duplicates count once', () => {
  const meters = [{ id: 'sms', event: 'sms_sent', aggregation: 'count' }]
  const sent = { id: 'e1', customer_id: 'c1', type: 'sms_sent', at: new Date('2026-03-31T17:30:00Z') }
  const { values, report } = scrm.meter(meters, [sent, sent], { timezone: 'Asia/Shanghai' })
  assert.deepEqual(
    values.map((v) => [v.customer_id, v.meter_id, v.period.first_day, v.value]),
    [['c1', 'sms', '2026-04-01', '1']],
  )
  assert.deepEqual([report.accepted, report.replayed], [1, 1])
  // An event that does not read as one is rejected in the report, not thrown.
  assert.deepEqual(scrm.meter(meters, [{ id: 'bad' }]).report.rejected.map((r) => r.index), [0])
})

test('price and advanceFees explain the calculation with exact amounts', () => {
  const price = scrm.price(graduated, '1500', 'CNY')
  assert.deepEqual(price.amount, { amount: '112.00', currency: 'CNY' })
  assert.equal(price.explanation, '1,500 units: 100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05')
  const percentage = { model: 'percentage', rate: '2.5', fixed_fee: '0.30', min_fee: '0.50', max_fee: '5.00' }
  assert.equal(scrm.price(percentage, ['5', '10', '100', '500'], 'CNY').amount.amount, '8.85')
  const fees = scrm.advanceFees(graduated, ['1', '1', '899', '1'], 'CNY', ['99'])
  assert.deepEqual(fees.fees.map((f) => f.amount.amount), ['0.10', '5.08', '71.92', '0.05'])
  assert.deepEqual(fees.total, { amount: '77.15', currency: 'CNY' })
})

test('Pricing invoices an upgrade mid-month with prorated lines', () => {
  const pricing = scrm.Pricing.fromJson(pricingJson)
  assert.deepEqual(scrm.Pricing.fromJson(JSON.stringify(pricingJson)).toJson(), pricing.toJson())
  const invoice = pricing.invoice(subscription, { sms: '1500' }, '2026-03-10T00:00:00Z', new Date('2026-04-01T00:00:00Z'))
  assert.deepEqual(
    invoice.lines.map((l) => [l.kind, l.amount.amount]),
    [
      ['subscription_fee', '299.00'],
      ['proration_credit', '-154.32'],
      ['proration_charge', '515.61'],
      ['usage', '112.00'],
    ],
  )
  assert.equal(invoice.total.amount, '772.29')
  assert.equal(invoice.status, 'final')
  const statement = pricing.statement(subscription, { '2026-03-01': { sms: '1500' } }, '2026-04-15T00:00:00Z')
  assert.deepEqual(statement.invoices.map((i) => [i.period.first_day, i.status]), [
    ['2026-03-01', 'final'],
    ['2026-04-01', 'draft'],
  ])
})

test('Pricing.fromPlaybook gives the playbook pricing section', () => {
  const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))
  const section = scrm.Pricing.fromPlaybook(playbook).toJson()
  assert.equal(section.packs?.ladder[0].id, 'sms_1k')
  assert.equal(section.commission?.currency, 'CNY')
})

test('errors name their path', () => {
  assert.deepEqual(paths(() => scrm.price(graduated, '1500', 'XYZ')), ['validation', ['currency']])
  assert.deepEqual(paths(() => scrm.price({ model: 'graduated', tiers: [tiers[0], { ...tiers[1], from: 150 }] }, '1', 'CNY'))[1], [
    'price.tiers[1].from',
    'price.tiers[1].to',
  ])
  assert.deepEqual(paths(() => scrm.meter([{ id: 'sum', event: 'x', aggregation: 'sum' }], []))[1], ['meters[0].field'])
  assert.deepEqual(paths(() => scrm.Pricing.fromJson({ plans: [{ id: 'p', name: 'P', currency: 'CNY', interval: 'month', fee: 12.5 }] }))[1], [
    'plans[0].fee',
  ])
  assert.deepEqual(paths(() => scrm.Pricing.fromJson('{')), ['parse', ['']])
  const pricing = scrm.Pricing.fromJson(pricingJson)
  assert.deepEqual(paths(() => pricing.invoice({ ...subscription, changes: [{ at: '2026-03-16T01:00:00Z', plan: 'nope' }] }, {}, '2026-03-10T00:00:00Z', '2026-04-01T00:00:00Z')), [
    'validation',
    ['subscription.changes[0].plan'],
  ])
  assert.deepEqual(paths(() => pricing.invoice(subscription, {}, 'march', '2026-04-01T00:00:00Z')), ['validation', ['at']])
})

const isScrmError = (err) =>
  err instanceof Error &&
  ['parse', 'validation', 'unsupported_version', 'internal'].includes(err.code) &&
  Array.isArray(err.problems) &&
  err.problems.length > 0

test('bad input gives a scrm error or a result, never a crash', () => {
  const cyclic = {}
  cyclic.self = cyclic
  const hostile = [undefined, null, 42, 1.5, 'x', {}, [], Symbol('s'), 10n, () => 1, cyclic, [cyclic], [[[[]]]]]
  const pricing = scrm.Pricing.fromJson(pricingJson)
  const now = '2026-04-01T00:00:00Z'
  const calls = [
    (x) => scrm.meter(x, []),
    (x) => scrm.meter([], x, x),
    (x) => scrm.price(x, '1', 'CNY'),
    (x) => scrm.price(graduated, x, 'CNY'),
    (x) => scrm.advanceFees(x, ['1'], 'CNY'),
    (x) => scrm.advanceFees(graduated, x, 'CNY', x),
    (x) => scrm.Pricing.fromJson(x),
    (x) => pricing.invoice(x, {}, now, now),
    (x) => pricing.invoice(subscription, x, now, now),
    (x) => pricing.invoice(subscription, {}, x, now),
    (x) => pricing.statement(x, x, now),
  ]
  // The currency is a string argument: napi refuses anything else before scrm sees it.
  for (const x of hostile.filter((v) => typeof v !== 'string')) assert.throws(() => scrm.price(graduated, '1', x), Error)
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
