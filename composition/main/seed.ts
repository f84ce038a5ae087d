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
import { progressOn, type Progress } from './progress.js';

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

/** The schedule steps seedSchedules takes for these new accounts: one batch per giver, two bookings and a request. */
const scheduleSteps = (fresh: ReadonlySet<string>): number =>
  ['demo_giver', 'demo_giver2'].filter((name) => fresh.has(name)).length + (['demo_taker', 'demo_giver', 'demo_giver2'].every((name) => fresh.has(name)) ? 3 : 0);

/**
 * A week of slots for each new giver; then demo_taker books two of demo_giver's and asks
 * demo_giver2 for an evening hour, so every status a user meets first is there. Returns how many
 * schedules exist afterwards, or what went wrong.
 */
const seedSchedules = async ({ container }: Runtime, actors: ReadonlyMap<string, Actor>, progress: Progress): Promise<number | string> => {
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
    progress.step(`${saved.right.length} slots offered by ${name}`);
  }
  const taker = actors.get('demo_taker');
  const first = offered.get('demo_giver');
  const second = actors.get('demo_giver2');
  if (!taker || !first || !second) return count;
  for (const slot of [first[0], first[7]]) {
    if (slot === undefined) continue;
    const booked = await book.execute(taker, slot.id);
    if (E.isLeft(booked)) return `Could not book a slot: ${explain(booked.left)}`;
    progress.step(`demo_taker booked demo_giver's slot at ${slot.startsAt.toISOString()}`);
  }
  const day = first[0]?.startsAt ?? new Date(now.getTime() + 24 * HOUR_MS);
  const evening = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 18);
  const asked = await create.execute(taker, [{ giverId: second.userId, startsAt: new Date(evening), endsAt: new Date(evening + HOUR_MS), note: 'Could we do an evening hour?' }]);
  if (E.isLeft(asked)) return `Could not request a time: ${explain(asked.left)}`;
  progress.step('demo_taker asked demo_giver2 for an evening hour');
  return count + 1;
};

/** How to log in once the server runs, with the demo password (printed, never logged). */
const howToLogIn = (port: number, password: string): string =>
  [
    `Password of every demo account: ${JSON.stringify(password)} (rerun with --password P to set another).`,
    `Log in: start the server (npm start), then`,
    `  curl -sS http://localhost:${port}/api/v1/auth/login -H 'content-type: application/json' \\`,
    `    -d '${JSON.stringify({ username: 'demo_giver', password })}'`,
    `or open http://localhost:${port}/api/docs, choose Authorize and enter demo_giver and the password.`,
  ].join('\n');

const RETRY = 'Nothing was rolled back: fix the cause and run `npm run cli -- seed` again; what exists already is left as it is.';

/**
 * `seed`: demo data for a fresh database (two givers and two takers, a few ETL job records, a
 * week of slots with a few bookings and a request). Ordinary accounts only: there is still no
 * default admin. Running it again adds nothing; with `--password` it sets that password on the
 * demo accounts that exist (and ends their sessions), so a lost demo password is never lost for good.
 * Shows a progress bar on a terminal and one line per step elsewhere; ends with what it made and
 * how to log in.
 */
