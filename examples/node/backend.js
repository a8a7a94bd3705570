// A mini-program backend's use of scrm, without the web framework: compile a tenant's playbook
// once, then per request apply the event to the customer's stored profile; nightly, reclaim
// neglected customers to the pool; monthly, invoice. The store is a Map here; use your database.
//
//   node examples/node/backend.js
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('../../bindings-node')

// Once per tenant (and again when the playbook changes).
const playbook = scrm.Playbook.fromJson(fs.readFileSync(path.join(__dirname, '..', 'playbooks', 'brand.json'), 'utf8'))
const engine = scrm.Engine.fromPlaybook(playbook)
const pool = scrm.Pool.fromPlaybook(playbook)
const profiles = new Map() // customer id → ProfileJson, as your database would hold it

/** The request handler: one event in, what the sales team should see out. */
function onEvent(event) {
  try {
    const { profile, effects } = engine.apply(profiles.get(event.customer_id) ?? null, event, new Date(event.at))
    profiles.set(event.customer_id, profile)
    return {
      stage: profile.live.customer.stage,
      score: effects.score?.after,
      changes: [
        ...(effects.tags ?? []).map((t) => `${t.action} ${t.tag_id}: ${t.reason}`),
        ...(effects.stages ?? []).map((s) => `${s.from ?? '-'} → ${s.to}: ${s.reason}`),
        ...(effects.tasks ?? []).map((t) => `task ${t.name}`),
      ],
    }
  } catch (err) {
    // A bad request: answer 400 with the paths at fault.
    return { status: 400, code: err.code, problems: err.problems }
  }
}

const event = (id, type, at, extra) => ({ tenant_id: 'chayuan-tea', id, customer_id: 'c1', type, at, ...extra })
console.log(onEvent(event('e1', 'message', '2026-03-02T02:00:00Z', { text: '大红袍礼盒多少钱？' })))
console.log(onEvent(event('e2', 'content_view', '2026-03-02T02:05:00Z', { properties: { category: 'pricing' } })))
console.log(onEvent({ ...event('e3', 'message', '2026-03-02T02:10:00Z'), tenant_id: 'another-tenant' }))

// Nightly: what goes back to the pool, and whom to warn.
const facts = [{ customer_id: 'c1', owner: { id: 'wang', since: '2026-03-02T02:00:00Z' }, stage: 'lead' }]
for (const item of pool.due(facts, new Date('2026-03-15T16:00:00Z')).items) console.log(item.action, item.reason)

// Monthly: an SMS pack bought in the mini program, used by campaigns.
if (playbook.packs !== null) {
  const wallet = scrm.purchase(playbook.packs, 'sms_10k', 'w-1', new Date('2026-03-01T00:00:00Z'))
  const used = scrm.consume([wallet], [{ id: 'campaign-1', at: '2026-03-05T00:00:00Z', quantity: '1500' }])
  console.log(used.consumptions[0].explanation)
}
