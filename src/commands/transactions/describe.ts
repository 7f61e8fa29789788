// ktool transactions describe: kafka-transactions.sh describe.
import { BaseCommand } from '../../cli/base-command.js';
import { transactionsFlags } from '../../tools/transactions/flags.js';
import { runTransactions, type TransactionsResult } from '../../tools/transactions/run.js';

export default class TransactionsDescribe extends BaseCommand<typeof TransactionsDescribe> {
  static override summary = 'Describe the state of a transactional id (kafka-transactions.sh describe).';

  static override description =
    "Prints the coordinator, producer id and epoch, state, timeout, start time, duration and partitions of a transactional id, in Kafka's table.";

  static override examples = ['<%= config.bin %> <%= command.id %> --transactional-id my-app-tx'];

  static override flags = transactionsFlags['describe'];

  public async run(): Promise<TransactionsResult | undefined> {
    return runTransactions(this, 'describe', this.flags);
  }
}
