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
