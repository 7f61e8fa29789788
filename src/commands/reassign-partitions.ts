// ktool reassign-partitions: kafka-reassign-partitions.sh (generate, execute, verify, cancel, list).
import { BaseCommand } from '../cli/base-command.js';
import { runTool, writeErr, writeOut, type Wording } from '../cli/runner.js';
import { reassignPartitionsFlags } from '../tools/reassign-partitions/flags.js';
import type { ReassignPartitionsResult } from '../tools/reassign-partitions/run.js';

/** Kafka's tool prints argument errors on stderr and failed operations on stdout, exiting 1. */
const wording: Wording = ({ kind, message, error }) => {
  if (kind === 'usage') return { stream: 'stderr', text: `${message}\n`, exitCode: 1 };
  const terse = (error as { terse?: boolean }).terse === true;
  return { stream: 'stdout', text: terse ? `${message}\n` : `Error: ${message}\n`, exitCode: 1 };
};

export default class ReassignPartitions extends BaseCommand<typeof ReassignPartitions> {
  static override summary = 'Move partition replicas between brokers (kafka-reassign-partitions.sh).';

  static override description =
    'This tool helps to move topic partitions between replicas: --generate proposes an assignment for a list of topics and brokers, --execute starts one from a JSON file, --verify reports its progress, --cancel reverts it, and --list shows those in progress. Throttles are accepted and not applied.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --generate --topics-to-move-json-file topics.json --broker-list 1,2,3',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --execute --reassignment-json-file plan.json',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --verify --reassignment-json-file plan.json',
  ];

  static override flags = reassignPartitionsFlags;

  public async run(): Promise<ReassignPartitionsResult | undefined> {
    const f = this.flags;
    const given = Object.entries(f)
      .filter(([, v]) => v !== undefined && v !== false)
      .map(([k]) => k);
    return runTool(
      this,
      f,
      async (session) => {
        const { runReassignPartitions } = await import('../tools/reassign-partitions/run.js');
        return runReassignPartitions(
          {
            actions: { generate: f.generate, execute: f.execute, verify: f.verify, cancel: f.cancel, list: f.list },
            bootstrapServer: f['bootstrap-server'],
            bootstrapController: f['bootstrap-controller'],
            reassignmentJsonFile: f['reassignment-json-file'],
            topicsToMoveJsonFile: f['topics-to-move-json-file'],
            brokerList: f['broker-list'],
            given,
            throttled: f.throttle !== undefined || f['replica-alter-log-dirs-throttle'] !== undefined,
            additional: f.additional,
            preserveThrottles: f['preserve-throttles'],
          },
          session,
          (text) => {
            if (!this.jsonEnabled()) writeOut(text);
          },
          (text) => writeErr(text),
        );
      },
      wording,
    );
  }
}
