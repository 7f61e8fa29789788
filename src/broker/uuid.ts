import { randomBytes } from 'node:crypto';

/** A random Kafka Uuid in its string form (22 chars of unpadded base64url). */
export function randomKafkaUuid(): string {
  for (;;) {
    const bytes = randomBytes(16);
    const s = bytes.toString('base64url');
    // Kafka reserves the zero and one uuids and avoids ids starting with '-' (they read as flags).
    if (s !== 'AAAAAAAAAAAAAAAAAAAAAA' && s !== 'AAAAAAAAAAAAAAAAAAAAAQ' && !s.startsWith('-')) return s;
  }
}
