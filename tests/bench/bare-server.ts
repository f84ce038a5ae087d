import express from 'express';

/**
 * The baseline of the HTTP benchmark: a bare Express 5 app answering `/health` with the same JSON
 * (envelope and fields) as Portside's, and nothing else. Run in a process of its own by http.ts
 * so that its RSS is its own.
 */
const startedAt = Date.now();
const app = express();
app.get('/health', (_req, res) => {
  res.status(200).json({ code: 200, message: 'success', data: { status: 'ok', version: '0.1.0', uptime_s: Math.round((Date.now() - startedAt) / 1000) } });
});
const server = app.listen(Number(process.env['PORT']), '127.0.0.1', () => console.log('listening'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
