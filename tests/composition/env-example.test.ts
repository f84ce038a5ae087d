import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import dotenv from 'dotenv';
import * as E from 'fp-ts/lib/Either.js';
import { decodeConfig } from '../../composition/config.js';

/** `.env.example` is the documentation of the configuration: it must not drift from config.ts. */

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));

/** The variables decodeConfig reads, observed through a recording environment. */
const variablesRead = (): string[] => {
  const read = new Set<string>();
  // S3_ENDPOINT set, so the S3 settings that depend on it are read too.
  const env = new Proxy<Record<string, string | undefined>>({ S3_ENDPOINT: 'http://minio:9000' }, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  decodeConfig(env);
  return [...read];
};

describe('.env.example', () => {
  it('lists every variable composition/config.ts reads', () => {
    const read = variablesRead();
    expect(read.length).to.be.greaterThan(30);
    expect(read.filter((name) => !documented.has(name))).to.deep.equal([]);
  });

  it('lists nothing that is not read', () => {
    const read = new Set(variablesRead());
    expect([...documented].filter((name) => !read.has(name))).to.deep.equal([]);
  });

  it('shows the real defaults: copied as is to .env it configures exactly what an empty environment does', () => {
    const fromExample = decodeConfig(dotenv.parse(example));
    if (E.isLeft(fromExample)) expect.fail(fromExample.left.message);
    expect(fromExample).to.deep.equal(decodeConfig({}));
  });
});
