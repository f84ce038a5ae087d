const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every entity's id is a UUID (v7 when we make it). */
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * An id a caller names (in a path, say) as the repositories hold it: a UUID in lower case, or null
 * for anything else. Every use case that looks an entity up by a caller's id goes through this and
 * answers null as it answers an id that names nothing, "not found": a string that cannot be an id
 * names no entity, and no adapter ever sees one its database cannot parse.
 */
export const entityId = (raw: string): string | null => (isUuid(raw) ? raw.toLowerCase() : null);

/** `find(id)` for a caller's id that is an id at all (see `entityId`); null, not found, otherwise. */
export const findByEntityId = async <T>(raw: string, find: (id: string) => Promise<T | null>): Promise<T | null> => {
  const id = entityId(raw);
  return id === null ? null : find(id);
};
