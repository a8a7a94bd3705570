// Garbage in gives a typed error, never a crash of the Node process.
const { test } = require('node:test')
const assert = require('node:assert/strict')

const scrm = require('..')

const garbage = [
  '',
  '\u0000\u0001\u0002',
  '['.repeat(100_000),
  '{'.repeat(10_000),
  'a = ' + '['.repeat(100_000),
  '{"schema_version": 1e400}',
  '\ud800',
  'x'.repeat(10 * 1024 * 1024),
  '{"schema_version": 1, "tenant_id": "t", "timezone": "UTC", "taxonomy": {"groups": "' + 'y'.repeat(10 * 1024 * 1024) + '"}}',
]

for (const [i, text] of garbage.entries()) {
  for (const load of ['fromJson', 'fromToml']) {
    test(`garbage #${i} (${text.length} chars) through ${load} throws a scrm error`, () => {
      assert.throws(
        () => scrm.Playbook[load](text),
        (err) => ['parse', 'validation'].includes(err.code) && err.problems.length > 0,
      )
    })
  }
}

for (const value of [undefined, null, 42, {}, [], Buffer.from('{}')]) {
  test(`a ${typeof value} where text belongs throws, not crashes`, () => {
    assert.throws(() => scrm.Playbook.fromJson(value), Error)
  })
}

test('a Playbook cannot be built without a loader', () => {
  assert.throws(() => new scrm.Playbook(), Error)
})

// The document calls: whatever JS value arrives where a customer, event, policy or condition
// belongs, the answer is a scrm error (or a result), never a crash of the process.
const fs = require('node:fs')
const path = require('node:path')

const playbook = scrm.Playbook.fromJson(
  fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'playbooks', 'brand.json'), 'utf8'),
)
const tagger = scrm.Tagger.fromPlaybook(playbook)
const compiled = scrm.Condition.parse('has_tag("高意向") or score >= 1').compile(playbook)
const okCustomer = { tenant_id: 'chayuan-tea', id: 'c1', created_at: '2026-03-01T00:00:00Z' }
const okEvent = { tenant_id: 'chayuan-tea', id: 'e1', customer_id: 'c1', type: 'message', at: '2026-03-15T02:00:00Z', text: '价格' }
const now = '2026-03-15T00:00:00Z'

function nested(depth, leaf, wrap) {
  let value = leaf
  for (let i = 0; i < depth; i++) value = wrap(value)
  return value
}
const cyclic = { ...okCustomer }
cyclic.self = cyclic
const cyclicList = []
cyclicList.push(cyclicList)

const hostile = {
  'deep arrays': nested(100_000, 1, (v) => [v]),
  'deep objects': nested(100_000, 1, (v) => ({ a: v })),
  'deep attribute value': { ...okCustomer, attributes: { x: { value: nested(10_000, 'x', (v) => ({ list: [v] })), updated_at: now } } },
  'a cyclic object': cyclic,
  'a cyclic list': cyclicList,
  'a 10 MiB id': { ...okCustomer, id: 'x'.repeat(10 * 1024 * 1024) },
  'a lone surrogate': { ...okCustomer, id: '\ud800' },
  'ten thousand bad identities': { ...okCustomer, identities: new Array(10_000).fill({ kind: 'phone', value: '1' }) },
  'a throwing toJSON': { toJSON() { throw new Error('no') } },
  'a throwing getter': Object.defineProperty({ ...okCustomer }, 'stage', { enumerable: true, get() { throw new Error('no') } }),
  'NaN and Infinity': { ...okCustomer, attributes: { n: { value: { number: NaN }, updated_at: now }, m: { value: { number: Infinity }, updated_at: now } } },
  'a bigint': { ...okCustomer, stage: 10n },
  undefined: undefined,
  null: null,
  'a number': 42,
  'a string': '{"tenant_id": "chayuan-tea"}',
  'a boolean': true,
  'a symbol': Symbol('x'),
  'a function': () => okCustomer,
  'a Buffer': Buffer.from('{}'),
  'a Map': new Map([['id', 'c1']]),
  'a Date': new Date(),
  'an empty object': {},
  'an empty list': [],
}

const isScrmError = (err) =>
  err instanceof Error &&
  ['parse', 'validation', 'unsupported_version', 'internal'].includes(err.code) &&
  Array.isArray(err.problems) &&
  err.problems.length > 0

