import net from 'node:net';
import { expect } from 'chai';
import { v7 as uuidv7 } from 'uuid';
import request from 'supertest';
import { notificationsApp } from './notifications-app.js';
import { listen, SseClient } from '../support/sse-client.js';

const BASE = '/api/v1/notifications';
const auth = (name: string) => ({ Authorization: `Bearer ${name}` });

describe('notifications API (memory)', () => {
  it('lists the caller\'s own, newest first, with the unread filter and cursor paging', async () => {
    const h = notificationsApp();
    for (let i = 0; i < 3; i++) {
      await h.notify('alice');
      h.clock.advanceSeconds(1);
    }
    await h.notify('bob');
    const page = (await request(h.app).get(`${BASE}?size=2`).set(auth('alice')).expect(200)).body.data;
    expect(page.items).to.have.length(2);
    expect(page.items[0]).to.include({ kind: 'account.password_changed', title: 'Your password was changed', read_at: null });
    expect(page.items[0].created_at > page.items[1].created_at).to.equal(true);
    expect(page.meta.next_cursor).to.be.a('string');
    const rest = (await request(h.app).get(`${BASE}?size=2&cursor=${page.meta.next_cursor}`).set(auth('alice')).expect(200)).body.data;
    expect(rest.items).to.have.length(1);
    expect(rest.meta.next_cursor).to.equal(null);

    await request(h.app).post(`${BASE}/${page.items[0].id}/read`).set(auth('alice')).expect(204);
    const unread = (await request(h.app).get(`${BASE}?unread=true`).set(auth('alice')).expect(200)).body.data;
    expect(unread.items.map((n: { id: string }) => n.id)).to.not.include(page.items[0].id);
    expect(unread.items).to.have.length(2);
    await request(h.app).post(`${BASE}/read-all`).set(auth('alice')).expect(204);
    expect((await request(h.app).get(`${BASE}?unread=true`).set(auth('alice')).expect(200)).body.data.items).to.deep.equal([]);
    // Bob's are untouched.
    expect((await request(h.app).get(`${BASE}?unread=true`).set(auth('bob')).expect(200)).body.data.items).to.have.length(1);
  });

  it('another user\'s notification, an unknown id and a malformed id are all 404; bad queries are 422 with the field', async () => {
    const h = notificationsApp();
    await h.notify('bob');
    const bobs = (await request(h.app).get(BASE).set(auth('bob')).expect(200)).body.data.items[0].id;
    const res = await request(h.app).post(`${BASE}/${bobs}/read`).set(auth('alice')).expect(404);
    expect(res.body).to.include({ code: 404, error: 'NOT_FOUND' });
    await request(h.app).post(`${BASE}/0190a000-0000-7000-8000-000000000000/read`).set(auth('alice')).expect(404);
    await request(h.app).post(`${BASE}/not-a-uuid/read`).set(auth('alice')).expect(404);
    expect((await request(h.app).get(BASE).set(auth('bob')).expect(200)).body.data.items[0].read_at).to.equal(null);
    const bad = await request(h.app).get(`${BASE}?unread=maybe&size=500`).set(auth('alice')).expect(422);
    expect(bad.body.detail.map((d: { field: string }) => d.field).sort()).to.deep.equal(['size', 'unread']);
    await request(h.app).get(`${BASE}?cursor=garbage`).set(auth('alice')).expect(422);
    await request(h.app).get(BASE).expect(401);
    await request(h.app).post(`${BASE}/read-all`).expect(401);
  });
});

