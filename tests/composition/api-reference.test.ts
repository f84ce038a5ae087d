import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { renderApiReference, servedOpenApi } from '../../composition/api-reference.js';

/** docs/api-reference.md is generated from the served OpenAPI document: a route added without regenerating it fails here. */
describe('docs/api-reference.md', function () {
  this.timeout(60_000);

  it('is what `npm run docs:api` generates from the current routes (run it and commit the file if this fails)', async () => {
    const doc = await servedOpenApi();
    const generated = renderApiReference(doc);
    const committed = readFileSync(new URL('../../docs/api-reference.md', import.meta.url), 'utf8');
    // Every served route has its section.
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) expect(generated).to.contain(`### ${method.toUpperCase()} ${path}\n`);
    }
    expect(committed === generated, 'docs/api-reference.md is stale: run `npm run docs:api` and commit it').to.equal(true);
  });
});
