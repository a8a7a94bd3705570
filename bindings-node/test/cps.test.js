// CPS (attribution, commissions) and usage packs: the playbook's sections in, exact decimal strings out.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))

const sale = {
  id: 's1',
  at: new Date('2026-03-31T12:00:00Z'),
  amount: '1000.00',
  currency: 'CNY',
  touches: [
    { at: '2026-03-11T12:00:00Z', channel: 'douyin', promoter: 'p_a' },
    { at: '2026-03-21T12:00:00Z', channel: 'wecom', promoter: 'p_b' },
    { at: '2026-03-30T12:00:00Z', channel: 'mini_program', promoter: 'p_c' },
  ],
}
const plan = { currency: 'CNY', attribution: { model: 'last_touch' }, hold: '15d', channel_rates: { wecom: '0.10' } }
const wecomSale = {
  id: 's1',
  at: '2026-03-01T00:00:00Z',
  amount: '1000.00',
  currency: 'CNY',
  touches: [{ at: '2026-02-25T00:00:00Z', channel: 'wecom', promoter: 'p_li' }],
}

function paths(work) {
  try {
    work()
  } catch (err) {
    return [err.code, err.problems.map((p) => p.path)]
  }
  return assert.fail('no error')
}

test('attribute splits a sale to the fen, leftovers to the earliest touch', () => {
  const a = scrm.attribute({ model: 'linear' }, sale)
  assert.deepEqual(a.credits.map((c) => [c.touch_index, c.amount]), [
    [0, '333.34'],
    [1, '333.33'],
    [2, '333.33'],
  ])
  assert.equal(a.unattributed, '0.00')
  const narrow = scrm.attribute({ model: 'last_touch', lookback: '5d' }, sale)
  assert.deepEqual(narrow.excluded.map((e) => [e.touch_index, e.reason]), [
    [0, 'outside_lookback'],
    [1, 'outside_lookback'],
  ])
})

test('commission holds within the hold period, then pays; a statement covers a window', () => {
  const held = scrm.commission(plan, { sales: [wecomSale] }, new Date('2026-03-10T00:00:00Z'))
  assert.deepEqual(held.lines.map((l) => [l.promoter, l.rate_source, l.commission, l.status]), [['p_li', 'channel', '100.00', 'held']])
  assert.equal(held.totals.held, '100.00')
  const payable = scrm.commission(plan, { sales: [wecomSale], refunds: [{ id: 'r1', sale_id: 's1', at: '2026-03-05T00:00:00Z', amount: '200.00' }] }, '2026-03-20T00:00:00Z')
  assert.deepEqual([payable.lines[0].commission, payable.lines[0].status, payable.totals.payable], ['80.00', 'payable', '80.00'])
  const statement = scrm.commissionStatement(plan, { sales: [wecomSale] }, 'p_li', '2026-03-01T00:00:00Z', new Date('2026-04-01T00:00:00Z'))
  assert.equal(statement.promoter, 'p_li')
  assert.deepEqual(statement.lines.map((l) => l.sale_id), ['s1'])
})

test("the playbook's commission and packs sections feed the functions", () => {
  const section = playbook.commission
  assert.ok(section !== null)
  assert.equal(section.referral?.levels, 2)
  const lines = scrm.commission(section, { sales: [{ ...wecomSale, touches: [{ ...wecomSale.touches[0], channel: 'douyin' }] }] }, '2026-04-01T00:00:00Z').lines
  assert.deepEqual(lines.map((l) => [l.rate, l.commission]), [['0.08', '80.00']])
  const bare = scrm.Playbook.fromJson('{"schema_version": 1, "tenant_id": "t", "timezone": "UTC"}')
  assert.equal(bare.commission, null)
  assert.equal(bare.packs, null)
})

