import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { prepareEmbeddedTemplate } from '../../adapters/postgres/embedded-template.js';
import { loadEnv } from '../bootstrap.js';
import { templateCacheDir } from '../infrastructure.js';

/**
 * `npm run prepare:embedded` (and the root `postinstall` of `npm ci` / `npm install`): builds the
 * migrated template of the embedded database (adapters/postgres/embedded-template.ts) unless it is
 * there already, so the first start on an empty DATA_DIR copies it instead of running initdb.
 *
 * With `--postinstall` it never fails the install: a problem is one line and exit code 0 (the first
 * start then prepares the template itself, or runs initdb in place). It does nothing when this
 * package is installed as another project's dependency (npm's INIT_CWD is elsewhere).
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const postinstall = process.argv.includes('--postinstall');

const main = async (): Promise<void> => {
  const initCwd = process.env['INIT_CWD'];
  if (postinstall && initCwd && realpathSync(initCwd) !== realpathSync(ROOT)) return;
  const value = loadEnv()['EMBEDDED_TEMPLATE_DIR']?.trim();
  const dir = templateCacheDir({ embeddedTemplateDir: value || undefined });
  if (!dir) {
    console.log('portside: EMBEDDED_TEMPLATE_DIR=off: no embedded database template prepared');
    return;
  }
  const started = Date.now();
  const template = await prepareEmbeddedTemplate(dir);
  console.log(
    template.built
      ? `portside: embedded database template prepared in ${template.dir} (${((Date.now() - started) / 1000).toFixed(1)} s)`
      : `portside: embedded database template up to date in ${template.dir}`,
  );
};

main().catch((error: unknown) => {
  const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  console.log(`portside: embedded database template not prepared (${reason}); the first start on an empty DATA_DIR prepares it or runs initdb in place`);
  process.exitCode = postinstall ? 0 : 1;
});
