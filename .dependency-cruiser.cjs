/**
 * The dependency rule of docs/architecture.md, enforced in `npm run lint`:
 * core/ imports only core/, fp-ts and io-ts; adapters import core/ (and libraries) but never
 * another adapter nor composition/. The one exception is adapters/shared/: code that several
 * adapters need and the core has no business knowing (byte metering, the shape of a replayed HTTP
 * response). Any adapter may import it; it imports only core/ and libraries. Only composition/
 * knows every adapter.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-framework-free',
      comment: 'core/ may import only core/, fp-ts, io-ts and node:crypto / node:stream.',
      severity: 'error',
      from: { path: '^core/' },
      to: {
        pathNot: ['^core/', '^node_modules/(fp-ts|io-ts)/', '^(crypto|stream|node:crypto|node:stream)$'],
      },
    },
    {
      name: 'adapters-do-not-import-each-other',
      comment: 'An adapter depends on core/, adapters/shared/ and libraries, never on another adapter.',
      severity: 'error',
      from: { path: '^adapters/([^/]+)/' },
      to: { path: '^adapters/', pathNot: ['^adapters/$1/', '^adapters/shared/'] },
    },
    {
      name: 'adapters-shared-imports-only-core',
      comment: 'adapters/shared/ is common ground: it imports core/ and libraries, never an adapter.',
      severity: 'error',
      from: { path: '^adapters/shared/' },
      to: { path: '^adapters/', pathNot: ['^adapters/shared/'] },
    },
    {
      name: 'only-composition-knows-composition',
      severity: 'error',
      from: { path: '^(core|adapters)/' },
      to: { path: '^composition/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    exclude: { path: '^(node_modules|dist|var)/' },
  },
};
