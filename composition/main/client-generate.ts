import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { servedOpenApi } from '../api-reference.js';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../client-types.js';

/**
 * `npm run client:generate`: rewrites adapters/http/client/api-types.ts from the OpenAPI document.
 * `--check` writes nothing and exits 1 when the file is stale (the test does the same).
 */
const shown = fileURLToPath(CLIENT_TYPES_FILE).replace(`${process.cwd()}/`, '');
const types = await renderClientTypes(await servedOpenApi());
if (process.argv.includes('--check')) {
  const current = await readFile(CLIENT_TYPES_FILE, 'utf8').catch(() => '');
  if (current !== types) {
    console.error(`${shown} is stale: run \`npm run client:generate\` and commit it.`);
    process.exit(1);
  }
  console.log(`${shown} is current.`);
} else {
  await writeFile(CLIENT_TYPES_FILE, types);
  console.log(`Wrote ${shown}`);
}
process.exit(0);
