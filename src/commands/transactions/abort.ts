// ktool transactions abort: kafka-transactions.sh abort.
import { BaseCommand } from '../../cli/base-command.js';
import { transactionsFlags } from '../../tools/transactions/flags.js';
import { runTransactions, type TransactionsResult } from '../../tools/transactions/run.js';

export default class TransactionsAbort extends BaseCommand<typeof TransactionsAbort> {
  static override summary = 'Abort a hanging transaction (kafka-transactions.sh abort).';

  static override description =
    'Writes an ABORT marker for the open transaction of a partition, found by its --start-offset (as describe-producers or find-hanging show it), or named by --producer-id, --producer-epoch and --coordinator-epoch.';

  static override examples = ['<%= config.bin %> <%= command.id %> --topic orders --partition 0 --start-offset 42'];

  static override flags = transactionsFlags['abort'];

  public async run(): Promise<TransactionsResult | undefined> {
    return runTransactions(this, 'abort', this.flags);
  }
}
