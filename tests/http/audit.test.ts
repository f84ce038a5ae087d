import { expect } from 'chai';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { auditRoutes } from '../../adapters/http/routes/audit.js';
import { MemoryAuditLog } from '../../adapters/memory/memory-audit-log.js';
import { AuditTrailHandler } from '../../core/audit/use-cases/audit-trail-handler.js';
import { ListAuditEvents } from '../../core/audit/use-cases/list-audit-events.js';
import type { Actor } from '../../core/shared/entities/actor.js';
import { anActor } from '../support/builders.js';
import { namedActors, routesApp } from '../support/routes-app.js';

const PATH = '/api/v1/audit-events';
const auth = (name: string) => ({ Authorization: `Bearer ${name}` });

const auditApp = () => {
  const log = new MemoryAuditLog();
  const handler = new AuditTrailHandler(log);
  const actors = new Map<string, Actor>([
    ['admin', anActor({ isAdmin: true })],
    ['alice', anActor()],
  ]);
  const app = routesApp(auditRoutes(new ListAuditEvents(log)), { authenticate: namedActors(actors) });
  return { app, handler, actor: (n: 'admin' | 'alice') => actors.get(n)! };
};

describe('GET /audit-events', () => {
  it('is for administrators only: 401 anonymous, 403 for anyone else', async () => {
    const h = auditApp();
    await request(h.app).get(PATH).expect(401);
    const res = await request(h.app).get(PATH).set(auth('alice')).expect(403);
    expect(res.body).to.include({ code: 403, error: 'FORBIDDEN' });
  });

  it('lists events as recorded, newest first, filtered by type, actor_id and [from, to), paged by cursor', async () => {
    const h = auditApp();
    const alice = h.actor('alice').userId;
    const at = (m: number) => new Date(Date.UTC(2031, 0, 1, 10, m));
    const events = [
      { type: 'record.created', actorId: alice, minute: 0 },
      { type: 'record.updated', actorId: alice, minute: 1 },
      { type: 'record.created', actorId: uuidv7(), minute: 2 },
      { type: 'record.created', actorId: alice, minute: 3 },
    ].map((e) => ({ id: uuidv7(), type: e.type, actorId: e.actorId, subjectId: uuidv7(), requestId: `req-${e.minute}`, occurredAt: at(e.minute), data: { minute: e.minute } }));
    for (const e of events) await h.handler.handle(e);
    const get = async (query: string) => (await request(h.app).get(`${PATH}${query}`).set(auth('admin')).expect(200)).body.data;
    const minutes = (d: { items: { data: { minute: number } }[] }) => d.items.map((e) => e.data.minute);

    const all = await get('');
    expect(minutes(all)).to.deep.equal([3, 2, 1, 0]);
    expect(all.items[0]).to.deep.equal({
      id: events[3]!.id,
      type: 'record.created',
      actor_id: alice,
      subject_id: events[3]!.subjectId,
      request_id: 'req-3',
      occurred_at: at(3).toISOString(),
      data: { minute: 3 },
    });
    expect(minutes(await get('?type=record.created'))).to.deep.equal([3, 2, 0]);
    expect(minutes(await get(`?actor_id=${alice.toUpperCase()}&type=record.created`))).to.deep.equal([3, 0]);
    expect(minutes(await get(`?from=${at(1).toISOString()}&to=${encodeURIComponent('2031-01-01T11:03:00+01:00')}`))).to.deep.equal([2, 1]);
    const first = await get('?size=3');
    expect(minutes(first)).to.deep.equal([3, 2, 1]);
    expect(minutes(await get(`?size=3&cursor=${first.meta.next_cursor}`))).to.deep.equal([0]);
  });

  it('refuses bad filters with 422 naming each field', async () => {
    const h = auditApp();
    const res = await request(h.app).get(`${PATH}?actor_id=nope&from=yesterday&size=0`).set(auth('admin')).expect(422);
    expect(res.body.detail.map((d: { field: string }) => d.field).sort()).to.deep.equal(['actor_id', 'from', 'size']);
    const reversed = await request(h.app).get(`${PATH}?from=2031-01-02T00:00:00Z&to=2031-01-01T00:00:00Z`).set(auth('admin')).expect(422);
    expect(reversed.body.detail).to.deep.equal([{ field: 'to', message: 'must not be before from' }]);
  });
});
