import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { servedOpenApi } from '../../composition/api-reference.js';
import { CLIENT_TYPES_FILE, renderClientTypes } from '../../composition/client-types.js';

/** adapters/http/client/api-types.ts is generated from the served OpenAPI document: a route or codec changed without regenerating it fails here. */
describe('the typed client (adapters/http/client/api-types.ts)', function () {
  this.timeout(60_000);

  it('is what `npm run client:generate` makes from the current OpenAPI document (run it and commit the file if this fails)', async () => {
    const doc = await servedOpenApi();
    const generated = await renderClientTypes(doc);
    // Every served operation has its entry, so an empty or truncated generation cannot pass.
    for (const [path, item] of Object.entries(doc.paths)) {
      const start = generated.indexOf(`\n    ${JSON.stringify(path)}: {\n`);
      expect(start, path).to.be.greaterThan(-1);
      const entry = generated.slice(start, generated.indexOf('\n    };', start));
      for (const method of Object.keys(item)) expect(entry, `${method.toUpperCase()} ${path}`).to.contain(`\n        ${method}: operations[`);
    }
    const committed = readFileSync(CLIENT_TYPES_FILE, 'utf8');
    expect(committed === generated, 'adapters/http/client/api-types.ts is stale: run `npm run client:generate` and commit it').to.equal(true);
  });

  it('is what the package exports as portside/client (the import docs/client.md shows)', async () => {
    const exported = await import('portside/client');
    const direct = await import('../../adapters/http/client/index.js');
    expect(exported.createPortsideClient).to.equal(direct.createPortsideClient);
    expect(Object.keys(exported).sort()).to.deep.equal(['bearerAuth', 'createPortsideClient', 'memoryTokenStorage', 'multipart']);
  });
});