test('packs: the ladder, a purchase, and consumption bonus first, oldest first', () => {
  const packs = playbook.packs
  assert.ok(packs !== null)
  const ladder = scrm.packLadder(packs)
  assert.deepEqual(ladder.packs.slice(0, 2).map((p) => [p.id, p.total_units, p.unit_price, p.discount_percent]), [
    ['sms_1k', '1000', '0.0500', '0.00'],
    ['sms_10k', '11000', '0.0364', '27.27'],
  ])
  const wallet = scrm.purchase(packs, 'sms_10k', 'w2', new Date('2026-02-01T00:00:00Z'))
  assert.deepEqual(wallet, {
    id: 'w2',
    pack_id: 'sms_10k',
    purchased_at: '2026-02-01T00:00:00Z',
    expires_at: '2027-02-01T00:00:00Z',
    paid_units: '10000',
    bonus_units: '1000',
  })
  const old = { id: 'w1', pack_id: 'sms_1k', purchased_at: '2026-01-05T00:00:00Z', paid_units: '1000', bonus_units: '0' }
  const { wallets, consumptions } = scrm.consume([old, wallet], [{ id: 'u1', at: '2026-03-01T00:00:00Z', quantity: '1500' }])
  assert.deepEqual(consumptions[0].lines.map((l) => [l.wallet_id, l.kind, l.units]), [
    ['w2', 'bonus', '1000'],
    ['w1', 'paid', '500'],
  ])
  assert.deepEqual(wallets.map((w) => [w.id, w.paid_units, w.bonus_units]), [
    ['w1', '500', '0'],
    ['w2', '10000', '0'],
  ])
})

test('errors name their path', () => {
  assert.deepEqual(paths(() => scrm.attribute({ model: 'last_click' }, sale)), ['validation', ['attribution.model']])
  assert.deepEqual(paths(() => scrm.attribute({ model: 'linear' }, { ...sale, amount: '10.005' })), ['validation', ['sale.amount']])
  assert.deepEqual(paths(() => scrm.commission({ ...plan, referral: { levels: 3, upline_rate: '0.02' } }, { sales: [wecomSale] }, '2026-03-20T00:00:00Z')), [
    'validation',
    ['plan.referral.levels'],
  ])
  assert.deepEqual(paths(() => scrm.commission(plan, { sales: [wecomSale] }, 'later')), ['validation', ['as_of']])
  assert.deepEqual(paths(() => scrm.commission(plan, [wecomSale], '2026-03-20T00:00:00Z')), ['validation', ['history']])
  assert.deepEqual(paths(() => scrm.commissionStatement(plan, { sales: [] }, 'p_li', '2026-04-01T00:00:00Z', '2026-04-01T00:00:00Z')), ['validation', ['from']])
  const packs = playbook.packs
  assert.deepEqual(paths(() => scrm.purchase(packs, 'sms_20k', 'w1', '2026-03-01T00:00:00Z')), ['validation', ['pack_id']])
  assert.deepEqual(paths(() => scrm.consume([], [{ id: 'u1', at: '2026-03-01T00:00:00Z', quantity: '-5' }])), ['validation', ['usages[0].quantity']])
  assert.deepEqual(paths(() => scrm.packLadder({ unit: 'message', currency: 'CNY', ladder: [{ id: 'a', units: 1000, price: '50.00' }, { id: 'b', units: 2000, price: '100.01' }] })), [
    'validation',
    ['packs.ladder[1].price'],
  ])
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
  const now = '2026-03-20T00:00:00Z'
  const packs = playbook.packs
  const calls = [
    (x) => scrm.attribute(x, sale),
    (x) => scrm.attribute({ model: 'linear' }, x),
    (x) => scrm.commission(x, { sales: [] }, now),
    (x) => scrm.commission(plan, x, now),
    (x) => scrm.commission(plan, { sales: x }, x),
    (x) => scrm.commissionStatement(plan, x, 'p', now, x),
    (x) => scrm.packLadder(x),
    (x) => scrm.purchase(x, 'sms_1k', 'w', now),
    (x) => scrm.purchase(packs, 'sms_1k', 'w', x),
    (x) => scrm.consume(x, []),
    (x) => scrm.consume([], x),
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
