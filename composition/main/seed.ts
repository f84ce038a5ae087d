import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Actor, Role } from '../../core/shared/actor.js';
import type { DomainError } from '../../core/shared/errors.js';
import type { Runtime } from '../bootstrap.js';
import { PasswordPolicy } from '../../core/identity/password-policy.js';
import { ZxcvbnCommonPasswords } from '../../adapters/zxcvbn/zxcvbn-common-passwords.js';
import { IDENTITY } from '../modules/identity.js';
import { RECORDS } from '../modules/records.js';
import { TOKENS } from '../tokens.js';

const ACCOUNTS: readonly { email: string; username: string; fullName: string; role: Role }[] = [
  { email: 'giver@portside.example', username: 'demo_giver', fullName: 'Demo Giver', role: 'giver' },
  { email: 'taker@portside.example', username: 'demo_taker', fullName: 'Demo Taker', role: 'taker' },
];

const RECORDS_OF_GIVER = [
  {
    name: 'Nightly orders export',
    description: 'Copies yesterday\'s orders from the shop database into the warehouse.',
    config: { source: 'postgres://shop/orders', target: 's3://warehouse/orders/', schedule: '0 2 * * *', batch_size: 1000 },
  },
  {
    name: 'Hourly clickstream rollup',
    description: 'Aggregates raw click events into hourly counts.',
    config: { source: 'kafka://events/clicks', target: 'postgres://analytics/clicks_hourly', schedule: '5 * * * *', batch_size: 5000 },
  },
  {
    name: 'Quarterly archive',
    description: 'Moves closed tickets older than a year to cold storage.',
    config: { source: 'postgres://support/tickets', target: 's3://archive/tickets/', schedule: '0 3 1 */3 *' },
    status: 'inactive' as const,
  },
];

const explain = (error: DomainError): string =>
  error._tag === 'Validation' ? error.issues.map((i) => `${i.field}: ${i.message}`).join('; ') : error.message;

/**
 * `seed`: demo data for a fresh database (a giver and a taker, a few ETL job records). Ordinary
 * accounts only: there is still no default admin. Running it again adds nothing; with
 * `--password` it sets that password on the demo accounts that exist (and ends their sessions),
 * so a lost demo password is never lost for good.
 */
export const seedCommand = {
  summary: 'Add demo data: a giver and a taker account and some ETL job records (not in production); --password on a rerun resets the demo password',
  usage: 'seed [--password P]',
  options: { password: { type: 'string' } } as const,
  /** A reset ends the demo accounts' sessions, wherever they are kept. */
  usesSessions: true,
  async run({ container, config, logger }: Runtime, values: Record<string, string | boolean | undefined>): Promise<number> {
    if (config.env === 'production') {
      console.error('seed adds demo accounts with a known password; it is refused when NODE_ENV=production.');
      return 2;
    }
    if (config.adapters.database === 'memory') {
      console.error('The memory profile keeps nothing between processes: seeded data would vanish at once.');
      return 2;
    }
    const log = logger.child('cli.seed');
    const password = typeof values['password'] === 'string' ? values['password'] : randomBytes(12).toString('base64url');
    const users = container.get(TOKENS.UserRepository);
    const { register } = container.get(IDENTITY.UseCases);
    const createRecord = container.get(RECORDS.CreateRecord);
    const given = typeof values['password'] === 'string';
    let created = 0;
    const reset: string[] = [];
    for (const account of ACCOUNTS) {
      const existing = await users.findByEmail(account.email);
      if (existing !== null) {
        if (!given) {
          log.info(`${account.username} exists already; left as it is (--password resets its password)`);
          continue;
        }
        const issues = new PasswordPolicy(new ZxcvbnCommonPasswords()).check(password, account);
        if (issues.length > 0) {
          console.error(`Could not reset ${account.username}: ${issues.map((i) => `--password ${i.message}`).join('; ')}`);
          return 1;
        }
        const now = container.get(TOKENS.Clock).now();
        const updated = await users.update({ ...existing, passwordHash: await container.get(IDENTITY.PasswordHasher).hash(password), updatedAt: now });
        if (E.isLeft(updated)) {
          console.error(`Could not reset ${account.username}: ${explain(updated.left)}`);
          return 1;
        }
        // Whoever held the old password is logged out, as after a password change.
        await container.get(IDENTITY.TokenStore).revokeAllForUser(existing.id, now);
        reset.push(account.username);
        continue;
      }
      const user = await register.execute({ ...account, password });
      if (E.isLeft(user)) {
        console.error(`Could not create ${account.username}: ${explain(user.left)}`);
        return 1;
      }
      created += 1;
      if (account.role !== 'giver') continue;
      const actor: Actor = { userId: user.right.id, sessionId: 'seed', role: account.role, isAdmin: false };
      for (const record of RECORDS_OF_GIVER) {
        const saved = await createRecord.execute(actor, record);
        if (E.isLeft(saved)) {
          console.error(`Could not create record "${record.name}": ${explain(saved.left)}`);
          return 1;
        }
      }
    }
    if (reset.length > 0 && created === 0) {
      // Printed for the operator, not logged: log files must never hold a password.
      console.log(`Reset the password of ${reset.join(', ')} to ${JSON.stringify(password)}; their sessions were ended.`);
      return 0;
    }
    if (created === 0) {
      console.log('Nothing to add: the demo accounts exist already (rerun with --password P to reset their password).');
      return 0;
    }
    // Printed for the operator, not logged: log files must never hold a password.
    console.log(
      `Seeded ${created} demo account(s): ${ACCOUNTS.map((a) => `${a.username} <${a.email}>`).join(', ')}, ` +
        `password ${JSON.stringify(password)}, and ${RECORDS_OF_GIVER.length} records owned by demo_giver.` +
        (reset.length > 0 ? ` Reset the password of ${reset.join(', ')} to the same.` : ''),
    );
    return 0;
  },
};
