// Segments, decision chains and tagging by hand (tag, untag, expire, pre-tags).
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(repo, 'examples/playbooks/brand.json'), 'utf8'))
const tagger = scrm.Tagger.fromPlaybook(playbook)

const customer = (id, tags = [], extra = {}) => ({
  tenant_id: 'chayuan-tea',
  id,
  created_at: '2026-03-01T00:00:00Z',
  tags: tags.map((tag_id) => ({ tag_id, applied_at: '2026-03-02T00:00:00Z', provenance: { kind: 'manual' } })),
  stage: 'mql',
  ...extra,
})
const customers = [customer('c1', ['intent_high']), customer('c2', ['intent_low']), customer('c3')]
const now = new Date('2026-03-15T00:00:00Z')

function throwsScrm(work, code, paths) {
  assert.throws(work, (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, code)
    assert.deepEqual(
      err.problems.map((p) => p.path),
      paths,
    )
    return true
  })
}

test('a segment is the condition, plus include, minus exclude', () => {
  const hot = scrm.Condition.parse('has_tag("高意向")').compile(playbook)
  assert.deepEqual(scrm.Segment.create(hot).members(customers, now), ['c1'])
  const segment = scrm.Segment.create(hot, ['c3', 'c2'], ['c3'])
  assert.ok(segment instanceof scrm.Segment)
  assert.deepEqual(segment.members(customers, '2026-03-15T00:00:00Z'), ['c1', 'c2'])
  assert.deepEqual(segment.included, ['c2', 'c3'])
  assert.deepEqual(segment.excluded, ['c3'])
  assert.equal(segment.condition.condition.toText(), hot.condition.toText())
  assert.throws(() => new scrm.Segment(), Error)
})

test('segment members read scores as decimal strings and histories per customer', () => {
  const scored = scrm.Segment.create(scrm.Condition.parse('score >= 60').compile(playbook))
  assert.deepEqual(scored.members(customers, now, null, { c1: '59.99', c2: '60' }), ['c2'])
  throwsScrm(() => scored.members(customers, now, undefined, { c1: 72.5 }), 'validation', ['scores.c1'])
  throwsScrm(() => scored.members(customers, now, undefined, { c1: 'lots' }), 'validation', ['scores.c1'])
  const view = (id, at) => ({ tenant_id: 'chayuan-tea', id, customer_id: 'c3', type: 'content_view', at })
  const active = scrm.Segment.create(scrm.Condition.parse('count(event = "content_view", within = "7d") >= 2').compile(playbook))
  const histories = { c3: [view('e1', '2026-03-10T00:00:00Z'), view('e2', '2026-03-14T00:00:00Z')] }
  assert.deepEqual(active.members(customers, now, histories), ['c3'])
})

test('segment members refuse a bad time and bad customers', () => {
  const segment = scrm.Segment.create(scrm.Condition.parse('score >= 60').compile(playbook))
  throwsScrm(() => segment.members(customers, new Date('nope')), 'validation', ['now'])
  throwsScrm(() => segment.members(customers, 42), 'validation', ['now'])
  assert.throws(() => segment.members([{ id: 'c1' }], now), (err) => err.code === 'validation')
  const cycle = {}
  cycle.self = cycle
  throwsScrm(() => segment.members(cycle, now), 'parse', ['customers'])
})

test('decisionChain lists roles in camelCase and the gaps', () => {
  const chain = scrm.decisionChain({
    tenant_id: 'chayuan-tea',
    id: 'acc',
    name: '华东餐饮集团',
    contacts: [{ customer_id: 'boss', roles: ['decision_maker'] }, { customer_id: 'fan', roles: ['champion'] }],
  })
  assert.deepEqual(chain, {
    decisionMakers: ['boss'],
    influencers: [],
    champions: ['fan'],
    gatekeepers: [],
    gaps: ['nobody known who influences decision maker "boss"'],
  })
  const unknownManager = { tenant_id: 't', id: 'a', name: 'n', contacts: [{ customer_id: 'a', reports_to: 'zz' }] }
  throwsScrm(() => scrm.decisionChain(unknownManager), 'validation', ['contacts[0].reports_to'])
  throwsScrm(() => scrm.decisionChain(undefined), 'validation', ['account'])
})

test('tag and untag by hand return the changed customer and the changes', () => {
  const before = customer('c1')
  const tagged = tagger.tag(before, '高意向', new Date('2026-03-02T00:00:00Z'))
  assert.deepEqual(before.tags, [])
  assert.deepEqual(
    tagged.changes.map((c) => [c.tagId, c.action, c.provenance.kind]),
    [['intent_high', 'added', 'manual']],
  )
  assert.deepEqual(
    tagged.customer.tags.map((t) => [t.tag_id, t.applied_at]),
    [['intent_high', '2026-03-02T00:00:00Z']],
  )
  const untagged = tagger.untag(tagged.customer, 'intent_high')
  assert.deepEqual(
    untagged.changes.map((c) => [c.tagId, c.action]),
    [['intent_high', 'removed']],
  )
  assert.deepEqual(tagger.untag(untagged.customer, 'intent_high').changes, [])
  throwsScrm(() => tagger.tag(before, '黑名单', now), 'validation', ['tag'])
  throwsScrm(() => tagger.tag(before, '高意向', 'yesterday'), 'validation', ['at'])
  throwsScrm(() => tagger.untag(before, '黑名单'), 'validation', ['tag'])
})

test('expire takes off the tags due at now', () => {
  const live = customer('c1', [], {
    tags: [
      {
        tag_id: 'src_douyin_live',
        applied_at: '2026-03-01T00:00:00Z',
        provenance: { kind: 'channel_code', id: 'live_qr' },
        expires_at: '2026-05-30T00:00:00Z',
      },
    ],
  })
  assert.deepEqual(tagger.expire(live, '2026-05-29T23:59:59Z').changes, [])
  const gone = tagger.expire(live, new Date('2026-05-30T00:00:00Z'))
  assert.deepEqual(
    gone.changes.map((c) => [c.tagId, c.action, c.reason]),
    [['src_douyin_live', 'removed', 'expired']],
  )
  assert.deepEqual(gone.customer.tags, [])
  throwsScrm(() => tagger.expire(live, null), 'validation', ['now'])
})

test('applyPreTags applies the pre-tags of the identities the customer holds', () => {
  const c = customer('c1', [], { identities: [{ kind: 'phone', value: '+8613800138000' }] })
  const pre = [
    { identity: { kind: 'phone', value: '+8613800138000' }, tag: '门店扫码', at: new Date('2026-02-20T00:00:00Z') },
    { identity: { kind: 'email', value: 'x@y.com' }, tag: '酒店', at: '2026-02-20T00:00:00Z' },
  ]
  const result = tagger.applyPreTags(c, pre)
  assert.equal(result.changes.length, 1)
  assert.equal(result.changes[0].action, 'added')
  assert.equal(result.changes[0].provenance.kind, 'pre_tag')
  assert.equal(result.customer.tags.length, 1)
  assert.throws(() => tagger.applyPreTags(c, [{ identity: { kind: 'phone', value: '+8613800138000' }, tag: 'x' }]), (err) => {
    assert.equal(err.code, 'validation')
    assert.ok(err.problems.every((p) => p.path.startsWith('pre_tags')))
    return true
  })
})
