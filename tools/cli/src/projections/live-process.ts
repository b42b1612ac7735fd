/**
 * Is a Leakwatch process live on this database? Its projection runners would keep writing the tables a
 * rebuild truncates and replays. Two signs: the embedded PostgreSQL was already running (we connected to
 * it rather than starting it), or sessions of Leakwatch's pools (application_name `leakwatch-<service>`).
 */
import { CLI_APPLICATION_NAME, CliDatabase } from '../database';

export async function liveLeakwatchSigns(db: CliDatabase): Promise<string[]> {
  const signs: string[] = [];
  if (db.embeddedRunning) signs.push('the embedded database belongs to a Leakwatch that is running');
  const { rows } = await db.pool.query<{ application_name: string; sessions: number }>(
    `SELECT application_name, count(*)::int AS sessions FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND application_name LIKE 'leakwatch-%' AND application_name <> $1
      GROUP BY application_name ORDER BY application_name`,
    [CLI_APPLICATION_NAME],
  );
  for (const row of rows) signs.push(`${row.sessions} database session(s) of ${row.application_name}`);
  return signs;
}
