import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Actor, Role } from '../../core/shared/entities/actor.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { Runtime } from '../bootstrap.js';
import { PasswordPolicy } from '../../core/identity/entities/password-policy.js';
import { ZxcvbnCommonPasswords } from '../../adapters/zxcvbn/zxcvbn-common-passwords.js';
import { IDENTITY } from '../modules/identity.js';
import { RECORDS } from '../modules/records.js';
import { SCHEDULING } from '../modules/scheduling.js';
import { TOKENS } from '../tokens.js';

const ACCOUNTS: readonly { email: string; username: string; fullName: string; role: Role }[] = [
  { email: 'giver@portside.example', username: 'demo_giver', fullName: 'Demo Giver', role: 'giver' },
  { email: 'giver2@portside.example', username: 'demo_giver2', fullName: 'Second Demo Giver', role: 'giver' },
  { email: 'taker@portside.example', username: 'demo_taker', fullName: 'Demo Taker', role: 'taker' },
  { email: 'taker2@portside.example', username: 'demo_taker2', fullName: 'Second Demo Taker', role: 'taker' },
];

const HOUR_MS = 3_600_000;
/** Office hours in UTC: hourly slots 09-12 and 14-17 (a lunch break between). */
const SLOT_HOURS = [9, 10, 11, 14, 15, 16];

/** The week of hourly slots a giver offers: the next seven days from tomorrow (UTC), weekdays only. */
const weekOfSlots = (giverId: string, now: Date) => {
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Array.from({ length: 7 }, (_, d) => new Date(tomorrow + d * 24 * HOUR_MS))
    .filter((day) => day.getUTCDay() !== 0 && day.getUTCDay() !== 6)
    .flatMap((day) => SLOT_HOURS.map((h) => ({ giverId, startsAt: new Date(day.getTime() + h * HOUR_MS), endsAt: new Date(day.getTime() + (h + 1) * HOUR_MS) })));
};

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
 * A week of slots for each new giver; then demo_taker books two of demo_giver's and asks
 * demo_giver2 for an evening hour, so every status a user meets first is there. Returns how many
 * schedules exist afterwards, or what went wrong.
 */
const seedSchedules = async ({ container }: Runtime, actors: ReadonlyMap<string, Actor>): Promise<number | string> => {
  const create = container.get(SCHEDULING.CreateSchedules);
  const book = container.get(SCHEDULING.BookSchedule);
  const now = container.get(TOKENS.Clock).now();
  const offered = new Map<string, readonly { id: string; startsAt: Date }[]>();
  let count = 0;
  for (const name of ['demo_giver', 'demo_giver2']) {
    const giver = actors.get(name);
    if (!giver) continue;
    const saved = await create.execute(giver, weekOfSlots(giver.userId, now));
    if (E.isLeft(saved)) return `Could not create ${name}'s slots: ${explain(saved.left)}`;
    offered.set(name, saved.right);
    count += saved.right.length;
  }
  const taker = actors.get('demo_taker');
  const first = offered.get('demo_giver');
  const second = actors.get('demo_giver2');
  if (!taker || !first || !second) return count;
  for (const slot of [first[0], first[7]]) {
    if (slot === undefined) continue;
    const booked = await book.execute(taker, slot.id);
    if (E.isLeft(booked)) return `Could not book a slot: ${explain(booked.left)}`;
  }
  const day = first[0]?.startsAt ?? new Date(now.getTime() + 24 * HOUR_MS);
  const evening = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 18);
  const asked = await create.execute(taker, [{ giverId: second.userId, startsAt: new Date(evening), endsAt: new Date(evening + HOUR_MS), note: 'Could we do an evening hour?' }]);
  if (E.isLeft(asked)) return `Could not request a time: ${explain(asked.left)}`;
  return count + 1;
};

/**
 * `seed`: demo data for a fresh database (two givers and two takers, a few ETL job records, a
 * week of slots with a few bookings and a request). Ordinary accounts only: there is still no
 * default admin. Running it again adds nothing; with `--password` it sets that password on the
 * demo accounts that exist (and ends their sessions), so a lost demo password is never lost for good.
 */
export const seedCommand = {
  summary: 'Add demo data: giver and taker accounts, some ETL job records and a week of schedules (not in production); --password on a rerun resets the demo password',
  usage: 'seed [--password P]',
  options: { password: { type: 'string' } } as const,
  /** A reset ends the demo accounts' sessions, wherever they are kept. */
  usesSessions: true,
  async run(runtime: Runtime, values: Record<string, string | boolean | undefined>): Promise<number> {
    const { container, config, logger } = runtime;
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
    const actors = new Map<string, Actor>();
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
        const updated = await users.update({
          ...existing,
          passwordHash: await container.get(IDENTITY.PasswordHasher).hash(password),
          // A new credential version ends every session opened under the old password, whatever the store does.
          credentialVersion: existing.credentialVersion + 1,
          updatedAt: now,
        });
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
      const actor: Actor = { userId: user.right.id, sessionId: 'seed', role: account.role, isAdmin: false };
      actors.set(account.username, actor);
      if (account.username !== 'demo_giver') continue;
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
    const slots = await seedSchedules(runtime, actors);
    if (typeof slots === 'string') {
      console.error(slots);
      return 1;
    }
    // Printed for the operator, not logged: log files must never hold a password.
    console.log(
      `Seeded ${created} demo account(s): ${ACCOUNTS.map((a) => `${a.username} <${a.email}>`).join(', ')}, ` +
        `password ${JSON.stringify(password)}, ${RECORDS_OF_GIVER.length} records owned by demo_giver and ${slots} schedules.` +
        (reset.length > 0 ? ` Reset the password of ${reset.join(', ')} to the same.` : ''),
    );
    return 0;
  },
};
