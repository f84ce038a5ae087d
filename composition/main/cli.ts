import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { migrateUp, pendingMigrations } from '../../adapters/postgres/migrations/index.js';
import { EmbeddedDatabaseInUseError } from '../../adapters/postgres/embedded-server.js';
import { bootstrap, loadEnv, type Runtime } from '../bootstrap.js';
import { ConfigError, decodeConfig } from '../config.js';
import { runMaintenance } from '../maintenance.js';
import { TOKENS } from '../tokens.js';
import { createAdminCommand } from './create-admin.js';
import { seedCommand } from './seed.js';

/** `npm run cli -- <command>`: operations that run with the server stopped (embedded) or beside it. */
interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Record<string, { type: 'string' | 'boolean' }>;
  run(runtime: Runtime, values: Record<string, string | boolean | undefined>): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  migrate: {
    summary: 'Apply pending database migrations',
    usage: 'migrate',
    options: {},
    async run({ infra, logger }) {
      if (!infra.database) {
        logger.info('The memory profile has no database to migrate.');
        return 0;
      }
      const applied = await migrateUp(infra.database.sequelize);
      logger.info(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Nothing to apply: the schema is current.');
      const pending = await pendingMigrations(infra.database.sequelize);
      return pending.length === 0 ? 0 : 1;
    },
  },
  'create-admin': createAdminCommand,
  seed: seedCommand,
  maintenance: {
    summary: 'Run the housekeeping tasks once (expired sessions and idempotency keys, abandoned uploads)',
    usage: 'maintenance',
    options: {},
    async run({ infra, container, logger }) {
      const failures = await runMaintenance(infra.maintenance, container.get(TOKENS.Clock), logger);
      return failures === 0 ? 0 : 1;
    },
  },
  // modules: add commands here (create-admin, seed, ...)
};

const help = (): string =>
  [
    'Usage: npm run cli -- <command> [options]',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(60)} ${c.summary}`),
    '',
    'Configuration comes from the environment and .env, as for the server (see .env.example).',
  ].join('\n');

const main = async (): Promise<number> => {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean' } }, strict: true });
  if (values['help']) {
    console.log(`Usage: npm run cli -- ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  const env = loadEnv();
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const runtime = await bootstrap(env, { migrate: name !== 'migrate' && decoded.right.migrateOnStart });
  try {
    return await command.run(runtime, values as Record<string, string | boolean | undefined>);
  } finally {
    await runtime.infra.close();
  }
};

main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof ConfigError || error instanceof EmbeddedDatabaseInUseError) console.error(error.message);
    else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) console.error(`${error.message}\n\n${help()}`);
    else console.error(error);
    process.exit(1);
  });
