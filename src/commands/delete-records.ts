/**
 * ktool delete-records: the counterpart of kafka-delete-records.sh. Deletes
 * the records before the offsets listed in Kafka's offset JSON file.
 */
import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { runTool, stderrLine, writeOut } from '../cli/runner.js';

export default class DeleteRecords extends BaseCommand<typeof DeleteRecords> {
  static override summary = 'Delete records up to given offsets (kafka-delete-records.sh).';

  static override description = `Moves the start of each listed partition forward so the records before the given offset are gone. The file uses Kafka's format:

  {"partitions": [{"topic": "orders", "partition": 0, "offset": 3}], "version": 1}

An offset of -1 means the partition's high watermark (delete everything). The output matches kafka-delete-records.sh: one "partition: <topic>-<n>" line per partition with its new low watermark or the error.`;

  static override examples = ['<%= config.bin %> <%= command.id %> --offset-json-file offsets.json'];

  static override flags = {
    ...connectionFlags,
    'offset-json-file': Flags.string({
      description:
        'The JSON file listing, per partition, the offset before which records are deleted (see the description for the format).',
      helpValue: '<file>',
    }),
  };

  public async run(): Promise<import('../views/delete-records.js').DeleteRecordsJson | undefined> {
    const flags = this.flags;
    return runTool(
      this,
      flags,
      async (session) => {
        const [ops, views, { UsageError }] = await Promise.all([
          import('../ops/delete-records.js'),
          import('../views/delete-records.js'),
          import('../ops/admin-errors.js'),
        ]);
        const file = flags['offset-json-file'];
        if (file === undefined) throw new UsageError('Missing required argument "[offset-json-file]"');
        const records = await ops.readOffsetJsonFile(file);
        const dups = ops.duplicatePartitions(records);
        if (dups.length > 0) throw new UsageError(views.duplicatesMessage(dups), 'DUPLICATE_PARTITIONS');
        const client = await session.connect();
        const json = this.jsonEnabled();
        if (!json) writeOut(views.EXECUTING_LINE);
        const outcomes = await ops.deleteRecords(client, records);
        if (!json) writeOut(views.COMPLETED_LINE + views.renderDeleteOutcomes(outcomes));
        return views.deleteRecordsJson(outcomes);
      },
      stderrLine((message, kind) => (kind === 'usage' ? `${message}\n` : `Error: ${message}\n`)),
    );
  }
}
