// ktool transactions list: kafka-transactions.sh list.
import { BaseCommand } from '../../cli/base-command.js';
import { transactionsFlags } from '../../tools/transactions/flags.js';
import { runTransactions, type TransactionsResult } from '../../tools/transactions/run.js';

export default class TransactionsList extends BaseCommand<typeof TransactionsList> {
  static override summary = 'List transactions (kafka-transactions.sh list).';

  static override description =
    "Lists the transactional ids every broker coordinates, with the producer id and state, in Kafka's table. --duration-filter keeps those running longer than the given milliseconds.";

  static override examples = ['<%= config.bin %> <%= command.id %> --duration-filter 60000'];

  static override flags = transactionsFlags['list'];

  public async run(): Promise<TransactionsResult | undefined> {
    return runTransactions(this, 'list', this.flags);
  }
}
