import { stripVTControlCharacters } from 'node:util';
import { expect } from 'chai';
import sinon from 'sinon';
import { createWinstonLogger, redact, wantsColors } from '../../adapters/winston/winston-logger.js';
import { currentRequestId, runWithRequestId } from '../../composition/request-context.js';

/** Captures what the console transport writes (winston's Console writes to process.stdout / console._stdout). */
const capture = async (work: () => void | Promise<void>): Promise<string> => {
  const lines: string[] = [];
  const stub = sinon.stub(process.stdout, 'write').callsFake((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    stub.restore();
  }
  return lines.join('');
};

describe('winston logger adapter', () => {
  it('writes loguru-like pretty lines: time | LEVEL | module - message, extra fields after', async () => {
    const logger = createWinstonLogger({ level: 'debug', format: 'pretty', currentRequestId });
    const out = await capture(() => logger.child('identity.login').info('signed in', { user_id: 'u1' }));
    // Strip colours to check the layout.
    const plain = stripVTControlCharacters(out);
    expect(plain).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} \| INFO {4} \| identity\.login - signed in \| user_id=u1\n$/);
  });

  it('writes no ANSI colour codes unless asked to (the default follows whether stdout is a terminal)', async () => {
    const plain = await capture(() => createWinstonLogger({ level: 'info', format: 'pretty', colors: false }).warn('disk low'));
    expect(plain).not.to.contain('\x1b[');
    expect(plain).to.match(/ \| WARN {4} \| app - disk low\n$/);
    const coloured = await capture(() => createWinstonLogger({ level: 'info', format: 'pretty', colors: true }).warn('disk low'));
    expect(coloured).to.contain('\x1b[');
    expect(wantsColors({ isTTY: false }, {})).to.equal(false);
    expect(wantsColors({ isTTY: true }, {})).to.equal(true);
    expect(wantsColors({ isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
  });

  it('stamps JSON lines with an ISO 8601 time carrying its zone', async () => {
    const before = Date.now();
    const out = await capture(() => createWinstonLogger({ level: 'info', format: 'json' }).info('hello'));
    const { timestamp } = JSON.parse(out.trim()) as { timestamp: string };
    expect(timestamp).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(timestamp)).to.be.within(before, Date.now());
  });

  it('stamps every line written while serving a request with its request id, use-case lines included', async () => {
    const logger = createWinstonLogger({ level: 'info', format: 'json', currentRequestId });
    const out = await capture(
      () =>
        new Promise<void>((resolve) => {
          runWithRequestId('req-42', () => {
            // A use case logs after an await: the id must survive async hops.
            void Promise.resolve().then(() => {
              logger.child('records.create').info('record created');
              resolve();
            });
          });
        }),
    );
    const line = JSON.parse(out.trim()) as Record<string, unknown>;
    expect(line).to.include({ request_id: 'req-42', module: 'records.create', message: 'record created', level: 'info' });
  });

  it('redacts passwords, tokens and Authorization headers wherever they appear', async () => {
    const logger = createWinstonLogger({ level: 'info', format: 'json' });
    const out = await capture(() =>
      logger.info('login attempt with Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', {
        body: { username: 'alice', password: 'hunter2hunter2', nested: [{ refresh_token: 'rt-secret' }] },
        headers: { authorization: 'Bearer eyJ.x.y', 'user-agent': 'curl' },
        token_type: 'bearer',
      }),
    );
    expect(out).not.to.contain('hunter2hunter2');
    expect(out).not.to.contain('rt-secret');
    expect(out).not.to.contain('eyJ');
    const line = JSON.parse(out.trim()) as { body: { username: string; password: string }; headers: Record<string, string>; token_type: string };
    expect(line.body.username).to.equal('alice');
    expect(line.body.password).to.equal('[REDACTED]');
    expect(line.headers['user-agent']).to.equal('curl');
    expect(line.token_type).to.equal('bearer');
  });

  it('keeps non-secret values intact', () => {
    expect(redact({ email: 'a@b.co', count: 3, when: new Date(0) })).to.deep.equal({ email: 'a@b.co', count: 3, when: new Date(0) });
  });
});
