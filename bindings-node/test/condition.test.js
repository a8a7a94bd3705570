// Condition and CompiledCondition: both forms, compile, evaluate with an explicit `now`.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')
const { Condition, CompiledCondition } = scrm

const repo = path.resolve(__dirname, '..', '..')
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))

const hot = {
  tenant_id: 'chayuan-tea',
  id: 'c1',
  created_at: '2026-03-01T00:00:00Z',
  tags: [{ tag_id: 'intent_high', applied_at: '2026-03-02T00:00:00Z', provenance: { kind: 'manual' } }],
}
const view = (id, at) => ({ tenant_id: 'chayuan-tea', id, customer_id: 'c1', type: 'content_view', at })

test('text and JSON forms read to equal conditions and print back', () => {
  const text = Condition.parse('score>=60 and has_tag("高意向")')
  assert.ok(text instanceof Condition)
  assert.equal(text.toText(), 'score >= 60 and has_tag("高意向")')
  assert.equal(`${text}`, text.toText())
  const json = text.toJson()
  assert.deepEqual(json, { all: [{ compare: { field: 'score', op: '>=', value: 60 } }, { has_tag: '高意向' }] })
  assert.ok(Condition.fromJson(json).equals(text))
  assert.ok(Condition.fromJson(JSON.stringify(json)).equals(text))
  assert.ok(!Condition.parse('true').equals(text))
})

test('a syntax error is a parse error at the root, with line, column and caret', () => {
  assert.throws(
    () => Condition.parse('score >= 60 and (stage = "sql"]'),
    (err) => {
      assert.equal(err.code, 'parse')
      assert.deepEqual(err.problems.map((p) => p.path), [''])
      assert.match(err.problems[0].message, /^line 1, column 31: .*\n.*\n\s+\^$/)
      return true
    },
  )
  assert.throws(() => Condition.parse('stage > 3'), { code: 'validation' })
})

test('JSON-form errors are at their JSON paths', () => {
  assert.throws(
    () => Condition.fromJson({ all: [{ has_tag: 'x' }, { compare: { field: 'score', op: '~', value: 1 } }] }),
    (err) => err.code === 'validation' && err.problems.map((p) => p.path).join() === 'all[1].compare.op',
  )
  assert.throws(() => Condition.fromJson('{"all": ['), { code: 'parse' })
})

test('compile gives a CompiledCondition; unknown tags are refused', () => {
  const compiled = Condition.parse('has_tag("高意向")').compile(playbook)
  assert.ok(compiled instanceof CompiledCondition)
  assert.ok(compiled.condition.equals(Condition.parse('has_tag("高意向")')))
  assert.throws(() => Condition.parse('has_tag("不存在")').compile(playbook), { code: 'validation' })
  assert.throws(() => new CompiledCondition(), Error)
})

test('evaluate returns a boolean; score is a decimal string', () => {
  const c = Condition.parse('score >= 60.5 and has_tag("高意向")').compile(playbook)
  const now = '2026-03-15T00:00:00Z'
  assert.equal(c.evaluate(hot, now, [], '60.5'), true)
  assert.equal(c.evaluate(hot, now, null, '60.49'), false)
  assert.equal(c.evaluate(hot, now), false, 'no score: absent, so >= fails')
  assert.equal(typeof c.evaluate(hot, now, undefined, '99'), 'boolean')
})

test('a score given as a JS number or not a decimal is refused at score', () => {
  const c = Condition.parse('score >= 60').compile(playbook)
  for (const score of [72, 72n, {}, true, 'lots', 'NaN', '']) {
    assert.throws(
      () => c.evaluate(hot, '2026-03-15T00:00:00Z', [], score),
      (err) => err.code === 'validation' && err.problems[0].path === 'score',
      String(score),
    )
  }
})

test('now is a Date or an RFC 3339 string, and windows end there', () => {
  const c = Condition.parse('count(event = "content_view", within = "7d") >= 1').compile(playbook)
  const history = [view('v1', '2026-03-10T00:00:00Z')]
  assert.equal(c.evaluate(hot, new Date('2026-03-15T00:00:00Z'), history), true)
  assert.equal(c.evaluate(hot, '2026-03-15T08:00:00+08:00', history), true)
  assert.equal(c.evaluate(hot, new Date('2026-03-18T00:00:01Z'), history), false)
  assert.equal(c.evaluate(hot, '2026-03-18T00:00:01Z', history), false)
})

test('an invalid now is refused at now', () => {
  const c = Condition.parse('true').compile(playbook)
  for (const now of ['yesterday', '2026-03-15', '2026-03-15 00:00:00', '', new Date('nope'), 1773532800000, null, undefined, {}, [], true]) {
    assert.throws(
      () => c.evaluate(hot, now),
      (err) => {
        assert.equal(err.code, 'validation')
        assert.deepEqual(err.problems.map((p) => p.path), ['now'])
        return true
      },
      String(now),
    )
  }
})

test('bad customers and histories are refused at their path', () => {
  const c = Condition.parse('true').compile(playbook)
  const now = '2026-03-15T00:00:00Z'
  assert.throws(
    () => c.evaluate({ ...hot, tags: [{ tag_id: 'intent_high' }] }, now),
    (err) => err.code === 'validation' && err.problems[0].path === 'customer',
  )
  assert.throws(
    () => c.evaluate(hot, now, [{ ...view('v1', '2026-03-10T00:00:00Z'), at: 'then' }]),
    (err) => err.code === 'validation' && err.problems[0].path === 'history',
  )
})
