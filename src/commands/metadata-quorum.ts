// ktool metadata-quorum: kafka-metadata-quorum.sh (describe --status | --replication).
import { BaseCommand } from '../cli/base-command.js';
import { runTool, writeOut } from '../cli/runner.js';
import { metadataQuorumArgs, metadataQuorumFlags } from '../tools/metadata-quorum/flags.js';
import type { MetadataQuorumResult } from '../tools/metadata-quorum/run.js';

export default class MetadataQuorum extends BaseCommand<typeof MetadataQuorum> {
  static override summary = "Describe a KRaft cluster's metadata quorum (kafka-metadata-quorum.sh).";

  static override description =
    'describe --status prints the quorum leader, epoch, high watermark, follower lag and the voters and observers; describe --replication prints each replica of __cluster_metadata with its log end offset, lag and fetch times, as kafka-metadata-quorum.sh does.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe --status',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 describe --replication --human-readable',
  ];

  static override args = metadataQuorumArgs;
  static override flags = metadataQuorumFlags;

  public async run(): Promise<MetadataQuorumResult | undefined> {
    const f = this.flags;
    const flags = { ...f, 'bootstrap-server': f['bootstrap-server'] ?? f['bootstrap-controller'] };
    return runTool(this, flags, async (session) => {
      const { runMetadataQuorum } = await import('../tools/metadata-quorum/run.js');
      return runMetadataQuorum(
        {
          command: this.args.command,
          bootstrapServer: f['bootstrap-server'],
          bootstrapController: f['bootstrap-controller'],
          status: f.status,
          replication: f.replication,
          humanReadable: f['human-readable'],
        },
        session,
        (text) => {
          if (!this.jsonEnabled()) writeOut(text);
        },
      );
    });
  }
}
