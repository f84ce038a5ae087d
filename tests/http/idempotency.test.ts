import { expect } from 'chai';
import type { Request } from 'express';
import * as E from 'fp-ts/lib/Either.js';
import { idempotent } from '../../adapters/http/idempotency.js';
import { created, HANDLED, type Reply } from '../../adapters/http/route.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { DomainError } from '../../core/shared/entities/errors.js';
import { anActor } from '../core/files/files-harness.js';
import { ManualClock } from '../support/manual-clock.js';

const withKey = (key: string) => ({ get: (name: string) => (name.toLowerCase() === 'idempotency-key' ? key : undefined) }) as unknown as Request;

describe('idempotent() around a slow request', () => {
  it('does not let a retry take over while the first request still runs, even minutes later', async () => {
    const clock = new ManualClock();
    const idem = { store: new MemoryIdempotencyStore(), clock };
    const ctx = { actor: anActor(), req: withKey('slow-1'), body: { size: 25 } };
    let finish!: () => void;
    let runs = 0;
    const act = async (): Promise<E.Either<DomainError, Reply>> => {
      runs += 1;
      if (runs === 1) await new Promise<void>((resolve) => (finish = resolve));
      return E.right(created({ id: 'f1' }));
    };
    const first = idempotent(idem, ctx, 'POST /files', act);
    // A 25 MB upload on a slow link: five minutes in, the client gives up waiting and retries.
    clock.advanceSeconds(5 * 60);
    const retry = await idempotent(idem, ctx, 'POST /files', act);
    expect(E.isLeft(retry) && retry.left._tag).to.equal('Conflict');
    expect(runs).to.equal(1);
    finish();
    expect(E.isRight(await first)).to.equal(true);
    const replay = await idempotent(idem, ctx, 'POST /files', act);
    const headers = E.isRight(replay) && replay.right !== HANDLED ? replay.right.headers : undefined;
    expect(headers).to.include({ 'Idempotent-Replayed': 'true' });
    expect(runs).to.equal(1);
  });
});
