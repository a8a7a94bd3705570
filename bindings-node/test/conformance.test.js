// Runs every vector in conformance/vectors through the Node binding.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const dir = path.join(repo, 'conformance', 'vectors')
const vectors = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')).vectors)

function sourceText(v) {
  if ('text' in v) return v.text
  if ('file' in v) return fs.readFileSync(path.join(repo, v.file), 'utf8')
  return JSON.stringify(v.document)
}

function summary(p) {
  return {
    schema_version: p.schemaVersion,
    tenant_id: p.tenantId,
    timezone: p.timezone,
    channels: p.channels.map((c) => c.id),
    groups: p.tagGroups.map((g) => ({ id: g.id, exclusive: g.exclusive, tags: g.tags.map((t) => t.id) })),
  }
}

function run(v) {
  if (v.op === 'playbook.load') {
    const load = { json: (t) => scrm.Playbook.fromJson(t), toml: (t) => scrm.Playbook.fromToml(t) }[v.format]
    try {
      return { summary: summary(load(sourceText(v))) }
    } catch (err) {
      if (!err.problems) throw err
      return { error: { kind: err.code, paths: err.problems.map((p) => p.path) } }
    }
  }
  throw new Error(`unknown op ${v.op} in ${v.id}`)
}

test('there are vectors', () => assert.ok(vectors.length >= 15))

for (const v of vectors) {
  test(v.id, () => assert.deepEqual(run(v), v.expect))
}
