/**
 * ktool broker-api-versions: the counterpart of
 * kafka-broker-api-versions.sh. Prints, for every broker, the API version
 * ranges it supports and the newest version a Kafka 3.9 client would use.
 */
import { BaseCommand } from '../cli/base-command.js';
import { connectionFlags } from '../cli/connection-flags.js';
import { runTool, writeOut } from '../cli/runner.js';

export default class BrokerApiVersions extends BaseCommand<typeof BrokerApiVersions> {
  static override summary = 'Show the API versions each broker supports (kafka-broker-api-versions.sh).';

  static override description = `Asks every broker of the cluster for its supported API versions and prints them as kafka-broker-api-versions.sh does: a "host:port (id: N rack: R) -> (" line, one line per API with the broker's range and the usable version (the newest both the broker and a Kafka 3.9 client know), "UNSUPPORTED" for the APIs the broker lacks, and ")".`;

  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --bootstrap-server broker1:9092 --json',
  ];

  static override flags = { ...connectionFlags };

  public async run(): Promise<import('../views/api-versions.js').BrokerApiVersionsListJson | undefined> {
    return runTool(this, this.flags, async (session) => {
      const [ops, views] = await Promise.all([import('../ops/api-versions.js'), import('../views/api-versions.js')]);
      const brokers = await ops.listBrokerApiVersions(await session.connect());
      if (!this.jsonEnabled()) writeOut(views.renderBrokerApiVersions(brokers));
      return views.brokerApiVersionsJson(brokers);
    });
  }
}
