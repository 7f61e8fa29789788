// ktool transactions describe-producers: kafka-transactions.sh describe-producers.
import { BaseCommand } from '../../cli/base-command.js';
import { transactionsFlags } from '../../tools/transactions/flags.js';
import { runTransactions, type TransactionsResult } from '../../tools/transactions/run.js';

export default class TransactionsDescribeProducers extends BaseCommand<typeof TransactionsDescribeProducers> {
  static override summary = 'Describe the active producers of a partition (kafka-transactions.sh describe-producers).';

  static override description =
    'Prints each producer the partition leader knows: epoch, latest coordinator epoch, last sequence and timestamp, and the start offset of its open transaction.';

  static override examples = ['<%= config.bin %> <%= command.id %> --topic orders --partition 0'];

  static override flags = transactionsFlags['describe-producers'];

  public async run(): Promise<TransactionsResult | undefined> {
    return runTransactions(this, 'describe-producers', this.flags);
  }
}
