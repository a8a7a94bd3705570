// Tagger: compiled once from a playbook, one call per event, changes with their reasons.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))
const tagger = scrm.Tagger.fromPlaybook(playbook)

const customer = () => ({ tenant_id: 'chayuan-tea', id: 'c1', created_at: '2026-03-01T00:00:00Z' })
const message = (id, text, at = '2026-03-15T02:00:00Z') => ({
  tenant_id: 'chayuan-tea',
  id,
  customer_id: 'c1',
  type: 'message',
  at,
  text,
})

test('a Tagger is built from a playbook only', () => {
  assert.ok(tagger instanceof scrm.Tagger)
  assert.throws(() => new scrm.Tagger(), Error)
  assert.throws(() => scrm.Tagger.fromPlaybook({}), Error)
})

test('onEvent returns the changed customer and camelCase changes', () => {
  const before = customer()
  const { customer: after, changes } = tagger.onEvent(before, message('e1', '礼盒多少钱'))
  assert.deepEqual(changes, [
    {
      tagId: 'intent_high',
      action: 'added',
      provenance: { kind: 'keyword', id: 'kw_price' },
      reason: 'said "多少钱" in message (rule kw_price)',
    },
    {
      tagId: 'ind_corporate_gift',
      action: 'added',
      provenance: { kind: 'keyword', id: 'kw_gift' },
      reason: 'said "礼盒" in message (rule kw_gift)',
    },
  ])
  assert.deepEqual(
    after.tags.map((t) => [t.tag_id, t.applied_at, t.provenance.kind]).sort(),
    [
      ['ind_corporate_gift', '2026-03-15T02:00:00Z', 'keyword'],
      ['intent_high', '2026-03-15T02:00:00Z', 'keyword'],
    ],
  )
  assert.equal(before.tags, undefined, 'the input is left as it was')
})

test('the changed customer feeds the next call; removals say why', () => {
  const first = tagger.onEvent(customer(), message('e1', '多少钱'))
  const second = tagger.onEvent(first.customer, message('e2', '太贵了', '2026-03-16T02:00:00Z'), [message('e1', '多少钱')])
  assert.deepEqual(
    second.changes.map((c) => [c.tagId, c.action]),
    [
      ['intent_high', 'removed'],
      ['intent_low', 'added'],
    ],
  )
  assert.match(second.changes[0].reason, /exclusive group intent/)
  assert.deepEqual(second.changes[0].provenance, { kind: 'keyword', id: 'kw_not_now' })
  assert.deepEqual(tagger.onEvent(second.customer, message('e2', '太贵了', '2026-03-16T02:00:00Z')).changes, [])
})

test('provenances carry the kind and id of the rule; tags already on keep theirs', () => {
  const c = { ...customer(), tags: [{ tag_id: 'intent_high', applied_at: '2026-03-01T00:00:00Z', provenance: { kind: 'manual' } }] }
  const { customer: after, changes } = tagger.onEvent(c, message('e1', '太贵了'))
  assert.deepEqual(changes[0].provenance, { kind: 'keyword', id: 'kw_not_now' })
  assert.deepEqual(changes[0].tagId, 'intent_high')
  assert.deepEqual(after.tags.map((t) => t.provenance), [{ kind: 'keyword', id: 'kw_not_now' }])
  assert.deepEqual(Object.keys(tagger.onEvent(customer(), { ...message('e1', ''), type: 'scan', channel_code: 'store-hz-xihu' }).changes[0].provenance), ['kind', 'id'])
})

test('an event for someone else is a validation error at event', () => {
  assert.throws(
    () => tagger.onEvent(customer(), { ...message('e1', '价格'), customer_id: 'c2' }),
    (err) => {
      assert.equal(err.code, 'validation')
      assert.deepEqual(err.problems.map((p) => p.path), ['event'])
      assert.match(err.problems[0].message, /not customer "c1"/)
      return true
    },
  )
})

test('bad customers, events and histories are refused at their path', () => {
  assert.throws(
    () => tagger.onEvent({ ...customer(), identities: [{ kind: 'phone', value: '138 0013 8000' }] }, message('e1', 'x')),
    (err) => err.code === 'validation' && err.problems[0].path === 'customer.identities[0].value',
  )
  assert.throws(
    () => tagger.onEvent(customer(), { ...message('e1', 'x'), at: 'soon' }),
    (err) => err.code === 'validation' && err.problems[0].path === 'event',
  )
  assert.throws(
    () => tagger.onEvent(customer(), message('e1', 'x'), [message('e0', 'y'), 'not an event']),
    (err) => err.code === 'validation' && err.problems[0].path === 'history',
  )
})
