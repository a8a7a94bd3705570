// The generated index.d.ts describes the API as it is used (see types.ts).
const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('index.d.ts fits a strict TypeScript program', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const args = [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', path.join(__dirname, 'types.ts')]
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' })
  assert.equal(run.status, 0, run.stdout + run.stderr)
})
