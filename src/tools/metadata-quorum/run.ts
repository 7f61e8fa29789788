/**
 * kafka-metadata-quorum.sh's argument checks (with its own messages) and its run: describe
 * --status or --replication over DescribeQuorum.
 */
import { UsageError } from '../../ops/tool-errors.js';
import type { ToolSession } from '../../cli/runner.js';
import type { QuorumReplicationJson, QuorumStatusJson } from '../../views/metadata-quorum.js';

export interface MetadataQuorumOptions {
  command: string | undefined;
  bootstrapServer: string | undefined;
  bootstrapController: string | undefined;
  status: boolean;
  replication: boolean;
  humanReadable: boolean;
}

export type MetadataQuorumResult =
  { kind: 'status'; status: QuorumStatusJson } | { kind: 'replication'; replication: QuorumReplicationJson };

export function checkMetadataQuorum(o: MetadataQuorumOptions): void {
  if (o.bootstrapServer === undefined && o.bootstrapController === undefined)
    throw new UsageError('one of the arguments --bootstrap-server --bootstrap-controller is required');
  if (o.bootstrapServer !== undefined && o.bootstrapController !== undefined)
    throw new UsageError('argument --bootstrap-controller: not allowed with argument --bootstrap-server');
  if (o.bootstrapController !== undefined)
    throw new UsageError(
      "--bootstrap-controller is not supported: ktool's controllers answer only the quorum's own requests; use --bootstrap-server with any broker",
    );
  if (o.command === undefined) throw new UsageError('too few arguments');
  if (o.command !== 'describe')
    throw new UsageError(`argument command: invalid choice: '${o.command}' (choose from 'describe')`);
  if (o.status && o.replication)
    throw new UsageError('Only one of --status or --replication should be specified with describe sub-command');
  if (!o.status && !o.replication)
    throw new UsageError('One of --status or --replication must be specified with describe sub-command');
  if (o.status && o.humanReadable)
    throw new UsageError('The option --human-readable is only supported along with --replication');
}

export async function runMetadataQuorum(
  o: MetadataQuorumOptions,
  session: ToolSession,
  print: (text: string) => void,
): Promise<MetadataQuorumResult> {
  checkMetadataQuorum(o);
  const [ops, views] = await Promise.all([
    import('../../ops/metadata-quorum.js'),
    import('../../views/metadata-quorum.js'),
  ]);
  const quorum = await ops.describeQuorum(await session.connect());
  if (o.status) {
    const status = views.quorumStatus(quorum);
    print(views.renderQuorumStatus(status));
    return { kind: 'status', status };
  }
  const replication = views.quorumReplication(quorum);
  print(views.renderQuorumReplication(replication, o.humanReadable));
  return { kind: 'replication', replication };
}
