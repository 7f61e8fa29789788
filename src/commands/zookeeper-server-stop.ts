/**
 * ktool zookeeper-server-stop: stops the KRaft controller `ktool zookeeper-server-start` runs
 * in ZooKeeper's place (zookeeper-server-stop.sh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaseCommand } from '../cli/base-command.js';
import type { ServerStopResult } from './server-stop.js';

const ZOOKEEPER_CONTROLLER_ID = '3000';

function isZooKeeperController(dataDir: string): boolean {
  try {
    return new RegExp(`^node\\.id=${ZOOKEEPER_CONTROLLER_ID}$`, 'm').test(
      readFileSync(join(dataDir, 'meta.properties'), 'utf8'),
    );
  } catch {
    return false;
  }
}

export default class ZookeeperServerStop extends BaseCommand<typeof ZookeeperServerStop> {
  static override summary = 'Stop the controller that stands in for ZooKeeper (zookeeper-server-stop.sh).';

  static override description =
    'Stops the KRaft controller started by "ktool zookeeper-server-start". Prints nothing on success; "No zookeeper server to stop" and exit status 1 when none runs, like the script.';

  public async run(): Promise<ServerStopResult> {
    const daemon = await import('../supervision/daemon.js');
    const running = (await daemon.findRunningBrokers()).filter((b) => isZooKeeperController(b.dataDir));
    if (running.length === 0) {
      this.log('No zookeeper server to stop');
      this.exit(1);
    }
    const stopped: ServerStopResult['stopped'] = [];
    for (const node of running) {
      await daemon.stopBroker(node);
      stopped.push({ pid: node.pid, dataDir: node.dataDir });
    }
    return { stopped };
  }
}
