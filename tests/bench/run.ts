import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench [-- name...]`: each benchmark in a fresh Node process (with --expose-gc), so
 * neither JIT state nor leftover heap from one skews another. They print ratios measured within
 * one run; nothing here asserts a time. BENCH_DATABASE_URL adds a real PostgreSQL server to the
 * database benchmarks (PGlite always runs); with BENCH_REDIS_URL too, `http` measures the services
 * profile beside the embedded one, and `events` and `login-cap` (which need both) run instead of saying skipped.
 */
const BENCHES: Record<string, () => Promise<void>> = {
  'records-pagination': async () => (await import('./records-pagination.js')).recordsPagination(),
  'list-growth': async () => (await import('./list-growth.js')).listGrowth(),
  'jwt-verify': async () => (await import('./jwt-verify.js')).jwtVerify(),
  'upload-memory': async () => (await import('./upload-memory.js')).uploadMemory(),
  'export-memory': async () => (await import('./export-memory.js')).exportMemory(),
  'archive-memory': async () => (await import('./archive-memory.js')).archiveMemory(),
  http: async () => (await import('./http.js')).httpBench(),
  events: async () => (await import('./events.js')).eventsBench(),
  'login-cap': async () => (await import('./login-cap.js')).loginCapBench(),
};

const CHILD = 'PORTSIDE_BENCH';

const runChild = async (name: string): Promise<void> => {
  try {
    await BENCHES[name]!();
    process.exit(0);
  } catch (error) {
    console.error(`benchmark ${name} failed:`, error);
    process.exit(1);
  }
};

const runAll = (): void => {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const names = asked.length > 0 ? asked : Object.keys(BENCHES);
  const failed: string[] = [];
  const started = Date.now();
  for (const name of names) {
    const t0 = Date.now();
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      stdio: 'inherit',
      env: { ...process.env, [CHILD]: name, NODE_ENV: process.env['NODE_ENV'] ?? 'test' },
    });
    if (child.status !== 0) failed.push(name);
    console.log(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  console.log(`${names.length - failed.length}/${names.length} benchmarks ran in ${((Date.now() - started) / 1000).toFixed(0)} s` + (failed.length > 0 ? `; FAILED: ${failed.join(', ')}` : ''));
  process.exit(failed.length > 0 ? 1 : 0);
};

const child = process.env[CHILD];
if (child !== undefined) await runChild(child);
else runAll();
