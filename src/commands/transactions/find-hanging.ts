// ktool transactions find-hanging: kafka-transactions.sh find-hanging.
import { BaseCommand } from '../../cli/base-command.js';
import { transactionsFlags } from '../../tools/transactions/flags.js';
import { runTransactions, type TransactionsResult } from '../../tools/transactions/run.js';

export default class TransactionsFindHanging extends BaseCommand<typeof TransactionsFindHanging> {
  static override summary = 'Find hanging transactions (kafka-transactions.sh find-hanging).';

  static override description =
    'Lists transactions open in a partition for longer than --max-transaction-timeout minutes (default 15) that their coordinator no longer counts as ongoing there. Needs --topic (optionally --partition) or --broker-id.';

  static override examples = ['<%= config.bin %> <%= command.id %> --broker-id 0 --max-transaction-timeout 5'];

  static override flags = transactionsFlags['find-hanging'];

  public async run(): Promise<TransactionsResult | undefined> {
    return runTransactions(this, 'find-hanging', this.flags);
  }
}