export const seedCommand = {
  summary: 'Add demo data: giver and taker accounts, some ETL job records and a week of schedules (not in production); --password on a rerun resets the demo password',
  usage: 'seed [--password P]',
  options: { password: { type: 'string' } } as const,
  help: {
    options: {
      '--password P':
        'the password of every demo account (8 to 128 characters, not a common one); without it a random one is made and printed once. On a rerun it is set on the demo accounts that exist, and their sessions end.',
    },
    examples: ["npm run cli -- seed --password 'demo passphrase 42'", 'npm run cli -- seed            # a random password, printed at the end'],
  },
  /** A reset ends the demo accounts' sessions, wherever they are kept. */
  usesSessions: true,
  async run(runtime: Runtime, values: Record<string, string | boolean | undefined>, progress: Progress = progressOn(process.stdout)): Promise<number> {
    const { container, config, logger } = runtime;
    if (config.env === 'production') {
      console.error(
        'seed adds demo accounts with a known password; it is refused when NODE_ENV=production.\n' +
          'Create real accounts instead: `npm run cli -- create-admin --email E --username U --password P`, then POST /api/v1/users as that admin.',
      );
      return 2;
    }
    if (config.adapters.database === 'memory') {
      console.error(
        'The memory profile keeps nothing between processes: seeded data would vanish at once.\n' +
          'Seed the database the server uses: the embedded one (unset PROFILE and DATABASE, keep DATA_DIR) or PostgreSQL (DATABASE_URL).',
      );
      return 2;
    }
    const log = logger.child('cli.seed');
    const given = typeof values['password'] === 'string';
    const password = given ? (values['password'] as string) : randomBytes(12).toString('base64url');
    const users = container.get(TOKENS.UserRepository);
    const { register } = container.get(IDENTITY.UseCases);
    const createRecord = container.get(RECORDS.CreateRecord);
    const existing = new Map<string, NonNullable<Awaited<ReturnType<typeof users.findByEmail>>>>();
    for (const account of ACCOUNTS) {
      const found = await users.findByEmail(account.email);
      if (found !== null) existing.set(account.username, found);
    }
    const fresh = ACCOUNTS.filter((a) => !existing.has(a.username));
    const toReset = given ? ACCOUNTS.filter((a) => existing.has(a.username)) : [];
    for (const account of given ? [] : ACCOUNTS.filter((a) => existing.has(a.username))) {
      log.info(`${account.username} exists already; left as it is (--password resets its password)`);
    }
    if (fresh.length === 0 && toReset.length === 0) {
      console.log('Nothing to add: the demo accounts exist already (rerun with --password P to reset their password).');
      return 0;
    }
    // The password is checked against every account it is for before anything is written.
    for (const account of [...toReset, ...fresh]) {
      const issues = new PasswordPolicy(new ZxcvbnCommonPasswords()).check(password, account);
      if (issues.length > 0) {
        console.error(`Could not ${existing.has(account.username) ? 'reset' : 'create'} ${account.username}: ${issues.map((i) => `--password ${i.message}`).join('; ')}\nChoose another, e.g. npm run cli -- seed --password 'a longer passphrase of four words'`);
        return 1;
      }
    }
    const freshNames = new Set(fresh.map((a) => a.username));
    progress.start(toReset.length + fresh.length + (freshNames.has('demo_giver') ? RECORDS_OF_GIVER.length : 0) + scheduleSteps(freshNames));
    const failed = (message: string): number => {
      progress.stop();
      console.error(`${message}\n${RETRY}`);
      return 1;
    };
    const reset: string[] = [];
    for (const account of toReset) {
      const user = existing.get(account.username)!;
      const now = container.get(TOKENS.Clock).now();
      const updated = await users.update({
        ...user,
        passwordHash: await container.get(IDENTITY.PasswordHasher).hash(password),
        // A new credential version ends every session opened under the old password, whatever the store does.
        credentialVersion: user.credentialVersion + 1,
        updatedAt: now,
      });
      if (E.isLeft(updated)) return failed(`Could not reset ${account.username}: ${explain(updated.left)}`);
      // Whoever held the old password is logged out, as after a password change.
      await container.get(IDENTITY.TokenStore).revokeAllForUser(user.id, now);
      reset.push(account.username);
      progress.step(`password of ${account.username} reset`);
    }
    const actors = new Map<string, Actor>();
    let records = 0;
    for (const account of fresh) {
      const user = await register.execute({ ...account, password });
      if (E.isLeft(user)) return failed(`Could not create ${account.username}: ${explain(user.left)}`);
      progress.step(`account ${account.username} <${account.email}>`);
      const actor: Actor = { userId: user.right.id, sessionId: 'seed', role: account.role, isAdmin: false };
      actors.set(account.username, actor);
      if (account.username !== 'demo_giver') continue;
      for (const record of RECORDS_OF_GIVER) {
        const saved = await createRecord.execute(actor, record);
        if (E.isLeft(saved)) return failed(`Could not create record "${record.name}": ${explain(saved.left)}`);
        records += 1;
        progress.step(`record "${record.name}"`);
      }
    }
    const slots = fresh.length > 0 ? await seedSchedules(runtime, actors, progress) : 0;
    if (typeof slots === 'string') return failed(slots);
    progress.stop();
    const port = config.http.port;
    if (fresh.length === 0) {
      // Printed for the operator, not logged: log files must never hold a password.
      console.log(`Reset the password of ${reset.join(', ')} to ${JSON.stringify(password)}; their sessions were ended.\n${howToLogIn(port, password)}`);
      return 0;
    }
    const width = Math.max(...fresh.map((a) => a.username.length));
    console.log(
      [
        `Seeded ${fresh.length} demo account(s), ${records} records and ${slots} schedules:`,
        ...fresh.map(
          (a) =>
            `  ${a.username.padEnd(width)}  ${a.email.padEnd(24)} ${a.role}` +
            (a.username === 'demo_giver' && records > 0 ? ` (owns the ${records} records)` : '') +
            (a.username === 'demo_taker' && slots > 0 ? ' (booked two slots, asked demo_giver2 for an evening hour)' : ''),
        ),
        ...(reset.length > 0 ? [`Reset the password of ${reset.join(', ')} to the same; their sessions were ended.`] : []),
        howToLogIn(port, password),
      ].join('\n'),
    );
    return 0;
  },
};
