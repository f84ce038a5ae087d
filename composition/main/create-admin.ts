import * as E from 'fp-ts/lib/Either.js';
import { IDENTITY } from '../modules/identity.js';
import type { Runtime } from '../bootstrap.js';

/** `create-admin --email E --username U --password P`: the only way to the first admin (there is no default account). */
export const createAdminCommand = {
  summary: 'Create an administrator account (active, verified, is_superuser)',
  usage: 'create-admin --email E --username U --password P',
  options: { email: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' } } as const,
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
      console.error('The memory profile keeps nothing between processes: an admin created here would vanish at once.');
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
      console.error(`Could not create the admin:\n${details}`);
      return 1;
    }
    console.log(`Created admin ${result.right.username} <${result.right.email}> (id ${result.right.id}); log in with its email or username and the password given.`);
    return 0;
  },
};
