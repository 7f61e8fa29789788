// Topic name rules as Kafka enforces them (org.apache.kafka.common.internals.Topic).

const MAX_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Returns Kafka's message for an illegal topic name, or null when the name is legal. */
export function topicNameError(name: string): string | null {
  if (name.length === 0) return "Topic name is illegal, it can't be empty";
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** '.' and '_' collide in metric names, so Kafka refuses topics that differ only by them. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
