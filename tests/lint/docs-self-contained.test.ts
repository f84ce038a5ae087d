import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

/**
 * The repository's docs stand on their own (issue #16): nothing points outside it, examples use the
 * port the server listens on, and every relative Markdown link lands on a file that exists.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', '.git', 'var', 'dist', 'lint-fixtures']);

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.(md|ts|js|cjs|json|ya?ml|example)$|^Dockerfile$/.test(name) || name === '.env.example' ? [full] : [];
  });

const all = [...files(root), path.join(root, '.env.example')].filter((f) => !f.endsWith('docs-self-contained.test.ts') && !f.endsWith('package-lock.json'));
const markdown = all.filter((f) => f.endsWith('.md'));

describe('documentation that stands on its own', () => {
  it('no file points outside the repository (private shared files, an "API contract" readers do not have)', () => {
    const offenders = all.flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [/\.\.\/shared\/[\w-]+\.md/, /\/work\/shared/, /\bAPI contract\b/i]
        .filter((pattern) => pattern.test(text))
        .map((pattern) => `${path.relative(root, file)}: ${pattern}`);
    });
    expect(offenders).to.deep.equal([]);
  });

  it('examples use the port the server listens on (3000), not 8000', () => {
    expect(markdown.filter((f) => readFileSync(f, 'utf8').includes('localhost:8000')).map((f) => path.relative(root, f))).to.deep.equal([]);
  });

  it('every relative link in the Markdown lands on a file (and heading) that exists', () => {
    const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
    const broken: string[] = [];
    for (const file of markdown) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target!)) continue;
        const [relative, anchor] = target!.split('#') as [string, string | undefined];
        const resolved = relative === '' ? file : path.resolve(path.dirname(file), relative);
        if (!existsSync(resolved)) {
          broken.push(`${path.relative(root, file)} -> ${target}`);
          continue;
        }
        if (anchor && resolved.endsWith('.md')) {
          const headings = [...readFileSync(resolved, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
          if (!headings.includes(anchor)) broken.push(`${path.relative(root, file)} -> ${target} (no such heading)`);
        }
      }
    }
    expect(broken).to.deep.equal([]);
  });

  it('the README reaches register in one click', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).to.contain('](docs/api-reference.md#post-apiv1authregister)');
    expect(readFileSync(path.join(root, 'docs/api-reference.md'), 'utf8')).to.contain('### POST /api/v1/auth/register\n');
  });
});
