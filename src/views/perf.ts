// Text of kafka-consumer-perf-test.sh's report.

const BASE = 'data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec';
const EXTENDED = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const MB = 1024 * 1024;

export function consumerPerfHeader(detailed: boolean): string {
  return (detailed ? `time, threadId, ${BASE}` : `start.time, end.time, ${BASE}`) + EXTENDED;
}

export interface ConsumerPerfResult {
  start: number;
  end: number;
  messages: number;
  bytes: number;
  rebalanceMs: number;
  fetchMs: number;
}

export function consumerPerfRow(r: ConsumerPerfResult, fmt: string): string {
  const secs = (r.end - r.start) / 1000;
  const mb = r.bytes / MB;
  const fetchSecs = r.fetchMs / 1000;
  return (
    `${formatDate(r.start, fmt)}, ${formatDate(r.end, fmt)}, ${mb.toFixed(4)}, ${(mb / secs).toFixed(4)}, ${r.messages}, ${(r.messages / secs).toFixed(4)}` +
    `, ${r.rebalanceMs}, ${r.fetchMs}, ${(mb / fetchSecs).toFixed(4)}, ${(r.messages / fetchSecs).toFixed(4)}`
  );
}

export function consumerPerfDetailRow(o: {
  time: number;
  fmt: string;
  bytes: number;
  messages: number;
  elapsedMs: number;
  totalBytes: number;
  totalMessages: number;
}): string {
  const intervalMb = o.bytes / MB;
  const mbPerSec = (1000 * intervalMb) / o.elapsedMs;
  const msgPerSec = (o.messages / o.elapsedMs) * 1000;
  return (
    `${formatDate(o.time, o.fmt)}, 0, ${(o.totalBytes / MB).toFixed(4)}, ${mbPerSec.toFixed(4)}, ${o.totalMessages}, ${msgPerSec.toFixed(4)}` +
    `, 0, ${o.elapsedMs}, ${mbPerSec.toFixed(4)}, ${msgPerSec.toFixed(4)}`
  );
}

/** The common subset of Java's SimpleDateFormat, in local time. */
export function formatDate(ms: number, fmt: string): string {
  const d = new Date(ms);
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const tokens: Record<string, () => string> = {
    yyyy: () => pad(d.getFullYear(), 4),
    yy: () => pad(d.getFullYear() % 100, 2),
    MM: () => pad(d.getMonth() + 1, 2),
    dd: () => pad(d.getDate(), 2),
    HH: () => pad(d.getHours(), 2),
    hh: () => pad(((d.getHours() + 11) % 12) + 1, 2),
    mm: () => pad(d.getMinutes(), 2),
    ss: () => pad(d.getSeconds(), 2),
    SSS: () => pad(d.getMilliseconds(), 3),
    a: () => (d.getHours() < 12 ? 'AM' : 'PM'),
  };
  return fmt.replace(/'([^']*)'|yyyy|yy|MM|dd|HH|hh|mm|ss|SSS|a/g, (m, quoted: string | undefined) =>
    quoted !== undefined ? quoted : tokens[m](),
  );
}
