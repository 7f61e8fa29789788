// ktool leader-election: kafka-leader-election.sh (preferred or unclean leader elections).
import { BaseCommand } from '../cli/base-command.js';
import { runTool, writeOut } from '../cli/runner.js';
import { leaderElectionFlags } from '../tools/leader-election/flags.js';
import type { LeaderElectionResult } from '../tools/leader-election/run.js';

export default class LeaderElection extends BaseCommand<typeof LeaderElection> {
  static override summary =
    'Elect partition leaders: preferred replicas or, for leaderless partitions, unclean (kafka-leader-election.sh).';

  static override description =
    'This tool attempts to elect a new leader for a set of topic partitions. The type of elections supported are preferred replicas and unclean replicas.';

  static override examples = [
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --election-type preferred --all-topic-partitions',
    '<%= config.bin %> <%= command.id %> --bootstrap-server localhost:9092 --election-type unclean --topic orders --partition 0',
  ];

  static override flags = leaderElectionFlags;

  public async run(): Promise<LeaderElectionResult | undefined> {
    const f = this.flags;
    const flags = { ...f, 'command-config': f['command-config'] ?? f['admin.config'] };
    return runTool(this, flags, async (session) => {
      const { runLeaderElection } = await import('../tools/leader-election/run.js');
      return runLeaderElection(
        {
          electionType: f['election-type'],
          topic: f.topic,
          partition: f.partition,
          allTopicPartitions: f['all-topic-partitions'],
          pathToJsonFile: f['path-to-json-file'],
        },
        session,
        (text) => {
          if (!this.jsonEnabled()) writeOut(text);
        },
      );
    });
  }
}