describe('notification stream (Server-Sent Events)', () => {
  const servers: { close(): Promise<void> }[] = [];
  const clients: SseClient[] = [];
  const serve = async (h: ReturnType<typeof notificationsApp>) => {
    const s = await listen(h.app);
    servers.push(s);
    return s.url;
  };
  const open = async (url: string, headers: Record<string, string>) => {
    const c = await SseClient.open(`${url}${BASE}/stream`, headers);
    clients.push(c);
    return c;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) c.abort();
    for (const s of servers.splice(0)) await s.close();
  });

  it('without a token is a 401 in the JSON envelope, not a stream', async () => {
    const h = notificationsApp();
    const url = await serve(h);
    const res = await fetch(`${url}${BASE}/stream`, { headers: { Accept: 'text/event-stream' } });
    expect(res.status).to.equal(401);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(await res.json()).to.include({ code: 401, error: 'UNAUTHENTICATED' });
    const wrong = await fetch(`${url}${BASE}/stream`, { headers: { Authorization: 'Bearer nobody' } });
    expect(wrong.status).to.equal(401);
  });

  it('delivers each new notification of the caller, live, with its id as the event id', async () => {
    const h = notificationsApp();
    const url = await serve(h);
    await h.notify('alice'); // before the stream: not replayed without Last-Event-ID
    const c = await open(url, auth('alice'));
    expect(c.response.status).to.equal(200);
    expect(c.response.headers.get('content-type')).to.equal('text/event-stream; charset=utf-8');
    expect(c.response.headers.get('cache-control')).to.include('no-cache');
    await c.until((x) => x.comments.includes('connected'), 'the connected comment');
    await h.notify('bob');
    await h.notify('alice');
    const [event] = await c.nEvents(1);
    const newest = (await request(h.app).get(BASE).set(auth('alice')).expect(200)).body.data.items[0];
    expect(event).to.deep.include({ event: 'notification', id: newest.id });
    expect(c.json(0)).to.deep.equal(newest);
    await h.notify('alice');
    await c.nEvents(2);
    expect(c.events.map((e) => e.id)).to.have.length(2);
  });

  it('sends heartbeat comments at the configured interval', async () => {
    const h = notificationsApp({ heartbeatMs: 20 });
    const c = await open(await serve(h), auth('alice'));
    await c.until((x) => x.comments.filter((k) => k === 'heartbeat').length >= 2, 'two heartbeats');
    expect(c.events).to.deep.equal([]);
  });

  it('resumes from Last-Event-ID with exactly the missed ones, then live ones, without duplicates', async () => {
    // A small batch, so the catch-up takes several reads while new ones keep arriving.
    const h = notificationsApp({ batchSize: 3 });
    const url = await serve(h);
    const first = await open(url, auth('alice'));
    await first.until((x) => x.comments.includes('connected'), 'connected');
    await h.notify('alice');
    await first.nEvents(1);
    const lastSeen = first.events[0]!.id!;
    first.abort();
    for (let i = 0; i < 7; i++) await h.notify('alice'); // missed while disconnected
    const resumed = await open(url, { ...auth('alice'), 'Last-Event-ID': lastSeen });
    const during = Promise.all([1, 2, 3, 4].map(() => h.notify('alice'))); // committed during the catch-up
    await during;
    await resumed.nEvents(11);
    const all = (await h.repo.listAfter(h.actor('alice').userId, lastSeen, 100)).map((n) => n.id);
    expect(all).to.have.length(11);
    expect(resumed.events.map((e) => e.id)).to.deep.equal(all);
    await h.notify('alice');
    await resumed.nEvents(12);
    expect(new Set(resumed.events.map((e) => e.id)).size).to.equal(12);
  });

  it('refuses a Last-Event-ID that is not a notification id (422 naming it)', async () => {
    const h = notificationsApp();
    const res = await request(h.app).get(`${BASE}/stream`).set(auth('alice')).set('Last-Event-ID', '42; DROP TABLE').expect(422);
    expect(res.body.detail).to.deep.equal([{ field: 'Last-Event-ID', message: 'must be the id of a notification' }]);
  });

  it('bounds the streams per user (429 with Retry-After) and frees a slot when a client disconnects', async () => {
    const h = notificationsApp({ maxStreamsPerUser: 2 });
    const url = await serve(h);
    const a = await open(url, auth('alice'));
    await open(url, auth('alice'));
    const refused = await fetch(`${url}${BASE}/stream`, { headers: auth('alice') });
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('retry-after')).to.equal('5');
    expect(await refused.json()).to.include({ error: 'RATE_LIMITED' });
    const bob = await open(url, auth('bob'));
    expect(bob.response.status).to.equal(200);
    a.abort();
    await waitFor(() => h.watch.openStreams(h.actor('alice').userId) === 1, 'the server to notice the disconnect');
    const again = await open(url, auth('alice'));
    expect(again.response.status).to.equal(200);
  });

  it('cleans up after a client that disconnects: no subscription, no stream, nothing written after', async () => {
    const h = notificationsApp();
    const url = await serve(h);
    const c = await open(url, auth('alice'));
    await c.until((x) => x.comments.includes('connected'), 'connected');
    expect(h.bus.subscribers).to.equal(1);
    c.abort();
    await waitFor(() => h.streams.size === 0 && h.bus.subscribers === 0, 'clean-up');
    await h.notify('alice'); // nothing left to wake: must not throw
    expect(h.watch.openStreams(h.actor('alice').userId)).to.equal(0);
  });

  it('a client that stops reading holds at most a batch in memory and is disconnected after two stalled heartbeats', async () => {
    const h = notificationsApp({ heartbeatMs: 50, batchSize: 4 });
    const url = new URL(await serve(h));
    const alice = h.actor('alice').userId;
    const body = 'x'.repeat(64 * 1024);
    const ids = { next: () => uuidv7() };
    for (let i = 0; i < 300; i++) {
      await h.repo.insertAll([{ recipientId: alice, eventId: uuidv7(), kind: 'k', title: 't', body, data: {}, createdAt: new Date() }], ids);
    }
    let handedOut = 0;
    const listAfter = h.repo.listAfter.bind(h.repo);
    h.repo.listAfter = async (...args) => {
      const batch = await listAfter(...args);
      handedOut += batch.length;
      return batch;
    };
    // ~19 MiB waiting, far more than socket buffers hold; the client reads nothing after the headers.
    const socket = net.connect(Number(url.port), url.hostname);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write(`GET ${BASE}/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nLast-Event-ID: 00000000-0000-7000-8000-000000000000\r\n\r\n`);
    socket.once('data', () => socket.pause());
    await waitFor(() => handedOut > 0, 'the first batches');
    // The server gives up on the stalled stream on its own (the paused client cannot see it yet).
    await waitFor(() => h.streams.size === 0 && h.bus.subscribers === 0, 'the stalled stream to be dropped', 10_000);
    expect(handedOut).to.be.lessThan(300);
    expect(h.watch.openStreams(alice)).to.equal(0);
    socket.destroy();
    await closed;
  });

  it('ends every stream on shutdown and refuses new ones (503)', async () => {
    const h = notificationsApp();
    const url = await serve(h);
    const c = await open(url, auth('alice'));
    await c.until((x) => x.comments.includes('connected'), 'connected');
    h.streams.closeAll();
    await c.until((x) => x.ended, 'the stream to end');
    const res = await fetch(`${url}${BASE}/stream`, { headers: auth('alice') });
    expect(res.status).to.equal(503);
    expect(await res.json()).to.include({ error: 'SERVICE_UNAVAILABLE' });
    expect(h.bus.subscribers).to.equal(0);
  });
});

/** Polls a condition the server reaches on its own (socket close); bounded, not a fixed sleep. */
const waitFor = async (condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
