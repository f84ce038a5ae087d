import { expect } from 'chai';
import { Argon2PasswordHasher, owaspArgon2Settings } from '../../adapters/argon2/argon2-password-hasher.js';
import { BoundedSlots } from '../../adapters/argon2/bounded-slots.js';
import { DependencyUnavailableError } from '../../core/shared/entities/errors.js';

describe('Argon2PasswordHasher', () => {
  const cheap = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

  it('makes a salted argon2id hash with the configured cost that verifies only the right password', async () => {
    const a = await cheap.hash('correct horse battery staple');
    const b = await cheap.hash('correct horse battery staple');
    expect(a).to.match(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    expect(a).to.not.equal(b);
    expect(await cheap.verify(a, 'correct horse battery staple')).to.equal(true);
    expect(await cheap.verify(a, 'correct horse battery stapl')).to.equal(false);
  });

  it('answers false, without throwing, for a hash it cannot read', async () => {
    expect(await cheap.verify('', 'x')).to.equal(false);
    expect(await cheap.verify('$2b$10$notargon', 'x')).to.equal(false);
  });

  it('defaults to the OWASP parameters, and still verifies hashes made under other settings', async () => {
    expect(owaspArgon2Settings).to.deep.equal({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    const strong = new Argon2PasswordHasher();
    const hash = await strong.hash('a passphrase');
    expect(hash).to.match(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await cheap.verify(hash, 'a passphrase')).to.equal(true);
  });

  it('hashes and verifies through its slots: refused with DependencyUnavailableError while they are full, working again once they free', async () => {
    const slots = new BoundedSlots('password hashing', { concurrency: 1, maxWaiting: 0 });
    const hasher = new Argon2PasswordHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }, slots);
    const hash = await cheap.hash('a passphrase');
    let release!: () => void;
    const holding = slots.run(() => new Promise<void>((resolve) => (release = resolve)));
    const refused = await Promise.all([hasher.hash('x'), hasher.verify(hash, 'a passphrase')].map((p) => p.then(() => null, (e: unknown) => e)));
    expect(refused.map((e) => e instanceof DependencyUnavailableError && e.dependency)).to.deep.equal(['password hashing', 'password hashing']);
    release();
    await holding;
    expect(await hasher.verify(hash, 'a passphrase')).to.equal(true);
    // An unreadable hash is a false inside the slot, and frees it.
    expect(await hasher.verify('$2b$10$notargon', 'x')).to.equal(false);
    expect(slots.running + slots.waiting).to.equal(0);
  });
});
