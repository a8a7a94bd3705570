// Compiled (never run) by types.test.js with `tsc --strict`: the declarations fit real use.
import { Condition, Playbook, Segment, Tagger, decisionChain, merge, normalizeIdentity, resolve } from '..'
import type { AccountJson, CustomerJson, DecisionChain, EventJson, PreTagJson, ScrmError, TagChange } from '..'

declare const playbook: Playbook

const phone = normalizeIdentity('phone', '138 0013 8000')
const customer: CustomerJson = { tenant_id: 't', id: 'c1', created_at: '2026-03-01T00:00:00Z', identities: [phone] }
const event: EventJson = { tenant_id: 't', id: 'e1', customer_id: 'c1', type: 'message', at: '2026-03-15T02:00:00Z', text: '价格' }

const clusters: string[][] = resolve([customer, { ...customer, id: 'c2' }])
const merged: CustomerJson = merge([customer], { default: 'newest_non_empty', attributes: { orders: 'sum' } })

const tagger = Tagger.fromPlaybook(playbook)
const { customer: tagged, changes } = tagger.onEvent(merged, event, [])
const added: TagChange[] = changes.filter((c) => c.action === 'added')
const ids: string[] = added.map((c) => c.tagId + (c.provenance.id ?? ''))

const condition = Condition.fromJson({ has_tag: '高意向' })
const same: boolean = condition.equals(Condition.parse(condition.toText()))
const holds: boolean = condition.compile(playbook).evaluate(tagged, new Date(), undefined, '72.5')

const segment = Segment.create(condition.compile(playbook), ['c-vip'], ['c-blocked'])
const members: string[] = segment.members([customer, tagged], '2026-03-15T02:00:00Z', { c1: [event] }, { c1: '72.5' })
const pinned: string[] = segment.included.concat(segment.excluded)

const account: AccountJson = { tenant_id: 't', id: 'a', name: '华东餐饮集团', contacts: [{ customer_id: 'c1', roles: ['decision_maker'] }] }
const chain: DecisionChain = decisionChain(account)
const gaps: string[] = chain.decisionMakers.concat(chain.influencers, chain.champions, chain.gatekeepers, chain.gaps)

const preTags: PreTagJson[] = [{ identity: phone, tag: '门店扫码', at: new Date() }]
const byHand: TagChange[] = [
  ...tagger.tag(customer, '高意向', new Date()).changes,
  ...tagger.untag(customer, 'intent_high').changes,
  ...tagger.expire(customer, '2026-05-30T00:00:00Z').changes,
  ...tagger.applyPreTags(customer, preTags).changes,
]
const carried: CustomerJson = tagger.expire(tagged, new Date()).customer

try {
  normalizeIdentity('phone', '1')
} catch (e) {
  const err = e as ScrmError
  const paths: string[] = err.problems.map((p) => p.path)
  const code: 'parse' | 'validation' | 'unsupported_version' | 'internal' = err.code
  void paths
  void code
}

void clusters
void ids
void same
void holds
void members
void pinned
void gaps
void byHand
void carried
