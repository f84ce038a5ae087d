import { expect } from 'chai';
import { left, right } from '../support/builders.js';
import { v7 as uuidv7 } from 'uuid';
import type { User } from '../../core/identity/entities/user.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import type { UserFilter, UserRepository, UserSortField } from '../../core/identity/ports/user-repository.js';
import type { Page, PageQuery, Sort } from '../../core/shared/entities/pagination.js';

export interface UserRepositoryFixture {
  /** An empty repository; called before every test. */
  fresh(): Promise<UserRepository>;
  close?(): Promise<void>;
}

const T0 = new Date('2031-05-01T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
let counter = 0;

export const aUser = (overrides: Partial<User> = {}): User => {
  counter += 1;
  return {
    id: uuidv7(),
    email: `user${counter}@example.com`,
    username: `user${counter}`,
    fullName: `User Number ${counter}`,
    role: 'taker',
    isActive: true,
    isSuperuser: false,
    isVerified: false,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    credentialVersion: 1,
    createdAt: T0,
    updatedAt: T0,
    deletedAt: null,
    ...overrides,
  };
};



/**
 * The behaviour every UserRepository adapter must share. `setup` runs once per adapter (it may
 * skip through the mocha context when a service is down).
 */
export const userRepositoryContract = (
  name: string,
  setup: (ctx: Mocha.Context) => Promise<UserRepositoryFixture>,
): void => {
  describe(`UserRepository contract: ${name}`, function () {
    let fixture: UserRepositoryFixture | undefined;
    let repo: UserRepository;

    before(async function () {
      fixture = await setup(this);
    });
    beforeEach(async () => {
      repo = await (fixture as UserRepositoryFixture).fresh();
    });
    after(async () => {
      await fixture?.close?.();
    });

    const insertAll = async (...users: User[]): Promise<User[]> => {
      for (const u of users) right(await repo.insert(u));
      return users;
    };
    const list = async (filter: UserFilter, sort: Sort<UserSortField>, page: PageQuery): Promise<Page<User>> =>
      right(await repo.list(filter, sort, page));
    const listIds = async (filter: UserFilter, sort: Sort<UserSortField> = { field: 'created_at', direction: 'asc' }) =>
      (await list(filter, sort, { page: 1, size: 100 })).items.map((u) => u.id);

    describe('insert and find', () => {
      it('stores every field and finds the user by id', async () => {
        const user = aUser({ fullName: null, role: 'giver', isSuperuser: true, isVerified: true, credentialVersion: 7, updatedAt: at(5) });
        expect(right(await repo.insert(user))).to.deep.equal(user);
        expect(await repo.findById(user.id)).to.deep.equal(user);
      });

      it('finds by email and by username whatever their case', async () => {
        const user = aUser({ email: 'ada@example.com', username: 'AdaLovelace' });
        await insertAll(user);
        expect((await repo.findByEmail('ADA@Example.COM'))?.id).to.equal(user.id);
        expect((await repo.findByUsername('adalovelace'))?.id).to.equal(user.id);
        expect((await repo.findByUsername('ADALOVELACE'))?.username).to.equal('AdaLovelace');
      });

      it('answers null for users that do not exist', async () => {
        expect(await repo.findById(uuidv7())).to.equal(null);
        expect(await repo.findByEmail('nobody@example.com')).to.equal(null);
        expect(await repo.findByUsername('nobody')).to.equal(null);
      });

      it('does not treat LIKE metacharacters in a lookup as wildcards', async () => {
        await insertAll(aUser({ email: 'ab@example.com', username: 'abc' }));
        expect(await repo.findByEmail('a_@example.com')).to.equal(null);
        expect(await repo.findByUsername('a%')).to.equal(null);
      });
    });

    describe('uniqueness', () => {
      it('refuses a second user with the same email, naming the email', async () => {
        await insertAll(aUser({ email: 'grace@example.com' }));
        const error = left(await repo.insert(aUser({ email: 'grace@example.com' })));
        expect(error._tag).to.equal('Conflict');
        expect(error.message).to.match(/email/i);
      });

      it('refuses a second user with the same username in another case, naming the username', async () => {
        await insertAll(aUser({ username: 'Grace' }));
        const error = left(await repo.insert(aUser({ username: 'gRACE' })));
        expect(error._tag).to.equal('Conflict');
        expect(error.message).to.match(/username/i);
        expect(await listIds({})).to.have.length(1);
      });

      it('refuses an update that takes another user\'s email or username', async () => {
        const [a, b] = await insertAll(aUser({ email: 'a@example.com', username: 'alpha' }), aUser());
        const byEmail = left(await repo.update({ ...(b as User), email: 'a@example.com' }));
        expect(byEmail._tag).to.equal('Conflict');
        expect(byEmail.message).to.match(/email/i);
        const byName = left(await repo.update({ ...(b as User), username: 'ALPHA' }));
        expect(byName._tag).to.equal('Conflict');
        expect(byName.message).to.match(/username/i);
        expect(await repo.findById((b as User).id)).to.deep.equal(b);
        expect(await repo.findById((a as User).id)).to.deep.equal(a);
      });

      it('lets a user keep their own email and username on update', async () => {
        const [user] = await insertAll(aUser({ username: 'Keeper' }));
        const changed = { ...(user as User), username: 'keeper', fullName: 'Kept', updatedAt: at(60) };
        expect(right(await repo.update(changed))).to.deep.equal(changed);
      });
    });

    describe('update', () => {
      it('replaces the stored user', async () => {
        const [user] = await insertAll(aUser());
        const changed: User = {
          ...(user as User),
          email: 'new@example.com',
          username: 'renamed',
          fullName: null,
          role: 'giver',
          isActive: false,
          isSuperuser: true,
          isVerified: true,
          passwordHash: 'another-hash',
          updatedAt: at(60),
        };
        expect(right(await repo.update(changed))).to.deep.equal(changed);
        expect(await repo.findById(changed.id)).to.deep.equal(changed);
        expect(await repo.findByEmail((user as User).email)).to.equal(null);
      });

      it('answers NotFound for a user that does not exist', async () => {
        expect(left(await repo.update(aUser()))._tag).to.equal('NotFound');
      });
    });

    describe('soft delete', () => {
      it('hides a deleted user from every read', async () => {
        const [user, other] = await insertAll(aUser({ email: 'gone@example.com', username: 'gone' }), aUser());
        right(await repo.update({ ...(user as User), deletedAt: at(10), updatedAt: at(10) }));
        expect(await repo.findById((user as User).id)).to.equal(null);
        expect(await repo.findByEmail('gone@example.com')).to.equal(null);
        expect(await repo.findByUsername('GONE')).to.equal(null);
        const page = await list({}, { field: 'created_at', direction: 'asc' }, { page: 1, size: 20 });
        expect(page.items.map((u) => u.id)).to.deep.equal([(other as User).id]);
        expect(page.total).to.equal(1);
        expect(left(await repo.update({ ...(user as User), fullName: 'back' }))._tag).to.equal('NotFound');
      });

      it('frees the email and username for a new account', async () => {
        const [user] = await insertAll(aUser({ email: 'reuse@example.com', username: 'Reuse' }));
        right(await repo.update({ ...(user as User), deletedAt: at(10) }));
        const again = aUser({ email: 'reuse@example.com', username: 'reuse' });
        expect(right(await repo.insert(again))).to.deep.equal(again);
        expect((await repo.findByEmail('reuse@example.com'))?.id).to.equal(again.id);
        // And a second deletion does not clash with the first deleted row.
        right(await repo.update({ ...again, deletedAt: at(20) }));
        right(await repo.insert(aUser({ email: 'reuse@example.com', username: 'REUSE' })));
      });
    });

    describe('countActiveAdmins', () => {
      it('counts users who are both active and superuser, and not deleted', async () => {
        expect(await repo.countActiveAdmins()).to.equal(0);
        const [admin, , , deleted] = await insertAll(
          aUser({ isSuperuser: true }),
          aUser({ isSuperuser: true, isActive: false }),
          aUser({ isSuperuser: false, role: 'giver' }),
          aUser({ isSuperuser: true }),
        );
        expect(await repo.countActiveAdmins()).to.equal(2);
        right(await repo.update({ ...(deleted as User), deletedAt: at(10) }));
        expect(await repo.countActiveAdmins()).to.equal(1);
        right(await repo.update({ ...(admin as User), isSuperuser: false }));
        expect(await repo.countActiveAdmins()).to.equal(0);
      });
    });

    describe('list', () => {
      it('filters by role, active flag and both', async () => {
        const [giver, inactiveGiver, taker, inactiveTaker] = await insertAll(
          aUser({ role: 'giver', createdAt: at(1) }),
          aUser({ role: 'giver', isActive: false, createdAt: at(2) }),
          aUser({ role: 'taker', createdAt: at(3) }),
          aUser({ role: 'taker', isActive: false, createdAt: at(4) }),
        ).then((us) => us.map((u) => u.id));
        expect(await listIds({ role: 'giver' })).to.deep.equal([giver, inactiveGiver]);
        expect(await listIds({ isActive: false })).to.deep.equal([inactiveGiver, inactiveTaker]);
        expect(await listIds({ role: 'taker', isActive: true })).to.deep.equal([taker]);
        expect(await listIds({})).to.deep.equal([giver, inactiveGiver, taker, inactiveTaker]);
      });

      it('q matches email, username or full name, contains, case-insensitively', async () => {
        const [byEmail, byName, byFullName] = await insertAll(
          aUser({ email: 'zebra.keeper@zoo.example', username: 'zk', fullName: null, createdAt: at(1) }),
          aUser({ username: 'TheKEEPER99', fullName: 'Someone', createdAt: at(2) }),
          aUser({ fullName: 'Anna Keeperson', createdAt: at(3) }),
          aUser({ email: 'other@example.com', username: 'other', fullName: 'Nobody', createdAt: at(4) }),
        ).then((us) => us.map((u) => u.id));
        expect(await listIds({ q: 'keeper' })).to.deep.equal([byEmail, byName, byFullName]);
        expect(await listIds({ q: 'KEEPER', role: 'taker' })).to.deep.equal([byEmail, byName, byFullName]);
        expect(await listIds({ q: 'zoo.ex' })).to.deep.equal([byEmail]);
        expect(await listIds({ q: 'nomatch' })).to.deep.equal([]);
      });

      it('q matches %, _, quote and backslash literally', async () => {
        const [percent, underscore, quote, backslash] = await insertAll(
          aUser({ fullName: '100% sure', createdAt: at(1) }),
          aUser({ username: 'snake_case', createdAt: at(2) }),
          aUser({ fullName: "O'Brien", createdAt: at(3) }),
          aUser({ fullName: 'back\\slash', createdAt: at(4) }),
          aUser({ username: 'snakeXcase', fullName: '1000 sure', createdAt: at(5) }),
          aUser({ fullName: 'backslash', createdAt: at(6) }),
        ).then((us) => us.map((u) => u.id));
        expect(await listIds({ q: '0%' })).to.deep.equal([percent]);
        expect(await listIds({ q: '%' })).to.deep.equal([percent]);
        expect(await listIds({ q: 'e_c' })).to.deep.equal([underscore]);
        expect(await listIds({ q: '_' })).to.deep.equal([underscore]);
        expect(await listIds({ q: "o'b" })).to.deep.equal([quote]);
        expect(await listIds({ q: 'k\\s' })).to.deep.equal([backslash]);
        expect(await listIds({ q: '\\' })).to.deep.equal([backslash]);
      });

      it('sorts by created_at either way, ties broken by id in the same direction', async () => {
        const ids = await insertAll(
          aUser({ createdAt: at(2) }),
          aUser({ createdAt: at(1) }),
          aUser({ createdAt: at(2) }),
          aUser({ createdAt: at(3) }),
        ).then((us) => us.map((u) => u.id));
        const [second, first, secondToo, third] = ids as [string, string, string, string];
        const tied = [second, secondToo].sort();
        expect(await listIds({}, { field: 'created_at', direction: 'asc' })).to.deep.equal([first, ...tied, third]);
        expect(await listIds({}, { field: 'created_at', direction: 'desc' })).to.deep.equal([
          third,
          ...[...tied].reverse(),
          first,
        ]);
      });

      it('sorts by email and by username, the latter ignoring case', async () => {
        const [carol, alice, bob] = await insertAll(
          aUser({ email: 'carol@example.com', username: 'alice_c', createdAt: at(1) }),
          aUser({ email: 'alice@example.com', username: 'Bob_a', createdAt: at(2) }),
          aUser({ email: 'bob@example.com', username: 'carol_b', createdAt: at(3) }),
        ).then((us) => us.map((u) => u.id));
        expect(await listIds({}, { field: 'email', direction: 'asc' })).to.deep.equal([alice, bob, carol]);
        expect(await listIds({}, { field: 'email', direction: 'desc' })).to.deep.equal([carol, bob, alice]);
        expect(await listIds({}, { field: 'username', direction: 'asc' })).to.deep.equal([carol, alice, bob]);
        expect(await listIds({}, { field: 'username', direction: 'desc' })).to.deep.equal([bob, alice, carol]);
      });

      it('pages with the total of all matching users', async () => {
        const ids = await insertAll(
          ...Array.from({ length: 5 }, (_, i) => aUser({ role: 'giver', createdAt: at(i) })),
          aUser({ role: 'taker', createdAt: at(10) }),
        ).then((us) => us.map((u) => u.id));
        const sort: Sort<UserSortField> = { field: 'created_at', direction: 'asc' };
        const p1 = await list({ role: 'giver' }, sort, { page: 1, size: 2 });
        const p3 = await list({ role: 'giver' }, sort, { page: 3, size: 2 });
        const beyond = await list({ role: 'giver' }, sort, { page: 4, size: 2 });
        expect([p1.total, p1.page, p1.size]).to.deep.equal([5, 1, 2]);
        expect(p1.items.map((u) => u.id)).to.deep.equal(ids.slice(0, 2));
        expect(p3.items.map((u) => u.id)).to.deep.equal(ids.slice(4, 5));
        expect(p3.total).to.equal(5);
        expect(beyond.items).to.deep.equal([]);
        expect(beyond.total).to.equal(5);
      });

      it('pages by number with a cursor offered only while more rows follow, and a cursor continues from any page', async () => {
        await insertAll(...['a', 'b', 'c', 'd', 'e'].map((n) => aUser({ username: n })));
        const byName: Sort<UserSortField> = { field: 'username', direction: 'asc' };
        const p2 = await list({}, byName, { page: 2, size: 2 });
        expect(p2.items.map((u) => u.username)).to.deep.equal(['c', 'd']);
        expect(p2.nextCursor).to.be.a('string');
        const rest = await list({}, byName, { page: 1, size: 2, cursor: p2.nextCursor! });
        expect(rest.items.map((u) => u.username)).to.deep.equal(['e']);
        // A cursor page counts only when asked: counting scans every match.
        expect(rest).to.include({ total: null, nextCursor: null });
        expect(await list({}, byName, { page: 1, size: 2, cursor: p2.nextCursor!, withTotal: true })).to.include({ total: 5 });
        expect((await list({}, byName, { page: 3, size: 2 })).nextCursor).to.equal(null);
      });

      for (const sort of (['created_at', 'email', 'username'] as const).flatMap((field) =>
        (['asc', 'desc'] as const).map((direction): Sort<UserSortField> => ({ field, direction })),
      )) {
        it(`cursor paging by ${sort.direction === 'desc' ? '-' : ''}${sort.field} visits every row once, in order, while users are added between pages`, async () => {
          // Few distinct times, so that page boundaries fall inside runs of ties; emails and
          // usernames are unique, but mix case and punctuation whose order differs between
          // byte order and a locale's, so a seek compared under another collation than the
          // ORDER BY would skip or repeat rows.
          const prefixes = ['Zed', 'zed_', 'ZED.', 'z-'];
          const original = await insertAll(
            ...Array.from({ length: 23 }, (_, i) =>
              aUser({
                email: `${['m.', 'm_', 'm', 'm-'][i % 4]}${i}@example.com`,
                username: `${prefixes[i % 4]}${i}`,
                createdAt: at(i % 3),
              }),
            ),
          );
          const seen: User[] = [];
          let cursor: string | undefined;
          let pages = 0;
          do {
            const page = await list({}, sort, { page: 1, size: 4, ...(cursor ? { cursor } : {}) });
            seen.push(...page.items);
            cursor = page.nextCursor ?? undefined;
            pages += 1;
            right(await repo.insert(aUser({ email: `m${pages}x@example.com`, username: `${prefixes[pages % 4]}${pages}x`, createdAt: at(pages % 3) })));
          } while (cursor !== undefined && pages < 50);
          const ids = seen.map((u) => u.id);
          expect(new Set(ids).size, 'no user served twice').to.equal(ids.length);
          expect(ids).to.include.members(original.map((u) => u.id));
          // The pages joined are the list's own order (less the users added behind the cursor).
          const everything = (await list({}, sort, { page: 1, size: 100 })).items.map((u) => u.id);
          expect(ids).to.deep.equal(everything.filter((id) => ids.includes(id)));
        });
      }

      it('continues after a cursor whose user was deleted meanwhile', async () => {
        const [, b, c] = await insertAll(...['a', 'b', 'c'].map((n, i) => aUser({ username: n, createdAt: at(i) })));
        const sort: Sort<UserSortField> = { field: 'created_at', direction: 'asc' };
        const first = await list({}, sort, { page: 1, size: 2 });
        right(await repo.update({ ...(b as User), deletedAt: at(10) }));
        const next = await list({}, sort, { page: 1, size: 2, cursor: first.nextCursor! });
        expect(next.items.map((u) => u.id)).to.deep.equal([(c as User).id]);
      });

      it('refuses a cursor made for another sort, and one that is not a cursor', async () => {
        await insertAll(...['a', 'b', 'c'].map((n) => aUser({ username: n })));
        const byName: Sort<UserSortField> = { field: 'username', direction: 'asc' };
        const { nextCursor } = await list({}, byName, { page: 1, size: 1 });
        for (const [sort, cursor] of [
          [{ field: 'username', direction: 'desc' }, nextCursor!],
          [{ field: 'email', direction: 'asc' }, nextCursor!],
          [{ field: 'created_at', direction: 'asc' }, nextCursor!],
          [byName, 'not-a-cursor'],
          [byName, Buffer.from('["username","b","not-a-uuid"]').toString('base64url')],
          [{ field: 'created_at', direction: 'asc' }, Buffer.from(`["created_at","yesterday","${uuidv7()}"]`).toString('base64url')],
        ] as const) {
          const error = left(await repo.list({}, sort, { page: 1, size: 1, cursor }));
          expect(error).to.deep.include({ _tag: 'Validation' });
          expect((error as Extract<DomainError, { _tag: 'Validation' }>).issues[0]!.field).to.equal('cursor');
        }
      });

      it('returns whole users', async () => {
        const [user] = await insertAll(aUser({ fullName: null, isVerified: true }));
        const page = await list({}, { field: 'email', direction: 'asc' }, { page: 1, size: 10 });
        expect(page.items).to.deep.equal([user]);
      });
    });
  });
};
