/**
 * Kafka's clean-shutdown marker: `<dataDir>/.kafka_cleanshutdown`, written once every log
 * is flushed and closed on a clean stop, and removed at start-up before anything is
 * written. Present at start-up, it says the logs on disk are whole: recovery is skipped
 * (and so a corrupt batch in the middle of a log does not cut off the valid ones after it).
 * Absent, the last segment of every log is recovered.
 */
import { join } from 'node:path';
import { atomicWriteFile, fsyncDir, type StorageFs } from './fs-interface.js';

export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';

/** Whether the last stop was clean; removes the marker (durably) so a crash from now on is not. */
export function takeCleanShutdownMarker(fs: StorageFs, dataDir: string): boolean {
  const path = join(dataDir, CLEAN_SHUTDOWN_FILE);
  if (!fs.existsSync(path)) return false;
  fs.unlinkSync(path);
  fsyncDir(fs, dataDir);
  return true;
}

export function writeCleanShutdownMarker(fs: StorageFs, dataDir: string): void {
  atomicWriteFile(fs, join(dataDir, CLEAN_SHUTDOWN_FILE), '');
}
