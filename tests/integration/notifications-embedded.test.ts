import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { v7 as uuidv7 } from 'uuid';
import { AUDIT } from '../../composition/modules/audit.js';
import { NOTIFICATIONS } from '../../composition/modules/notifications.js';
import { TOKENS } from '../../composition/tokens.js';
import { InProcessNotificationBus } from '../../adapters/system/in-process-notification-bus.js';
import { identityClient, type IdentityClient } from '../http/identity-client.js';
import { listen, SseClient } from '../support/sse-client.js';

/** The default deployment (embedded PGlite, one process): the in-process bus wakes streams after each commit. */
describe('notifications on the embedded profile', function () {
  this.timeout(120_000);
  let c: IdentityClient;
  let dataDir: string;
  let server: { url: string; close(): Promise<void> };
  let sse: SseClient | undefined;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portside-embedded-notifications-'));
    c = await identityClient({ PROFILE: 'embedded', DATA_DIR: dataDir }, { migrate: true });
    server = await listen(c.app);
  });
  after(async () => {
    sse?.abort();
    await server?.close();
    await c?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('binds both handlers and the in-process bus; a handled event reaches the stream and the audit trail once', async () => {
    expect(c.t.container.get(NOTIFICATIONS.Bus)).to.be.instanceOf(InProcessNotificationBus);
    const names = c.t.container.getAll(TOKENS.EventHandler).map((h) => h.name).sort();
    expect(names).to.deep.equal(['audit-trail', 'notifications']);
    const { user, tokens } = await c.aUser();
    sse = await SseClient.open(`${server.url}/api/v1/notifications/stream`, c.bearer(tokens.access_token));
    await sse.until((x) => x.comments.includes('connected'), 'connected');
    const event = { id: uuidv7(), type: 'password.changed', occurredAt: new Date(), actorId: user.id, subjectId: user.id, data: {}, requestId: 'r-embedded' };
    for (const h of c.t.container.getAll(TOKENS.EventHandler)) {
      await h.handle(event);
      await h.handle(event);
    }
    await sse.nEvents(1);
    expect(sse.json(0)).to.include({ kind: 'account.password_changed' });
    const listed = (await request(c.app).get('/api/v1/notifications').set(c.bearer(tokens.access_token)).expect(200)).body.data;
    expect(listed.items.map((n: { id: string }) => n.id)).to.deep.equal([sse.events[0]!.id]);
    const audit = c.t.container.get(AUDIT.AuditLog);
    const page = await audit.list({ type: 'password.changed', actorId: user.id }, { page: 1, size: 10 });
    expect(page._tag === 'Right' && page.right.items.map((e) => [e.id, e.requestId])).to.deep.equal([[event.id, 'r-embedded']]);
  });
});
