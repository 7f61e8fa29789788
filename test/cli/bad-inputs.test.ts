// The catalog of bad invocations: each must fail with one clear line on stderr, a
// documented non-zero exit code, and no stack trace.
//
// Exit codes: 1 for a failed operation or a rejected value (Kafka's tools use 1),
// 2 for a flag the parser itself rejects (unknown flag, missing value, wrong type).
// Not listed: failures Kafka's consumer-groups tool reports and then exits 0 from
// (ktool keeps that status for script compatibility; test/cli/consumer-groups.test.ts covers them).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestBroker, tempDir, type TestBroker } from '../helpers/broker.js';
import { run } from '../helpers/tools.js';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

interface Case {
  name: string;
  args: (ctx: Ctx) => string[];
  input?: string | Buffer;
  /** Standard input is this directory (opened read-only) instead of a pipe. */
  stdinDirectory?: (ctx: Ctx) => string;
  exit: number;
  /** Matched against the whole of stderr (stdout for tools where Kafka prints errors there). */
  message: RegExp;
  stream?: 'stderr' | 'stdout';
}

interface Ctx {
  b: string;
  dir: string;
  silentPort: number;
  deadPort: number;
}

const long = 'x'.repeat(250);

const CASES: Case[] = [
  // parsing
  {
    name: 'unknown flag',
    args: () => ['topics', '--list', '--no-such-flag'],
    exit: 2,
    message: /Nonexistent flag: --no-such-flag/,
  },
  {
    name: 'unknown flag on console-producer',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 't', '--frobnicate'],
    exit: 2,
    message: /Nonexistent flag: --frobnicate/,
  },
  {
    name: 'flag missing its value',
    args: () => ['console-consumer', '--topic'],
    exit: 2,
    message: /--topic expects a value/,
  },
  {
    name: 'integer flag given text',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 't', '--max-messages', 'ten'],
    exit: 2,
    message: /Expected an integer but received: ten/,
  },
  {
    name: 'negative max messages',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 't', '--max-messages', '-1'],
    exit: 2,
    message: /greater than or equal to 0/,
  },
  {
    name: 'bad --compression-codec',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 't', '--compression-codec', 'brotli'],
    exit: 2,
    message: /Expected --compression-codec=brotli to be one of: none, gzip, snappy, lz4, zstd/,
  },
  {
    name: 'bad --input format',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 't', '--input', 'xml'],
    exit: 2,
    message: /Expected --input=xml to be one of/,
  },
  {
    name: 'console-producer without --topic',
    args: (c) => ['console-producer', '--bootstrap-server', c.b],
    exit: 2,
    message: /Missing required flag topic/,
  },
  {
    name: 'producer-perf-test without --num-records',
    args: () => ['producer-perf-test', '--topic', 't', '--throughput', '-1', '--record-size', '1'],
    exit: 2,
    message: /Missing required flag num-records/,
  },
  {
    name: 'consumer-perf-test without --messages',
    args: (c) => ['consumer-perf-test', '--bootstrap-server', c.b, '--topic', 't'],
    exit: 2,
    message: /Missing required flag messages/,
  },
  // topics
  {
    name: 'topics with no action',
    args: (c) => ['topics', '--bootstrap-server', c.b, '--topic', 't'],
    exit: 1,
    message: /Command must include exactly one action: --list, --describe, --create, --alter or --delete/,
  },
  {
    name: 'topics with two actions',
    args: (c) => ['topics', '--bootstrap-server', c.b, '--list', '--delete', '--topic', 't'],
    exit: 1,
    message: /exactly one action/,
  },
  {
    name: 'create without --topic',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b],
    exit: 1,
    message: /Missing required argument "\[topic\]"/,
  },
  {
    name: 'create with 0 partitions',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.zero', '--partitions', '0'],
    exit: 1,
    message: /partitions/i,
  },
  {
    name: 'create with negative partitions',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.neg', '--partitions', '-3'],
    exit: 1,
    message: /partitions/i,
  },
  {
    name: 'create with replication factor 3 on one broker',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.rf', '--replication-factor', '3'],
    exit: 1,
    message: /replication factor of 3 cannot be reached because only 1 broker\(s\) are registered/,
    stream: 'stdout',
  },
  {
    name: 'create with an illegal character',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad/name'],
    exit: 1,
    message: /illegal/,
  },
  {
    name: 'create with a name too long',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', long],
    exit: 1,
    message: /249/,
  },
  {
    name: 'create with name ".."',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', '..'],
    exit: 1,
    message: /"\." or "\.\."/,
  },
  {
    name: 'create an existing topic',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'exists'],
    exit: 1,
    message: /Topic 'exists' already exists\./,
    stream: 'stdout',
  },
  {
    name: 'create with a bad config value',
    args: (c) => [
      'topics',
      '--create',
      '--bootstrap-server',
      c.b,
      '--topic',
      'bad.cfg',
      '--config',
      'retention.ms=soon',
    ],
    exit: 1,
    message: /Invalid value soon for configuration retention\.ms/,
    stream: 'stdout',
  },
  {
    name: 'create with an unknown config',
    args: (c) => [
      'topics',
      '--create',
      '--bootstrap-server',
      c.b,
      '--topic',
      'bad.cfg2',
      '--config',
      'retention.msx=1',
    ],
    exit: 1,
    message: /Unknown topic config name: retention\.msx/,
    stream: 'stdout',
  },
  {
    name: 'create with a malformed --config',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.cfg3', '--config', 'novalue'],
    exit: 1,
    message: /Invalid topic config: all configs to be added must be in the format "key=val"/,
  },
  {
    name: 'delete a topic that does not exist',
    args: (c) => ['topics', '--delete', '--bootstrap-server', c.b, '--topic', 'never.was'],
    exit: 1,
    message: /never\.was/,
    stream: 'stdout',
  },
  {
    name: 'describe a topic that does not exist',
    args: (c) => ['topics', '--describe', '--bootstrap-server', c.b, '--topic', 'never.was'],
    exit: 1,
    message: /never\.was/,
    stream: 'stdout',
  },
  {
    name: 'alter partitions down',
    args: (c) => ['topics', '--alter', '--bootstrap-server', c.b, '--topic', 'exists', '--partitions', '1'],
    exit: 1,
    message: /partitions/,
    stream: 'stdout',
  },
  {
    name: 'alter without --partitions',
    args: (c) => ['topics', '--alter', '--bootstrap-server', c.b, '--topic', 'exists'],
    exit: 1,
    message: /Missing required argument "\[partitions\]"/,
  },
  {
    name: 'partitions given as text',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.text', '--partitions', 'three'],
    exit: 1,
    message: /three/,
  },
  {
    name: 'malformed replica assignment',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.ra', '--replica-assignment', '0:x'],
    exit: 1,
    message: /x|assignment/i,
  },
  {
    name: 'replica assignment naming an unknown broker',
    args: (c) => ['topics', '--create', '--bootstrap-server', c.b, '--topic', 'bad.ra2', '--replica-assignment', '7'],
    exit: 1,
    message: /broker|assignment/i,
  },
  {
    name: 'bad regex in --topic',
    args: (c) => ['topics', '--list', '--bootstrap-server', c.b, '--topic', '(['],
    exit: 1,
    message: /regular expression|Invalid|unterminated/i,
  },
  // connection
  {
    name: 'unreachable broker',
    args: (c) => ['topics', '--list', '--bootstrap-server', `127.0.0.1:${c.deadPort}`],
    exit: 1,
    message: new RegExp('127\\.0\\.0\\.1:\\d+.*(refused|ECONNREFUSED)', 'i'),
  },
  {
    name: 'a port that accepts but never answers',
    args: (c) => [
      'topics',
      '--list',
      '--bootstrap-server',
      `127.0.0.1:${c.silentPort}`,
      '--command-config',
      join(c.dir, 'fast.properties'),
    ],
    exit: 1,
    message: /timed? ?out|timeout/i,
  },
  {
    name: 'unresolvable host',
    args: () => ['topics', '--list', '--bootstrap-server', 'no-such-host.invalid:9092'],
    exit: 1,
    message: /no-such-host\.invalid/,
  },
  {
    name: 'bootstrap server without a port',
    args: () => ['topics', '--list', '--bootstrap-server', 'localhost'],
    exit: 1,
    message: /localhost/,
  },
  {
    name: 'bootstrap server with a bad port',
    args: () => ['topics', '--list', '--bootstrap-server', 'localhost:99999'],
    exit: 1,
    message: /99999/,
  },
  {
    name: 'TLS against a plaintext listener',
    args: (c) => ['topics', '--list', '--bootstrap-server', c.b, '--command-config', join(c.dir, 'ssl.properties')],
    exit: 1,
    message: /TLS|SSL/i,
  },
  {
    name: 'missing --command-config file',
    args: (c) => ['topics', '--list', '--bootstrap-server', c.b, '--command-config', join(c.dir, 'nope.properties')],
    exit: 1,
    message: /nope\.properties/,
  },
  {
    name: 'malformed --command-config file',
    args: (c) => ['topics', '--list', '--bootstrap-server', c.b, '--command-config', join(c.dir, 'bad.properties')],
    exit: 1,
    message: /bad\.properties.*line 2|line 2.*bad\.properties/,
  },
  {
    name: 'unknown security.protocol',
    args: (c) => ['topics', '--list', '--bootstrap-server', c.b, '--command-config', join(c.dir, 'proto.properties')],
    exit: 1,
    message: /security\.protocol/,
  },
  {
    name: 'SASL without credentials',
    args: (c) => ['topics', '--list', '--bootstrap-server', c.b, '--command-config', join(c.dir, 'sasl.properties')],
    exit: 1,
    message: /sasl/i,
  },
  {
    name: 'malformed --producer.config',
    args: (c) => [
      'console-producer',
      '--bootstrap-server',
      c.b,
      '--topic',
      't',
      '--producer.config',
      join(c.dir, 'bad.properties'),
    ],
    exit: 1,
    message: /line 2/,
  },
  // console tools
  {
    name: 'consumer with neither --topic nor --include',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b],
    exit: 1,
    message: /Exactly one of include\/topic is required\./,
  },
  {
    name: 'consumer with both --topic and --include',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 'a', '--include', 'b'],
    exit: 1,
    message: /Exactly one of include\/topic is required\./,
  },
  {
    name: 'consumer --offset without --partition',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 'a', '--offset', '1'],
    exit: 1,
    message: /The partition is required when offset is specified\./,
  },
  {
    name: 'consumer --partition without --topic',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--include', 'a', '--partition', '0'],
    exit: 1,
    message: /The topic is required when partition is specified\./,
  },
  {
    name: 'consumer negative offset',
    args: (c) => [
      'console-consumer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--partition',
      '0',
      '--offset',
      '-5',
    ],
    exit: 1,
    message: /The provided offset value '-5' is incorrect/,
  },
  {
    name: 'consumer --from-beginning with --offset',
    args: (c) => [
      'console-consumer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--partition',
      '0',
      '--offset',
      '1',
      '--from-beginning',
    ],
    exit: 1,
    message: /Options from-beginning and offset cannot be specified together\./,
  },
  {
    name: 'consumer --group with --partition',
    args: (c) => [
      'console-consumer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--partition',
      '0',
      '--group',
      'g',
    ],
    exit: 1,
    message: /Options group and partition cannot be specified together\./,
  },
  {
    name: 'consumer of a missing topic',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 'never.was', '--until-end'],
    exit: 1,
    message: /never\.was/,
  },
  {
    name: 'consumer with a bad --from-time',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 'exists', '--from-time', 'yesterday-ish'],
    exit: 1,
    message: /Invalid time 'yesterday-ish'/,
  },
  {
    name: 'consumer with a bad --grep',
    args: (c) => ['console-consumer', '--bootstrap-server', c.b, '--topic', 'exists', '--grep', '(['],
    exit: 1,
    message: /Invalid regular expression/,
  },
  {
    name: 'consumer with an unknown deserializer',
    args: (c) => [
      'console-consumer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--value-deserializer',
      'com.example.Nope',
    ],
    exit: 1,
    message: /Unknown deserializer com\.example\.Nope/,
  },
  {
    name: 'consumer conflicting group ids',
    args: (c) => [
      'console-consumer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--group',
      'a',
      '--consumer-property',
      'group.id=b',
    ],
    exit: 1,
    message: /do not match\. Detected group ids: 'a', 'b'/,
  },
  {
    name: 'consumer --from-beginning against auto.offset.reset=latest',
    args: (c) => [
      'console-consumer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--from-beginning',
      '--consumer-property',
      'auto.offset.reset=latest',
    ],
    exit: 1,
    message: /Can't simultaneously specify --from-beginning and 'auto\.offset\.reset=latest'/,
  },
  {
    name: 'producer line without key separator',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists', '--property', 'parse.key=true'],
    input: 'no separator here\n',
    exit: 1,
    message: /No key separator found on line number 1: 'no separator here'/,
  },
  {
    name: 'producer with clashing separators',
    args: (c) => [
      'console-producer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--property',
      'headers.separator=:',
    ],
    input: 'x\n',
    exit: 1,
    message: /headers\.separator and headers\.key\.separator may not be equal/,
  },
  {
    name: 'producer invalid JSON line',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists', '--input', 'jsonl'],
    input: '{"value": "ok"}\n{not json}\n',
    exit: 1,
    message: /Invalid JSON record on line number 2/,
  },
  {
    name: 'producer JSON with bad hex',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists', '--input', 'jsonl'],
    input: '{"value": {"hex": "zz"}}\n',
    exit: 1,
    message: /invalid hex/,
  },
  {
    name: 'producer record over the size limit',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'small'],
    input: `${'y'.repeat(400)}\n`,
    exit: 1,
    message: /MESSAGE_TOO_LARGE.*max\.message\.bytes \(300\)/,
  },
  {
    name: 'producer to a partition that does not exist',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists', '--partition', '9'],
    input: 'x\n',
    exit: 1,
    message: /Partition 9 does not exist/,
  },
  {
    name: 'producer with bad acks',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists', '--request-required-acks', '2'],
    input: 'x\n',
    exit: 2,
    message: /--request-required-acks/,
  },
  {
    name: 'producer with unknown line reader',
    args: (c) => [
      'console-producer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--line-reader',
      'com.example.Reader',
    ],
    input: 'x\n',
    exit: 1,
    message: /com\.example\.Reader/,
  },
  {
    name: 'producer with a bad --producer-property',
    args: (c) => [
      'console-producer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--producer-property',
      'linger.ms',
    ],
    input: 'x\n',
    exit: 2,
    message: /linger\.ms/,
  },
  {
    name: 'producer reading a directory on stdin',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists'],
    stdinDirectory: (c) => c.dir,
    exit: 1,
    message: /^Error: Cannot read standard input: it is a directory \(EISDIR\)\n$/,
  },
  {
    name: 'producer with non-numeric linger.ms',
    args: (c) => [
      'console-producer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--producer-property',
      'linger.ms=soon',
    ],
    input: 'x\n',
    exit: 1,
    message: /linger\.ms/,
  },
  {
    name: 'producer-perf-test without payload',
    args: (c) => [
      'producer-perf-test',
      '--topic',
      't',
      '--num-records',
      '1',
      '--throughput',
      '-1',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /Either --record-size or --payload-file must be specified but not both\./,
  },
  {
    name: 'producer-perf-test with --transaction-duration-ms 0',
    args: (c) => [
      'producer-perf-test',
      '--topic',
      't',
      '--num-records',
      '1',
      '--record-size',
      '1',
      '--throughput',
      '-1',
      '--bootstrap-server',
      c.b,
      '--transaction-duration-ms',
      '0',
    ],
    exit: 1,
    message: /^Error: --transaction-duration-ms should be greater than zero\n$/,
  },
  {
    name: 'producer-perf-test with a non-numeric --transaction-duration-ms',
    args: (c) => [
      'producer-perf-test',
      '--topic',
      't',
      '--num-records',
      '1',
      '--record-size',
      '1',
      '--throughput',
      '-1',
      '--bootstrap-server',
      c.b,
      '--transaction-duration-ms',
      'soon',
    ],
    exit: 1,
    message: /^Error: argument --transaction-duration-ms: could not convert 'soon' to Long\n$/,
  },
  {
    name: 'transactional producer without idempotence',
    args: (c) => [
      'console-producer',
      '--bootstrap-server',
      c.b,
      '--topic',
      'exists',
      '--transactional-id',
      'tx',
      '--producer-property',
      'enable.idempotence=false',
    ],
    input: 'x\n',
    exit: 1,
    message: /^Error: Cannot set a transactional\.id without also enabling idempotence\.\n$/,
  },
  {
    name: '--transaction-size without a transactional id',
    args: (c) => ['console-producer', '--bootstrap-server', c.b, '--topic', 'exists', '--transaction-size', '10'],
    input: 'x\n',
    exit: 1,
    message: /^Error: --transaction-size needs --transactional-id/,
  },
  {
    name: 'producer-perf-test with a missing payload file',
    args: (c) => [
      'producer-perf-test',
      '--topic',
      't',
      '--num-records',
      '1',
      '--throughput',
      '-1',
      '--bootstrap-server',
      c.b,
      '--payload-file',
      join(c.dir, 'missing.txt'),
    ],
    exit: 1,
    message: /missing\.txt/,
  },
  {
    name: 'consumer-perf-test of a missing topic',
    args: (c) => ['consumer-perf-test', '--bootstrap-server', c.b, '--topic', 'never.was', '--messages', '1'],
    exit: 1,
    message: /never\.was/,
  },
  // consumer-groups
  {
    name: 'consumer-groups with no action',
    args: (c) => ['consumer-groups', '--bootstrap-server', c.b],
    exit: 1,
    message: /Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets/,
  },
  {
    name: 'consumer-groups --describe without a group',
    args: (c) => ['consumer-groups', '--describe', '--bootstrap-server', c.b],
    exit: 1,
    message: /Option \[describe\] takes one of these options: \[all-groups\], \[group\]/,
  },
  {
    name: 'reset-offsets without a scenario',
    args: (c) => ['consumer-groups', '--reset-offsets', '--group', 'g', '--topic', 'exists', '--bootstrap-server', c.b],
    exit: 1,
    message: /--to-datetime|scenario|one of/i,
  },
  {
    name: 'reset-offsets without a scope',
    args: (c) => ['consumer-groups', '--reset-offsets', '--group', 'g', '--to-earliest', '--bootstrap-server', c.b],
    exit: 1,
    message: /One of the reset scopes should be defined: --all-topics, --topic\./,
  },
  // Kafka's group tool reports a failed command on stdout and exits 0; nothing is reset.
  {
    name: 'reset-offsets --to-datetime with month 13 (was rolled over into next year)',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--to-datetime',
      '2099-13-45T00:00:00.000',
      '--execute',
      '--bootstrap-server',
      c.b,
    ],
    exit: 0,
    stream: 'stdout',
    message: /Unparseable date: "2099-13-45T00:00:00\.000Z"/,
  },
  {
    name: 'reset-offsets --to-datetime on February 30',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--to-datetime',
      '2026-02-30T00:00:00.000',
      '--dry-run',
      '--bootstrap-server',
      c.b,
    ],
    exit: 0,
    stream: 'stdout',
    message: /Unparseable date/,
  },
  {
    name: 'reset-offsets --to-datetime at hour 99',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--to-datetime',
      '2026-01-01T99:00:00.000',
      '--dry-run',
      '--bootstrap-server',
      c.b,
    ],
    exit: 0,
    stream: 'stdout',
    message: /Unparseable date/,
  },
  {
    name: 'reset-offsets --to-datetime in zone +25:00',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--to-datetime',
      '2026-01-01T00:00:00.000+25:00',
      '--dry-run',
      '--bootstrap-server',
      c.b,
    ],
    exit: 0,
    stream: 'stdout',
    message: /Unparseable date/,
  },
  {
    name: 'reset-offsets with a bad --to-offset',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--to-offset',
      'many',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /many/,
  },
  {
    name: 'reset-offsets plan with a negative offset',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--from-file',
      join(c.dir, 'negative.csv'),
      '--execute',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /^Invalid negative offset\n$/,
  },
  {
    name: 'reset-offsets --shift-by beyond a Java long',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--shift-by',
      '9223372036854775808',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /Cannot parse argument '9223372036854775808' of option shift-by/,
  },
  {
    name: 'reset-offsets --shift-by below a Java long',
    args: (c) => [
      'consumer-groups',
      '--reset-offsets',
      '--group',
      'g',
      '--topic',
      'exists',
      '--shift-by',
      '-9223372036854775809',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /Cannot parse argument '-9223372036854775809' of option shift-by/,
  },
  // admin tools
  {
    name: 'configs without an entity type',
    args: (c) => ['configs', '--describe', '--bootstrap-server', c.b],
    exit: 1,
    message: /At least one entity type must be specified/,
  },
  {
    name: 'configs with an unknown entity type',
    args: (c) => ['configs', '--describe', '--entity-type', 'planets', '--entity-name', 'x', '--bootstrap-server', c.b],
    exit: 1,
    message: /Invalid entity type planets/,
  },
  {
    name: 'configs alter of a missing topic',
    args: (c) => [
      'configs',
      '--alter',
      '--topic',
      'never.was',
      '--add-config',
      'retention.ms=1',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /Topic 'never\.was' does not exist\./,
  },
  {
    name: 'configs alter of sasl.users (masked)',
    args: (c) => [
      'configs',
      '--alter',
      '--entity-type',
      'brokers',
      '--entity-default',
      '--add-config',
      'sasl.users=alice:pw-catalog-1',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message:
      /^Error while executing config command with args '[^']*--add-config sasl\.users=\*{8} [^']*': (?!.*pw-catalog-1).*\n$/,
  },
  {
    name: 'configs alter with a bad value',
    args: (c) => [
      'configs',
      '--alter',
      '--topic',
      'exists',
      '--add-config',
      'retention.ms=soon',
      '--bootstrap-server',
      c.b,
    ],
    exit: 1,
    message: /retention\.ms/,
  },
  {
    name: 'get-offsets with a malformed --time',
    args: (c) => ['get-offsets', '--bootstrap-server', c.b, '--time', 'yesterday'],
    exit: 1,
    message: /Malformed time argument yesterday/,
  },
  {
    name: 'delete-records with malformed JSON',
    args: (c) => ['delete-records', '--bootstrap-server', c.b, '--offset-json-file', join(c.dir, 'bad.json')],
    exit: 1,
    message: /The input string is not a valid JSON/,
  },
  {
    name: 'delete-records without --offset-json-file',
    args: (c) => ['delete-records', '--bootstrap-server', c.b],
    exit: 1,
    message: /Missing required argument "\[offset-json-file\]"/,
  },
  {
    name: 'log-dirs without --describe',
    args: (c) => ['log-dirs', '--bootstrap-server', c.b],
    exit: 1,
    message: /Missing required argument "\[describe\]"/,
  },
  // broker lifecycle
  {
    name: 'server-start with a missing properties file',
    args: (c) => ['server-start', join(c.dir, 'none.properties')],
    exit: 1,
    message: /none\.properties/,
  },
  {
    name: 'server-start with a bad --override',
    args: () => ['server-start', '--override', 'nokey'],
    exit: 2,
    message: /nokey/,
  },
  {
    name: 'server-start with a malformed listener',
    args: (c) => [
      'server-start',
      '--override',
      'listeners=localhost:9092',
      '--override',
      `log.dirs=${join(c.dir, 'ld')}`,
    ],
    exit: 1,
    message: /listener/i,
  },
];

/** Run node with standard input opened on a path (a directory: `ktool ... < /tmp`). */
async function runWithStdin(
  path: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const fd = openSync(path, 'r');
  try {
    const child = spawn(process.execPath, args, { env, stdio: [fd, 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    clearTimeout(timer);
    return { code, stdout: Buffer.concat(out), stderr };
  } finally {
    closeSync(fd);
  }
}

describe('bad input catalog', () => {
  let broker: TestBroker;
  let silent: Server;
  const ctx: Ctx = { b: '', dir: '', silentPort: 0, deadPort: 0 };

  before(async () => {
    broker = await startTestBroker();
    ctx.b = broker.bootstrap;
    ctx.dir = tempDir();
    silent = createServer(() => {
      /* accepts and never answers */
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    ctx.silentPort = (silent.address() as { port: number }).port;
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    ctx.deadPort = (dead.address() as { port: number }).port;
    await new Promise<void>((r) => dead.close(() => r()));
    writeFileSync(join(ctx.dir, 'bad.properties'), 'client.id=ok\n=no key here\n');
    writeFileSync(join(ctx.dir, 'bad.json'), '{bad');
    writeFileSync(join(ctx.dir, 'negative.csv'), 'exists,0,1\nexists,1,-5\n');
    writeFileSync(join(ctx.dir, 'fast.properties'), 'request.timeout.ms=1500\n');
    writeFileSync(join(ctx.dir, 'ssl.properties'), 'security.protocol=SSL\nrequest.timeout.ms=3000\n');
    writeFileSync(join(ctx.dir, 'proto.properties'), 'security.protocol=CARRIER_PIGEON\n');
    writeFileSync(join(ctx.dir, 'sasl.properties'), 'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n');
    const ok = await run(process.execPath, [
      BIN,
      'topics',
      '--create',
      '--bootstrap-server',
      ctx.b,
      '--topic',
      'exists',
      '--partitions',
      '2',
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const small = await run(process.execPath, [
      BIN,
      'topics',
      '--create',
      '--bootstrap-server',
      ctx.b,
      '--topic',
      'small',
      '--config',
      'max.message.bytes=300',
    ]);
    assert.equal(small.code, 0, small.stderr);
  });
  after(async () => {
    silent?.close();
    await broker?.destroy();
  });

  test(`the catalog has at least 60 cases (${CASES.length})`, () => {
    assert.ok(CASES.length >= 60);
    assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length, 'case names are unique');
  });

  for (const c of CASES) {
    test(c.name, async () => {
      const started = Date.now();
      const env = { ...process.env, NO_COLOR: '1', KTOOL_NO_EMBEDDED: '1' };
      const r = c.stdinDirectory
        ? await runWithStdin(c.stdinDirectory(ctx), [BIN, ...c.args(ctx)], env)
        : await run(process.execPath, [BIN, ...c.args(ctx)], { input: c.input, timeoutMs: 20_000, env });
      const stderr = r.stderr;
      // Kafka's topic tool prints its errors on stdout; the rest go to stderr.
      const text = c.stream === 'stdout' ? r.stdout.toString() : `${stderr}${r.stdout.toString()}`;
      assert.equal(r.code, c.exit, `exit code; stderr: ${stderr}; stdout: ${r.stdout.toString().slice(0, 500)}`);
      assert.match(text, c.message);
      assert.doesNotMatch(stderr, /^\s+at .+\(.*:\d+:\d+\)$/m, 'no stack trace');
      const errorLines = stderr.split('\n').filter((l) => /^(Error|ERROR)\b/.test(l));
      assert.ok(errorLines.length <= 1 || c.name.startsWith('producer'), `one error line, got: ${stderr}`);
      assert.ok(Date.now() - started < 15_000, 'fails promptly');
    });
  }
});
