import { QueryTypes, type QueryInterface } from 'sequelize';

/**
 * Adds pg_trgm when the server offers it and the role may create it; returns false otherwise, so a
 * migration adds its trigram indexes only when they can exist (the filters work unindexed).
 */
export const ensureTrigram = async (qi: QueryInterface): Promise<boolean> => {
  const available = await qi.sequelize.query<{ name: string }>(
    "SELECT name FROM pg_available_extensions WHERE name = 'pg_trgm'",
    { type: QueryTypes.SELECT },
  );
  if (available.length === 0) return false;
  try {
    await qi.sequelize.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    return true;
  } catch {
    // A role without CREATE on the database cannot add it.
    return false;
  }
};
