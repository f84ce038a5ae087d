import { readFile, writeFile } from 'node:fs/promises';
import { renderApiReference, servedOpenApi } from '../api-reference.js';

/**
 * `npm run docs:api`: rewrites docs/api-reference.md from the OpenAPI document. `--check` writes
 * nothing and exits 1 when the file is stale (the test does the same).
 */
const target = new URL('../../docs/api-reference.md', import.meta.url);
const markdown = renderApiReference(await servedOpenApi());
if (process.argv.includes('--check')) {
  const current = await readFile(target, 'utf8').catch(() => '');
  if (current !== markdown) {
    console.error('docs/api-reference.md is stale: run `npm run docs:api` and commit it.');
    process.exit(1);
  }
  console.log('docs/api-reference.md is current.');
} else {
  await writeFile(target, markdown);
  console.log('Wrote docs/api-reference.md');
}
process.exit(0);
