import type { Actor } from '../../shared/entities/actor.js';

/**
 * Metadata of one uploaded file. The bytes live in object storage under `objectKey`, which the
 * server generates; the client's name is only ever shown back, never used as a path or key.
 */
export interface StoredFile {
  readonly id: string;
  readonly ownerId: string;
  /** The client's name, sanitised for display (see `displayFilename`). */
  readonly filename: string;
  /** Detected from the bytes, not taken from the client. */
  readonly contentType: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the stored bytes. */
  readonly sha256: string;
  readonly objectKey: string;
  readonly createdAt: Date;
  readonly deletedAt: Date | null;
}

/** Every file's object lives under this prefix, as `files/<file id>`. */
export const OBJECT_KEY_PREFIX = 'files/';
export const objectKeyOf = (fileId: string): string => `${OBJECT_KEY_PREFIX}${fileId}`;

/** Owners and admins see a live file; to anyone else it does not exist. */
export const visibleTo = (file: StoredFile | null, actor: Actor): file is StoredFile =>
  file !== null && file.deletedAt === null && (file.ownerId === actor.userId || actor.isAdmin);

const MAX_FILENAME_LENGTH = 255;

/**
 * Keeps a client-supplied name displayable and harmless wherever it is echoed: the last path
 * segment only, no control characters (CR/LF would split headers), no leading dots (hidden files),
 * bounded length. The result is never used to address storage.
 */
export const displayFilename = (raw: string): string => {
  const lastSegment = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = lastSegment
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '') // bidi overrides disguise extensions
    .trim()
    .replace(/^\.+/, '');
  const bounded = [...cleaned].slice(0, MAX_FILENAME_LENGTH).join('');
  return bounded === '' ? 'file' : bounded;
};
