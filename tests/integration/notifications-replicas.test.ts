import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { NOTIFICATIONS } from '../../composition/modules/notifications.js';
import { TOKENS } from '../../composition/tokens.js';
import type { PostgresNotificationBus } from '../../adapters/postgres/postgres-notification-bus.js';
import type { PublishedEvent } from '../../core/shared/ports/event-handler.js';
import { identityClient, PASSWORD, type IdentityClient } from '../http/identity-client.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { createServerDatabase } from '../support/databases.js';
import { POSTGRES_URL, requireService } from '../support/services.js';
import { listen, SseClient } from '../support/sse-client.js';

interface OutboxRow {
  id: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  request_id: string | null;
  data: Record<string, unknown>;
  occurred_at: Date;
}

/**
 * Several replicas on one PostgreSQL: API "a" where requests are made, API "b" holding the SSE
 * client, and a "worker" that runs the event handlers (standing in for the relay, which delivers
 * every committed outbox event, here twice to show duplicates change nothing).
 */
describe('notifications and audit across replicas (PostgreSQL)', function () {
  this.timeout(90_000);
  let a: IdentityClient;
  let b: TestApp;
  let worker: TestApp;
  let bServer: { url: string; close(): Promise<void> };
  let drop: (() => Promise<void>) | undefined;
  let dataDir: string;
  const clients: SseClient[] = [];

  before(async function () {
    await requireService(this, 'PostgreSQL', POSTGRES_URL);
    const server = await createServerDatabase(POSTGRES_URL, 'portside_t');
    drop = server.drop;
    dataDir = mkdtempSync(join(tmpdir(), 'portside-replicas-'));
    const env = { PROFILE: 'services', DATABASE_URL: server.url, JWT_SECRET: 'replicas-test-secret-of-at-least-32-bytes!', DATA_DIR: dataDir };
    a = await identityClient(env, { migrate: true });
    b = await buildTestApp(env);
    worker = await buildTestApp(env);
    bServer = await listen(b.app);
  });
  after(async () => {
    for (const c of clients) c.abort();
    await bServer?.close();
    await b?.close();
    await worker?.close();
    await a?.close();
    await drop?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const db = () => a.t.runtime.infra.database!;
  const delivered = new Set<string>();
  /** Hands every committed outbox event not handed over yet to the worker's handlers, twice. */
  const relay = async (): Promise<PublishedEvent[]> => {
    const rows = await db().sequelize.query<OutboxRow>('SELECT * FROM outbox_events ORDER BY occurred_at, id', { type: QueryTypes.SELECT });
    const events: PublishedEvent[] = rows
      .filter((r) => !delivered.has(r.id))
      .map((r) => ({ id: r.id, type: r.type, actorId: r.actor_id, subjectId: r.subject_id, requestId: r.request_id, data: r.data, occurredAt: new Date(r.occurred_at) }));
    const handlers = worker.container.getAll(TOKENS.EventHandler);
    for (const event of events) {
      delivered.add(event.id);
      for (let round = 0; round < 2; round++) {
        for (const h of handlers) if (h.eventTypes === '*' || h.eventTypes.includes(event.type)) await h.handle(event);
      }
    }
    return events;
  };
  const stream = async (token: string, headers: Record<string, string> = {}) => {
    const c = await SseClient.open(`${bServer.url}/api/v1/notifications/stream`, { Authorization: `Bearer ${token}`, ...headers });
    clients.push(c);
    expect(c.response.status).to.equal(200);
    await c.until((x) => x.comments.includes('connected'), 'connected');
    return c;
  };

  it('a password changed through API a reaches the SSE client on API b, once, and lands in the audit trail once', async () => {
    const { user, tokens } = await a.aUser();
    await relay(); // the sign-in's own notification, before the stream opens
    const c = await stream(tokens.access_token);
    await request(a.app)
      .post('/api/v1/auth/change-password')
      .set(a.bearer(tokens.access_token))
      .set('X-Request-ID', 'change-pw-1')
      .send({ current_password: PASSWORD, new_password: 'a different long passphrase' })
      .expect(204);
    await relay();
    const [event] = await c.nEvents(1);
    expect(c.json(0)).to.include({ kind: 'account.password_changed', read_at: null });
    const listed = (await request(b.app).get('/api/v1/notifications').set(a.bearer(tokens.access_token)).expect(200)).body.data;
    const changed = listed.items.filter((n: { kind: string }) => n.kind === 'account.password_changed');
    expect(changed.map((n: { id: string }) => n.id)).to.deep.equal([event!.id]);

    const admin = await a.anAdmin();
    const audit = (await request(b.app).get('/api/v1/audit-events?type=password.changed').set(a.bearer(admin.tokens.access_token)).expect(200)).body.data;
    const mine = audit.items.filter((e: { request_id: string }) => e.request_id === 'change-pw-1');
    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({ type: 'password.changed', actor_id: user.id, subject_id: user.id });
    await request(b.app).get('/api/v1/audit-events').set(a.bearer(tokens.access_token)).expect(403);
  });

  it('an admin disabling an account notifies its holder; audit filters by actor and time window', async () => {
    const admin = await a.anAdmin();
    const { user, tokens } = await a.aUser();
    const c = await stream(tokens.access_token);
    const before = new Date().toISOString();
    await request(a.app).patch(`/api/v1/users/${user.id}`).set(a.bearer(admin.tokens.access_token)).send({ is_active: false }).expect(200);
    await relay();
    // Disabling ends the user's sessions: the notification is there for when the account is enabled again.
    const kinds = (await worker.container.get(NOTIFICATIONS.Repository).listAfter(user.id, null, 10)).map((n) => n.kind);
    expect(kinds).to.deep.equal(['account.new_sign_in', 'account.disabled']);
    c.abort();
    const audit = (await request(b.app).get(`/api/v1/audit-events?actor_id=${admin.user.id}&from=${before}`).set(a.bearer(admin.tokens.access_token)).expect(200)).body.data;
    expect(audit.items.map((e: { type: string; subject_id: string }) => [e.type, e.subject_id])).to.deep.equal([['user.updated', user.id]]);
    expect(audit.items[0].data).to.deep.equal({ changed: ['is_active'], is_active: false });
    const none = (await request(b.app).get(`/api/v1/audit-events?type=user.updated&actor_id=${admin.user.id}&to=${before}`).set(a.bearer(admin.tokens.access_token)).expect(200)).body.data;
    expect(none.items).to.deep.equal([]);
  });

  it('when Postgres drops the LISTEN connection, API b reconnects and its stream catches up on what was committed meanwhile', async () => {
    const { user, tokens } = await a.aUser();
    const c = await stream(tokens.access_token);
    const bus = b.container.get(NOTIFICATIONS.Bus) as PostgresNotificationBus;
    expect(bus.listening).to.equal(true);
    const ended = await db().sequelize.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN portside_notifications'`,
      { type: QueryTypes.SELECT },
    );
    expect(ended.length).to.be.greaterThan(0);
    const repo = worker.container.get(NOTIFICATIONS.Repository);
    const ids = worker.container.get(TOKENS.IdGenerator);
    const made = await repo.insertAll(
      [{ recipientId: user.id, eventId: uuidv7(), kind: 'test.during_outage', title: 't', body: 'b', data: {}, createdAt: new Date() }],
      ids,
    );
    const [event] = await c.nEvents(1, 20_000);
    expect(event!.id).to.equal(made[0]!.id);
    await c.until(() => bus.listening, 'the bus to listen again');
    // And live again after the reconnect.
    await repo.insertAll([{ recipientId: user.id, eventId: uuidv7(), kind: 'test.after', title: 't', body: 'b', data: {}, createdAt: new Date() }], ids);
    await c.nEvents(2);
    expect(c.events.map((e) => e.id)).to.have.length(2);
    expect(new Set(c.events.map((e) => e.id)).size).to.equal(2);
  });

  it('resumes on API b from a Last-Event-ID first seen on API a', async () => {
    const { user, tokens } = await a.aUser();
    const aServer = await listen(a.app);
    try {
      const onA = await SseClient.open(`${aServer.url}/api/v1/notifications/stream`, a.bearer(tokens.access_token));
      clients.push(onA);
      await onA.until((x) => x.comments.includes('connected'), 'connected');
      const repo = worker.container.get(NOTIFICATIONS.Repository);
      const ids = worker.container.get(TOKENS.IdGenerator);
      const make = () => repo.insertAll([{ recipientId: user.id, eventId: uuidv7(), kind: 'test', title: 't', body: 'b', data: {}, createdAt: new Date() }], ids);
      await make();
      const [seen] = await onA.nEvents(1);
      onA.abort();
      await make();
      await make();
      const onB = await stream(tokens.access_token, { 'Last-Event-ID': seen!.id! });
      await onB.nEvents(2);
      expect(onB.events.map((e) => e.id)).to.deep.equal((await repo.listAfter(user.id, seen!.id!, 10)).map((n) => n.id));
    } finally {
      await aServer.close();
    }
  });
});
