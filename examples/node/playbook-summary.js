// Load a playbook (the sample by default) and print its tag taxonomy, or every problem it has.
//
//   node examples/node/playbook-summary.js [path/to/playbook.json|.toml]
const fs = require('node:fs')
const path = require('node:path')

const scrm = require('../../bindings-node')

const file = process.argv[2] ?? path.join(__dirname, '..', 'playbooks', 'brand.json')
const text = fs.readFileSync(file, 'utf8')

let playbook
try {
  playbook = file.endsWith('.toml') ? scrm.Playbook.fromToml(text) : scrm.Playbook.fromJson(text)
} catch (err) {
  console.error(`${file} does not load (${err.code}):`)
  for (const p of err.problems ?? []) console.error(`  - ${p.path}: ${p.message}`)
  process.exit(1)
}

console.log(`${playbook.tenantId} (${playbook.timezone}), scrm ${scrm.version()}`)
for (const group of [...playbook.tagGroups].sort((a, b) => b.order - a.order)) {
  const mode = group.exclusive ? 'exclusive' : 'multi'
  console.log(`  ${group.name} [${mode}]: ${group.tags.map((t) => t.name).join(', ')}`)
}
