// Writes the app's /sigil.json for a deployment: the network settings of
// the given template (sigil.json) with the identity manager's canister id.
//   node sigil-config.mjs <template> <identity manager id> <output>
import { readFileSync, writeFileSync } from 'node:fs';

const [template, identityManager, output] = process.argv.slice(2);
if (!template || !identityManager || !output) {
  console.error('usage: node sigil-config.mjs <template> <identity manager id> <output>');
  process.exit(2);
}
const config = JSON.parse(readFileSync(template, 'utf8'));
config.canisters = { ...config.canisters, identity_manager: identityManager };
writeFileSync(output, `${JSON.stringify(config, null, 2)}\n`);
