import { inspect } from 'node:util';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { LogFields, Logger } from '../../core/shared/ports/logger.js';

export interface WinstonLoggerOptions {
  readonly level: string;
  readonly format: 'pretty' | 'json';
  /** When set, rotating `app.log` and `error.log` files are written here (JSON lines). */
  readonly dir?: string | undefined;
  /** Write JSON lines to this stream instead of the console (tests capture what the logs say). */
  readonly sink?: NodeJS.WritableStream | undefined;
  /** The id of the request being served, if any (AsyncLocalStorage in the composition root). */
  readonly currentRequestId?: () => string | null;
  /**
   * ANSI colours in pretty lines. Default: only when stdout is a terminal and `NO_COLOR` is unset,
   * so piped output and log collectors never see escape codes.
   */
  readonly colors?: boolean;
}

/** Colour when writing to a terminal, unless NO_COLOR (https://no-color.org) says otherwise. */
export const wantsColors = (stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean =>
  stream.isTTY === true && (env['NO_COLOR'] ?? '') === '';

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const REDACTED = '[REDACTED]';

/** Replaces secrets wherever they appear: by key at any depth, and bearer credentials in text. */
export const redact = (value: unknown, depth = 0): unknown => {
  if (typeof value === 'string') return value.replace(BEARER, `$1 ${REDACTED}`);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return { name: value.name, message: redact(value.message), stack: value.stack };
  if (value instanceof Date) return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && k !== 'token_type' && v !== undefined && v !== null ? REDACTED : redact(v, depth + 1);
  }
  return out;
};

const STANDARD = new Set(['level', 'message', 'timestamp', 'module', 'request_id', 'stack']);

const redactFormat = winston.format((info) => {
  info.message = redact(info.message);
  for (const key of Object.keys(info)) {
    if (!STANDARD.has(key)) info[key] = redact(info[key]);
  }
  return info;
});

const requestIdFormat = (current: () => string | null) =>
  winston.format((info) => {
    const id = current();
    if (id && info['request_id'] === undefined) info['request_id'] = id;
    return info;
  });

const extras = (info: winston.Logform.TransformableInfo): string => {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(info)) {
    if (STANDARD.has(k) || typeof k === 'symbol') continue;
    parts.push(`${k}=${typeof v === 'string' ? v : inspect(v, { breakLength: Infinity, depth: 4, colors: false })}`);
  }
  return parts.length > 0 ? ` | ${parts.join(' ')}` : '';
};

// loguru's layout: `2026-11-22 01:42:22.123 | INFO     | module - message`, then the extra fields.
const prettyLine = (colors: boolean) => {
  const paint = (code: number, text: string) => (colors ? `\x1b[${code}m${text}\x1b[0m` : text);
  return winston.format.printf((info) => {
    const level = info.level; // already padded (and colourised when colours are on)
    const rid = info['request_id'] ? ` [${String(info['request_id'])}]` : '';
    const stack = info['stack'] ? `\n${String(info['stack'])}` : '';
    return `${paint(32, String(info['timestamp']))} | ${level} | ${paint(36, String(info['module'] ?? 'app'))}${rid} - ${String(info.message)}${extras(info)}${stack}`;
  });
};

const padLevel = winston.format((info) => {
  info.level = info.level.toUpperCase().padEnd(8);
  return info;
});

export const createWinstonLogger = (options: WinstonLoggerOptions): Logger => {
  const base = [requestIdFormat(options.currentRequestId ?? (() => null))(), redactFormat()];
  // JSON lines carry ISO 8601 times with the zone (UTC, `Z`) for collectors; pretty lines, local time for people.
  const json = winston.format.combine(...base, winston.format.timestamp(), winston.format.json());
  const colors = options.colors ?? wantsColors();
  const pretty = winston.format.combine(
    ...base,
    winston.format.timestamp({ format: 'YYYY-MM-DD HH:mm:ss.SSS' }),
    padLevel(),
    ...(colors ? [winston.format.colorize({ level: true })] : []),
    prettyLine(colors),
  );
  const transports: winston.transport[] = [
    options.sink
      ? new winston.transports.Stream({ stream: options.sink, format: json })
      : new winston.transports.Console({ format: options.format === 'json' ? json : pretty }),
  ];
  if (options.dir) {
    transports.push(
      new DailyRotateFile({ dirname: options.dir, filename: 'app-%DATE%.log', createSymlink: true, symlinkName: 'app.log', maxFiles: '14d', maxSize: '50m', format: json }),
      new DailyRotateFile({ dirname: options.dir, filename: 'error-%DATE%.log', createSymlink: true, symlinkName: 'error.log', level: 'error', maxFiles: '30d', maxSize: '50m', format: json }),
    );
  }
  const root = winston.createLogger({ level: options.level, transports });
  return wrap(root, 'app');
};

const wrap = (w: winston.Logger, module: string): Logger => {
  const log = (level: string) => (message: string, fields?: LogFields) => w.log({ level, message, module, ...fields });
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (name: string) => wrap(w, name),
  };
};
