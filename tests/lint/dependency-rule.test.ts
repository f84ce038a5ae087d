import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { ESLint } from 'eslint';

/**
 * The dependency rule is held by tools in `npm run lint`; these fixtures prove the tools bite.
 * Each fixture under tests/lint-fixtures/ is a tree shaped like the project and is linted with
 * the project's own configuration, run from the fixture directory (the rules match paths such as
 * `^core/` relative to the working directory). The project's lint, typecheck and build skip them.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: 'dirty' | 'clean') => fileURLToPath(new URL(`../lint-fixtures/${name}/`, import.meta.url));
const run = promisify(execFile);

/** Runs depcruise exactly as `npm run lint` does (its `err` output sets the exit code). */
const depcruise = async (cwd: string, dirs: string[]): Promise<{ exitCode: number; violations: string[] }> => {
  const args = [...dirs, '--config', `${root}.dependency-cruiser.cjs`];
  let exitCode = 0;
  let output: string;
  try {
    output = (await run(`${root}node_modules/.bin/depcruise`, args, { cwd, maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number' || !e.stdout) throw new Error(`depcruise did not run: ${e.stderr ?? String(error)}`, { cause: error });
    exitCode = e.code;
    output = e.stdout;
  }
  // Lines such as "  error core-is-framework-free: core/bad.ts → adapters/a/x.ts"
  const violations = [...output.matchAll(/^\s*error (.+)$/gm)].map((m) => m[1]!.trim());
  return { exitCode, violations };
};

const eslintIn = (cwd: string) => new ESLint({ cwd, overrideConfigFile: `${root}eslint.config.js`, ignore: false });

const messagesOf = (results: ESLint.LintResult[], file: string) => {
  const result = results.find((r) => r.filePath.endsWith(file));
  if (!result) throw new Error(`${file} was not linted`);
  return result.messages.map((m) => ({ rule: m.ruleId, message: m.message }));
};

describe('the dependency rule (lint fixtures)', function () {
  // Typed ESLint and dependency-cruiser start a TypeScript program each.
  this.timeout(90_000);

  describe('dependency-cruiser with .dependency-cruiser.cjs', () => {
    it('fails a tree whose core imports an adapter and whose adapters import each other, naming each rule', async () => {
      const { exitCode, violations } = await depcruise(fixture('dirty'), ['core', 'adapters']);
      expect(exitCode).to.not.equal(0);
      const found = violations;
      expect(found).to.include('core-is-framework-free: core/bad.ts → adapters/a/x.ts');
      expect(found).to.include('adapters-do-not-import-each-other: adapters/a/x.ts → adapters/b/y.ts');
      expect(found).to.include('adapters-shared-imports-only-core: adapters/shared/z.ts → adapters/b/y.ts');
      expect(found.some((f) => f.startsWith('core-is-framework-free: core/uses-express.ts → ') && f.includes('node_modules/express/')), found.join('\n'))
        .to.equal(true);
    });

    it('passes a tree where core imports only itself and node:crypto, adapters only core and adapters/shared, composition both', async () => {
      const { exitCode, violations } = await depcruise(fixture('clean'), ['core', 'adapters', 'composition']);
      expect(violations).to.deep.equal([]);
      expect(exitCode).to.equal(0);
    });
  });

  describe('ESLint with eslint.config.js', () => {
    it('no-restricted-imports fires on a core file importing express, and on one importing an adapter', async () => {
      const results = await eslintIn(fixture('dirty')).lintFiles(['core/uses-express.ts', 'core/bad.ts']);
      const express = messagesOf(results, 'core/uses-express.ts');
      expect(express).to.have.length(1);
      expect(express[0]).to.include({ rule: 'no-restricted-imports' });
      expect(express[0]!.message).to.contain("'express'").and.contain('core/ imports only core/, fp-ts and io-ts');
      expect(messagesOf(results, 'core/bad.ts')).to.deep.equal([
        {
          rule: 'no-restricted-imports',
          message: "'../adapters/a/x.js' import is restricted from being used by a pattern. core/ never imports adapters/ or composition/.",
        },
      ]);
    });

    it('no-restricted-globals fires on process in core', async () => {
      const results = await eslintIn(fixture('dirty')).lintFiles(['core/reads-env.ts']);
      expect(messagesOf(results, 'core/reads-env.ts').map((m) => m.rule)).to.deep.equal(['no-restricted-globals']);
    });

    it('the core restrictions do not apply outside core (adapters are left to dependency-cruiser)', async () => {
      const results = await eslintIn(fixture('dirty')).lintFiles(['adapters/a/x.ts']);
      expect(messagesOf(results, 'adapters/a/x.ts')).to.deep.equal([]);
    });

    it('@typescript-eslint/no-floating-promises fires on an un-awaited promise', async () => {
      const results = await eslintIn(fixture('dirty')).lintFiles(['core/floating.ts']);
      expect(messagesOf(results, 'core/floating.ts').map((m) => m.rule)).to.deep.equal(['@typescript-eslint/no-floating-promises']);
    });

    it('reports nothing on the clean tree (with the typed rules on)', async () => {
      const results = await eslintIn(fixture('clean')).lintFiles(['.']);
      expect(results.length).to.be.greaterThanOrEqual(5);
      expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}: ${m.ruleId} ${m.message}`))).to.deep.equal([]);
    });
  });
});
