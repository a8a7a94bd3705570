const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('..')

const repo = path.resolve(__dirname, '..', '..')
const read = (p) => fs.readFileSync(path.join(repo, p), 'utf8')

test('version matches the core', () => {
  assert.equal(scrm.version(), '0.1.0')
})

test('the sample loads equal from JSON and TOML', () => {
  const a = scrm.Playbook.fromJson(read('examples/playbooks/brand.json'))
  const b = scrm.Playbook.fromToml(read('examples/playbooks/brand.toml'))
  assert.ok(a.equals(b))
  assert.equal(a.tenantId, 'chayuan-tea')
  assert.equal(a.timezone, 'Asia/Shanghai')
  assert.deepEqual(a.channels.map((c) => c.platform), ['wecom', 'douyin', 'mini_program', 'offline'])
  const intent = a.tagGroups.find((g) => g.id === 'intent')
  assert.equal(intent.exclusive, true)
  assert.deepEqual(intent.tags.map((t) => t.name), ['高意向', '中意向', '低意向'])
  assert.ok(scrm.Playbook.fromJson(a.toJson()).equals(a))
})

test('a validation error has a stable code and every problem with its path', () => {
  const text = JSON.stringify({
    schema_version: 1,
    tenant_id: 't',
    timezone: 'Mars/Olympus',
    channels: [{ id: 'w', name: '企业微信', platform: 'wexin' }],
  })
  assert.throws(
    () => scrm.Playbook.fromJson(text),
    (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, 'validation')
      assert.deepEqual(err.problems.map((p) => p.path), ['channels[0].platform', 'timezone'])
      assert.match(err.problems[1].message, /"Mars\/Olympus"/)
      assert.match(err.message, /timezone/)
      return true
    },
  )
})

test('parse and version errors have their own codes', () => {
  assert.throws(() => scrm.Playbook.fromJson('{'), { code: 'parse' })
  assert.throws(() => scrm.Playbook.fromToml('a = '), { code: 'parse' })
  assert.throws(
    () => scrm.Playbook.fromJson('{"schema_version": 9, "tenant_id": "t", "timezone": "UTC"}'),
    { code: 'unsupported_version' },
  )
})

test('validate returns problems without throwing', () => {
  assert.deepEqual(scrm.Playbook.validate('{"schema_version": 1, "tenant_id": "t", "timezone": "UTC"}'), [])
  const problems = scrm.Playbook.validate('schema_version = 2\n', 'toml')
  assert.deepEqual(problems.map((p) => p.path), ['schema_version'])
  assert.throws(() => scrm.Playbook.validate('{}', 'yaml'), { code: 'validation' })
})

test('the JSON Schema is JSON', () => {
  assert.equal(JSON.parse(scrm.Playbook.jsonSchema()).additionalProperties, false)
})
