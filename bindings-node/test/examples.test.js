// The Node examples run as a user would run them, and say what they should.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const examples = path.resolve(__dirname, '..', '..', 'examples', 'node')
const run = (file) => spawnSync(process.execPath, [path.join(examples, file)], { encoding: 'utf8' })

test('examples/node/playbook-summary.js prints the taxonomy', () => {
  const out = run('playbook-summary.js')
  assert.equal(out.status, 0, out.stderr)
  assert.match(out.stdout, /^chayuan-tea \(Asia\/Shanghai\)/)
})

test('examples/node/backend.js applies events, answers a bad one with its path, and runs the nightly and billing jobs', () => {
  const out = run('backend.js')
  assert.equal(out.status, 0, out.stderr)
  assert.match(out.stdout, /stage: 'mql'/)
  assert.match(out.stdout, /path: 'event'/)
  assert.match(out.stdout, /^warn goes to the pool/m)
  assert.match(out.stdout, /^usage campaign-1 of 1500 units/m)
})
