import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { startEventPipeline, type EventPipeline } from '../../composition/events.js';
import { IDENTITY } from '../../composition/modules/identity.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { waitFor } from '../support/events.js';
import { listen, SseClient } from '../support/sse-client.js';

const PASSWORD = 'a long and unguessable passphrase 42';

/**
 * The whole path a change takes to the people it concerns, as `npm start` runs it: a commit writes
 * the state and its events, the relay delivers them, the notification handler applies the modules'
 * rules, the audit handler records every event, and the live stream of the other participant
 * shows the notification. On the memory profile and on the embedded (PGlite) one.
 */
for (const profile of ['memory', 'embedded'] as const) {
  describe(`events end to end: a booking reaches the giver's notifications, stream and the audit trail (${profile})`, function () {
    this.timeout(120_000);
    let t: TestApp;
    let dir: string | undefined;
    let pipeline: EventPipeline | null;
    let server: Awaited<ReturnType<typeof listen>>;

    before(async () => {
      dir = profile === 'embedded' ? mkdtempSync(join(tmpdir(), 'portside-e2e-')) : undefined;
      t = await buildTestApp(profile === 'embedded' ? { PROFILE: 'embedded', DATA_DIR: dir!, EVENTS_POLL_MS: '600000' } : { EVENTS_POLL_MS: '600000' }, {
        migrate: profile === 'embedded',
      });
      // The poll is pushed out of the way: only the commit's own wake can deliver in time.
      pipeline = await startEventPipeline(t.container, 'api');
      server = await listen(t.app);
    });
    after(async () => {
      await server?.close();
      await pipeline?.stop();
      await t?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const account = async (username: string, role: 'giver' | 'taker') => {
      const n = `${username}${Date.now().toString(36)}`;
      await request(t.app).post('/api/v1/auth/register').send({ email: `${n}@example.com`, username: n, password: PASSWORD, role }).expect(201);
      const tokens = (await request(t.app).post('/api/v1/auth/login').send({ username: n, password: PASSWORD }).expect(200)).body.data;
      const me = (await request(t.app).get('/api/v1/auth/me').set('Authorization', `Bearer ${tokens.access_token}`).expect(200)).body.data;
      return { id: me.id as string, token: tokens.access_token as string, auth: { Authorization: `Bearer ${tokens.access_token}` } };
    };

    it('book, accept a request, cancel: each reaches the other participant once, live and in the list; the audit trail has each with its request id', async () => {
      const giver = await account('giver', 'giver');
      const taker = await account('taker', 'taker');
      const stream = await SseClient.open(`${server.url}/api/v1/notifications/stream`, giver.auth);
      try {
        const slot = (
          await request(t.app)
            .post('/api/v1/schedules')
            .set(giver.auth)
            .send({ schedules: [{ giver_id: giver.id, starts_at: '2031-02-03T10:00:00Z', ends_at: '2031-02-03T11:00:00Z' }] })
            .expect(201)
        ).body.data.schedules[0];
        await request(t.app).post(`/api/v1/schedules/${slot.id}/book`).set(taker.auth).set('X-Request-ID', 'req-book-1').expect(200);

        // The giver sees it live on the stream, and then in the list, once.
        await stream.until((c) => c.events.some((e) => e.data.includes('schedule.booked')), 'the booking on the giver stream');
        const listed = async (who: { auth: Record<string, string> }) =>
          (await request(t.app).get('/api/v1/notifications').set(who.auth).expect(200)).body.data.items as { kind: string; id: string; data: Record<string, unknown> }[];
        const booked = (await listed(giver)).filter((n) => n.kind === 'schedule.booked');
        expect(booked).to.have.length(1);
        expect(stream.events.filter((e) => e.id === booked[0]!.id)).to.have.length(1);

        // A taker's request, accepted by the giver: the taker is told.
        const asked = (
          await request(t.app)
            .post('/api/v1/schedules')
            .set(taker.auth)
            .send({ schedules: [{ giver_id: giver.id, starts_at: '2031-02-04T10:00:00Z', ends_at: '2031-02-04T11:00:00Z' }] })
            .expect(201)
        ).body.data.schedules[0];
        await request(t.app).post(`/api/v1/schedules/${asked.id}/accept`).set(giver.auth).expect(200);
        await waitFor(async () => (await listed(taker)).some((n) => n.kind === 'schedule.accepted'), 'the acceptance in the taker list', 10_000);
        await waitFor(async () => (await listed(giver)).some((n) => n.kind === 'schedule.requested'), 'the request in the giver list', 10_000);

        // The taker cancels the first booking: the giver is told.
        await request(t.app).post(`/api/v1/schedules/${slot.id}/cancel`).set(taker.auth).expect(200);
        await stream.until((c) => c.events.some((e) => e.data.includes('schedule.cancelled')), 'the cancellation on the giver stream');

        // Everything was recorded once in the audit trail, the booking with the request that made it.
        const adminTokens = await (async () => {
          const n = `adm${Date.now().toString(36)}`;
          const created = await t.container.get(IDENTITY.CreateUser).execute('operator', { email: `${n}@example.com`, username: n, password: PASSWORD });
          if (created._tag === 'Left') throw new Error(created.left.message);
          return (await request(t.app).post('/api/v1/auth/login').send({ username: n, password: PASSWORD }).expect(200)).body.data;
        })();
        const audit = async (type: string) =>
          (await request(t.app).get(`/api/v1/audit-events?type=${type}`).set('Authorization', `Bearer ${adminTokens.access_token}`).expect(200)).body.data.items as {
            subject_id: string;
            request_id: string | null;
          }[];
        await waitFor(async () => (await audit('schedule.cancelled')).length === 1, 'the cancellation in the audit trail', 10_000);
        const bookings = (await audit('schedule.booked')).filter((e) => e.subject_id === slot.id);
        expect(bookings).to.have.length(1);
        expect(bookings[0]!.request_id).to.equal('req-book-1');
      } finally {
        stream.abort();
      }
    });
  });
}
