// ktool transactions describe: kafka-transactions.sh describe.
import { BaseCommand } from '../../cli/base-command.js';
import { runTransactions, transactionsFlags } from '../../cli/transactions-command.js';

export default class TransactionsDescribe extends BaseCommand<typeof TransactionsDescribe> {
  static override summary = 'Describe the state of a transactional id (kafka-transactions.sh describe).';

  static override description =
    "Prints the coordinator, producer id and epoch, state, timeout, start time, duration and partitions of a transactional id, in Kafka's table.";

  static override examples = ['<%= config.bin %> <%= command.id %> --transactional-id my-app-tx'];

  static override flags = transactionsFlags['describe'];

  public async run(): Promise<unknown> {
    return runTransactions(this, 'describe', this.flags);
  }
}
