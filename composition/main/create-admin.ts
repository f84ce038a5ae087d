import * as E from 'fp-ts/lib/Either.js';
import { IDENTITY } from '../modules/identity.js';
import type { Runtime } from '../bootstrap.js';

/** `create-admin --email E --username U --password P`: the only way to the first admin (there is no default account). */
export const createAdminCommand = {
  summary: 'Create an administrator account (active, verified, is_superuser)',
  usage: 'create-admin --email E --username U --password P',
  options: { email: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } } as const,
  help: {
    options: {
      '--email E': 'the admin\'s email address',
      '--username U': '3 to 32 characters: letters, digits, _ . - (starting with a letter or digit)',
      '--password P': '8 to 128 characters, not a common password, not the username or email',
    },
    examples: ["npm run cli -- create-admin --email admin@example.com --username admin --password 'a long passphrase'"],
  },
  /** Checked before the database is opened. */
  check(values: Record<string, string | boolean | undefined>): string | null {
    const missing = ['email', 'username', 'password'].filter((k) => typeof values[k] !== 'string' || values[k] === '');
    return missing.length > 0 ? `Missing ${missing.map((k) => `--${k}`).join(', ')}` : null;
  },
  async run({ container, config }: Runtime, values: Record<string, string | boolean | undefined>): Promise<number> {
    const problem = createAdminCommand.check(values);
    if (problem) {
      console.error(`${problem}\nUsage: npm run cli -- ${createAdminCommand.usage}`);
      return 2;
    }
    if (config.adapters.database === 'memory') {
      console.error(
        'The memory profile keeps nothing between processes: an admin created here would vanish at once.\n' +
          'Create it in the database the server uses: the embedded one (unset PROFILE and DATABASE, keep DATA_DIR) or PostgreSQL (DATABASE_URL).',
      );
      return 2;
    }
    const result = await container.get(IDENTITY.CreateUser).execute('operator', {
      email: values['email'] as string,
      username: values['username'] as string,
      password: values['password'] as string,
    });
    if (E.isLeft(result)) {
      const error = result.left;
      const details = error._tag === 'Validation' ? error.issues.map((i) => `  --${i.field}: ${i.message}`).join('\n') : `  ${error.message}`;
      const next =
        error._tag === 'Validation'
          ? 'Correct the options above and run the command again.'
          : error._tag === 'Conflict'
            ? 'That account exists already: choose another email or username, or log in with the existing one.'
            : 'Run the command again once the cause is fixed.';
      console.error(`Could not create the admin:\n${details}\n${next}`);
      return 1;
    }
    console.log(`Created admin ${result.right.username} <${result.right.email}> (id ${result.right.id}); log in with its email or username and the password given.`);
    return 0;
  },
};
