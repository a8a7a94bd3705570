// normalizeIdentity, resolve and merge: types crossing the boundary and errors with their paths.
const { test } = require('node:test')
const assert = require('node:assert/strict')

const scrm = require('..')

const customer = (id, extra = {}) => ({ tenant_id: 'chayuan-tea', id, created_at: '2026-03-01T00:00:00Z', ...extra })

// Asserts `work` throws a scrm error of `code` whose problems are at `paths`.
function throwsScrm(work, code, paths) {
  assert.throws(work, (err) => {
    assert.ok(err instanceof Error, 'an Error')
    assert.equal(err.code, code)
    assert.equal(err.kind, code)
    assert.deepEqual(
      err.problems.map((p) => p.path),
      paths,
    )
    for (const p of err.problems) assert.equal(typeof p.message, 'string')
    return true
  })
}

test('normalizeIdentity returns a plain identity in the data-model shape', () => {
  const phone = scrm.normalizeIdentity('phone', '138 0013 8000')
  assert.deepEqual({ ...phone }, { kind: 'phone', value: '+8613800138000', strong: false })
  assert.equal(Object.getPrototypeOf(phone), Object.prototype)
  const openid = scrm.normalizeIdentity('wechat_openid', ' oAbc ', 'wx-app')
  assert.equal(openid.value, 'oAbc')
  assert.equal(openid.scope, 'wx-app')
  assert.equal(scrm.normalizeIdentity('email', ' Li.Lei@Example.COM ', null).value, 'li.lei@example.com')
})

test('a bad phone is a validation error at value, naming the value', () => {
  assert.throws(
    () => scrm.normalizeIdentity('phone', '12345'),
    (err) => {
      assert.equal(err.code, 'validation')
      assert.equal(err.problems[0].path, 'value')
      assert.match(err.problems[0].message, /"12345"/)
      assert.match(err.message, /^validation: value: /)
      return true
    },
  )
})

test('a missing scope, an unknown kind and a custom kind are errors at their field', () => {
  throwsScrm(() => scrm.normalizeIdentity('douyin_openid', 'd1'), 'validation', ['scope'])
  throwsScrm(() => scrm.normalizeIdentity('qq', '1'), 'validation', ['kind'])
  throwsScrm(() => scrm.normalizeIdentity('custom', 'M-1'), 'validation', ['kind'])
  throwsScrm(() => scrm.normalizeIdentity('wechat_unionid', '   '), 'validation', ['value'])
})

test('a normalised identity goes straight into a customer', () => {
  const phone = scrm.normalizeIdentity('phone', '+86 138-0013-8000')
  const clusters = scrm.resolve([
    customer('b', { identities: [phone] }),
    customer('a', { identities: [{ kind: 'phone', value: '+8613800138000' }] }),
    customer('c'),
  ])
  assert.deepEqual(clusters, [['a', 'b'], ['c']])
  assert.ok(clusters.every((c) => Array.isArray(c) && c.every((id) => typeof id === 'string')))
})

test('resolve of no customers is no clusters', () => {
  assert.deepEqual(scrm.resolve([]), [])
})

test('resolve reports every bad customer at its path', () => {
  throwsScrm(
    () =>
      scrm.resolve([
        customer('a'),
        customer('b', { identities: [{ kind: 'phone', value: '138 0013 8000' }] }),
        customer('c', { nickname: 'typo' }),
      ]),
    'validation',
    ['customers[1].identities[0].value', 'customers[2]'],
  )
  throwsScrm(() => scrm.resolve({ not: 'a list' }), 'validation', ['customers'])
})

test('merge returns the merged customer as a plain object', () => {
  const merged = scrm.merge(
    [
      customer('b', { created_at: '2026-03-02T00:00:00Z', stage: 'sql', attributes: { orders: { value: { number: 5 }, updated_at: '2026-03-02T00:00:00Z' } } }),
      customer('a', { stage: 'lead', attributes: { orders: { value: { number: 2 }, updated_at: '2026-03-01T00:00:00Z' } } }),
    ],
    { attributes: { orders: 'sum' }, stage_order: ['lead', 'mql', 'sql'] },
  )
  assert.equal(merged.id, 'a')
  assert.deepEqual(merged.merged_ids, ['b'])
  assert.equal(merged.stage, 'sql')
  assert.equal(merged.attributes.orders.value.number, 7)
  assert.equal(typeof merged.created_at, 'string')
})

test('merge without a policy uses the defaults', () => {
  const a = scrm.merge([customer('a'), customer('b', { created_at: '2026-03-02T00:00:00Z' })])
  const b = scrm.merge([customer('a'), customer('b', { created_at: '2026-03-02T00:00:00Z' })], null)
  assert.deepEqual(a, b)
  assert.deepEqual(a.merged_ids, ['b'])
})

test('values are read as JSON.stringify writes them: a Date is a time, undefined is left out', () => {
  const merged = scrm.merge([customer('a', { created_at: new Date('2026-03-01T00:00:00Z'), stage: undefined })])
  assert.equal(merged.created_at, '2026-03-01T00:00:00Z')
  assert.equal('stage' in merged, false)
})

test('merge errors name the policy, the field and the tenant', () => {
  throwsScrm(() => scrm.merge([customer('a')], { default: 'loudest' }), 'validation', ['policy'])
  throwsScrm(() => scrm.merge([customer('a', { created_at: 'yesterday' })]), 'validation', ['customers[0]'])
  throwsScrm(() => scrm.merge([customer('a'), { ...customer('b'), tenant_id: 'other' }]), 'validation', ['tenant_id'])
})

test('resolveAliases follows merges of merges to the survivor', () => {
  const ab = scrm.merge([customer('b', { created_at: '2026-03-02T00:00:00Z' }), customer('a')])
  const final = scrm.merge([ab, customer('z', { created_at: '2026-02-01T00:00:00Z' })])
  assert.equal(final.id, 'z')
  assert.deepEqual(scrm.resolveAliases([ab, final], ['b', 'a', 'z', 'never-merged']), ['z', 'z', 'z', 'never-merged'])
  assert.deepEqual(scrm.resolveAliases([ab], ['b']), ['a'])
  assert.deepEqual(scrm.resolveAliases([], ['x']), ['x'])
  throwsScrm(() => scrm.resolveAliases([customer('a'), customer('b', { tenant_id: 'other' })], ['a']), 'validation', ['tenant_id'])
})
