import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { migrateUp, pendingMigrations } from '../../adapters/postgres/migrations/index.js';
import { bootstrap, createLogger, loadEnv, type Runtime } from '../bootstrap.js';
import { narrowForCommand } from '../cli-scope.js';
import { decodeConfig } from '../config.js';
import { startInfrastructure } from '../infrastructure.js';
import { runMaintenanceReport, summarizeMaintenance } from '../maintenance.js';
import { isKnownRefusal, startupFailureMessage } from '../startup-error.js';
import { TOKENS } from '../tokens.js';
import { exportCommand, importCommand } from './archive-commands.js';
import { createAdminCommand } from './create-admin.js';
import { seedCommand } from './seed.js';

/**
 * `npm run cli -- <command>`: operations that run with the server stopped (embedded) or beside it.
 *
 * Exit codes: 0 done; 1 the command failed (or start-up was refused: configuration, database);
 * 2 usage error (unknown command or option, missing argument, command refused in this
 * configuration). Arguments are checked before anything is opened.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Values = Record<string, string | boolean | undefined>;

export interface Command {
  readonly summary: string;
  readonly usage: string;
  readonly options: Record<string, { type: 'string' | 'boolean' }>;
  /** What `<command> --help` explains beyond the summary: each option, and commands to copy. */
  readonly help?: { readonly options?: Record<string, string>; readonly examples?: readonly string[] };
  /** Checked before anything is opened: a usage problem, or null. */
  readonly check?: (values: Values) => string | null;
  /** The object store is opened only for the commands that use it. */
  readonly usesObjectStorage?: boolean;
  /** The session store (Redis when configured) is opened only for the commands that use it. */
  readonly usesSessions?: boolean;
  /** More lines for `--help`. */
  readonly details?: readonly string[];
  run(runtime: Runtime, values: Values): Promise<number>;
}

/** A command that opens what it needs itself instead of the whole application (export, import). */
interface StandaloneCommand extends Omit<Command, 'run'> {
  standalone(env: Readonly<Record<string, string | undefined>>, values: Values): Promise<number>;
}

const maintenance: Command = {
  summary: 'Run the housekeeping tasks once (expired sessions and idempotency keys, abandoned uploads, orphaned file objects)',
  usage: 'maintenance',
  options: {},
  help: { examples: ['npm run cli -- maintenance'] },
  usesObjectStorage: true,
  async run({ infra, container, logger }) {
    const report = await runMaintenanceReport(infra.maintenance, container.get(TOKENS.Clock), logger);
    console.log(summarizeMaintenance(report));
    if (report.failures > 0) {
      console.error('Some tasks failed (the log lines above say which and why). Fix the cause, then run `npm run cli -- maintenance` again: every task is safe to repeat.');
    }
    return report.failures === 0 ? EXIT.ok : EXIT.failed;
  },
};

const COMMANDS: Record<string, Command | StandaloneCommand> = {
  migrate: {
    summary: 'Apply pending database migrations (opens the database only)',
    usage: 'migrate',
    options: {},
    help: { examples: ['npm run cli -- migrate', 'DATABASE_URL=postgres://user:pw@db:5432/portside npm run migrate'] },
    // Runs through migrateCommand below, never through bootstrap.
    run: () => Promise.resolve(EXIT.failed),
  },
  'create-admin': createAdminCommand,
  seed: seedCommand,
  maintenance,
  export: exportCommand,
  import: importCommand,
  // modules: add commands here
};

/** `migrate`: the database and nothing else, so an unreachable Redis or object store cannot stall a deploy step. */
const migrateCommand = async (env: Readonly<Record<string, string | undefined>>): Promise<number> => {
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const config = narrowForCommand(decoded.right, { usesObjectStorage: false });
  const logger = createLogger(config);
  if (config.adapters.database === 'memory') {
    console.log('The memory profile has no database to migrate.');
    return EXIT.ok;
  }
  const infra = await startInfrastructure(config, logger, { migrate: false, requireCurrentSchema: false });
  try {
    const applied = await migrateUp(infra.database!.sequelize);
    console.log(applied.length > 0 ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Nothing to apply: the schema is current.');
    return (await pendingMigrations(infra.database!.sequelize)).length === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await infra.close();
  }
};

const commandHelp = (command: Omit<Command, 'run'>): string => {
  const options = Object.entries({ ...command.help?.options, '-h, --help': 'show this help' });
  const width = Math.max(...options.map(([name]) => name.length));
  return [
    `Usage: npm run cli -- ${command.usage}`,
    '',
    command.summary,
    ...(command.details?.length ? ['', ...command.details] : []),
    '',
    'Options:',
    ...options.map(([name, text]) => `  ${name.padEnd(width)}  ${text}`),
    ...(command.help?.examples?.length ? ['', 'Examples:', ...command.help.examples.map((e) => `  ${e}`)] : []),
    '',
    'Exit codes: 0 done, 1 failed, 2 usage error.',
    'Configuration comes from the environment and .env, as for the server (see .env.example).',
  ].join('\n');
};

/** `migrat` → `migrate`: the commands the mistyped name starts, or that start with its first three letters. */
const closest = (name: string): string[] =>
  Object.keys(COMMANDS).filter((c) => name.length >= 3 && (c.startsWith(name.slice(0, 3)) || name.startsWith(c)));

const help = (): string =>
  [
    'Usage: npm run cli -- <command> [options]      (npm run cli -- <command> --help for one command)',
    '',
    'Commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(52)} ${c.summary}`),
    '',
    'Exit codes: 0 done, 1 failed, 2 usage error.',
    'Configuration comes from the environment and .env, as for the server (see .env.example).',
  ].join('\n');

class UsageError extends Error {
  /** `false` when the message already holds the command's own help, so the list of commands is left out. */
  constructor(message: string, readonly withCommandList = true) {
    super(message);
  }
}

const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? console.log : console.error)(help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS[name];
  if (!command) {
    const near = closest(name);
    throw new UsageError(`Unknown command: ${name}${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}`);
  }
  let values: Values;
  try {
    values = parseArgs({ args: [...rest], options: { ...command.options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${commandHelp(command)}`, false);
  }
  if (values['help']) {
    console.log(commandHelp(command));
    return EXIT.ok;
  }
  const problem = command.check?.(values) ?? null;
  if (problem) throw new UsageError(`${problem}\n\n${commandHelp(command)}`, false);

  const env = loadEnv();
  if (name === 'migrate') return migrateCommand(env);
  if ('standalone' in command) return command.standalone(env, values);
  const decoded = decodeConfig(env);
  if (E.isLeft(decoded)) throw decoded.left;
  const runtime = await bootstrap(env, { migrate: decoded.right.migrateOnStart, narrow: (config) => narrowForCommand(config, command) });
  try {
    return await command.run(runtime, values);
  } finally {
    await runtime.infra.close();
  }
};

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.withCommandList ? `${error.message}\n\n${help()}` : error.message);
      process.exit(EXIT.usage);
    }
    // A known refusal already names its fix; anything else is a bug or an outage worth reporting.
    console.error(
      isKnownRefusal(error)
        ? error.message
        : `${startupFailureMessage(error, 'The command failed')}\n\nNot a known failure: check that the database and services in your configuration are up, rerun with LOG_LEVEL=debug, and report the output above if it persists.`,
    );
    process.exit(EXIT.failed);
  });