const calls = {
  'resolve(x)': (x) => scrm.resolve(x),
  'resolve([x])': (x) => scrm.resolve([x]),
  'merge([x])': (x) => scrm.merge([x]),
  'merge([c], x)': (x) => scrm.merge([okCustomer], x),
  'onEvent(x, e)': (x) => tagger.onEvent(x, okEvent),
  'onEvent(c, x)': (x) => tagger.onEvent(okCustomer, x),
  'onEvent(c, e, x)': (x) => tagger.onEvent(okCustomer, okEvent, x),
  'Condition.fromJson(x)': (x) => scrm.Condition.fromJson(x),
  'evaluate(x, now)': (x) => compiled.evaluate(x, now),
  'evaluate(c, now, x)': (x) => compiled.evaluate(okCustomer, now, x),
}

// Where null and undefined mean "left out", the call succeeds.
const optional = new Set(['merge([c], x)', 'onEvent(c, e, x)', 'evaluate(c, now, x)'])
// Valid input after JSON.stringify in some places (a 10 MiB id is still an id; a Map writes as `{}`,
// an empty policy; `[]`, no customers or no history).
const mayPass = new Set(['a 10 MiB id', 'a Map', 'an empty object', 'an empty list'])

for (const [call, work] of Object.entries(calls)) {
  for (const [name, value] of Object.entries(hostile)) {
    const passes = mayPass.has(name) || ((value === null || value === undefined) && optional.has(call))
    test(`${call} with ${name} gives ${passes ? 'a result or ' : ''}a scrm error, not a crash`, () => {
      let result
      try {
        result = work(value)
      } catch (err) {
        assert.ok(isScrmError(err), `${err.code}: ${err.message}`)
        return
      }
      assert.ok(passes, 'accepted')
      assert.notEqual(result, undefined)
    })
  }
}

test('no JSON form is a parse error at the argument, a JSON value of the wrong shape a validation error', () => {
  assert.throws(
    () => scrm.merge([okCustomer], cyclic),
    (err) => err.code === 'parse' && err.problems[0].path === 'policy' && /cannot be written as JSON/.test(err.message),
  )
  assert.throws(() => tagger.onEvent(okCustomer, nested(100_000, 1, (v) => [v])), (err) => err.code === 'parse' && err.problems[0].path === 'event')
  assert.throws(() => tagger.onEvent(okCustomer, 10n), (err) => err.code === 'parse' && err.problems[0].path === 'event')
  assert.throws(() => tagger.onEvent(okCustomer, undefined), (err) => err.code === 'validation' && err.problems[0].path === 'event')
  assert.throws(() => scrm.resolve(Symbol('s')), (err) => err.code === 'validation' && err.problems[0].path === 'customers')
  // Nesting JSON can express but the core will not read (serde_json stops at 128 levels).
  assert.throws(() => scrm.resolve(nested(200, [], (v) => [v])), (err) => err.code === 'parse' && err.problems[0].path === 'customers')
})

test('strings that are not text give an error, never a crash', () => {
  for (const bad of [42, null, undefined, {}, Symbol('s'), 10n]) {
    assert.throws(() => scrm.normalizeIdentity(bad, '1'), Error)
    assert.throws(() => scrm.normalizeIdentity('phone', bad), Error)
    assert.throws(() => scrm.Condition.parse(bad), Error)
  }
  assert.throws(() => scrm.normalizeIdentity('phone', 'x'.repeat(10 * 1024 * 1024)), { code: 'validation' })
  // A lone surrogate reaches Rust as U+FFFD.
  assert.equal(scrm.normalizeIdentity('wechat_unionid', 'o\ud800').value, 'o\ufffd')
  assert.throws(() => scrm.Condition.parse('('.repeat(100_000)), { code: 'parse' })
  assert.throws(() => scrm.Condition.parse('has_tag("' + 'x'.repeat(10 * 1024 * 1024) + '")'), { code: 'parse' })
})

test('a huge message is matched, not choked on', () => {
  const text = '好'.repeat(1024 * 1024) + '多少钱'
  const { changes } = tagger.onEvent(okCustomer, { ...okEvent, text })
  assert.deepEqual(changes.map((c) => c.tagId), ['intent_high'])
})
