/**
 * ktool configs, the counterpart of kafka-configs.sh: one action, run
 * through the base command's runner.
 *
 * Output streams follow Kafka's ConfigCommand:
 * - results on stdout;
 * - argument and input mistakes (and an API the cluster does not offer):
 *   the bare message on stderr, exit 1;
 * - a failed operation: "Error while executing config command with args
 *   '<args>'" on stderr, exit 1. Kafka follows that line with a stack
 *   trace; ktool appends the reason to the same line instead (": <reason>").
 * Secrets given in --add-config (SCRAM passwords, PASSWORD-type configs,
 * sasl.users, JAAS configs: ops/configs.ts isSecretConfig) never appear in
 * any output: they are masked in the echoed arguments and the JSON result,
 * and registered with the redaction layer for error messages.
 */
import { runTool, stderrLine, writeErr, writeOut, type FailureKind, type ToolHost } from '../../cli/runner.js';
import type { ConfigsAlterJson, ConfigsDescribeJson, UsersDescribeJson } from '../../views/configs.js';
import { checkConfigsArgs, echoedArgs } from './checks.js';
import type { ConfigsAction, ConfigsFlagValues } from './flags.js';

/** The --json document of each action. */
export type ConfigsResult = ConfigsDescribeJson | UsersDescribeJson | ConfigsAlterJson;

export async function runConfigs(
  host: ToolHost,
  action: ConfigsAction | (() => Promise<ConfigsAction>),
  flags: ConfigsFlagValues,
  argv: readonly string[],
): Promise<ConfigsResult | undefined> {
  const args = await echoedArgs(argv);
  const failureLine = (message: string, kind: FailureKind): string =>
    kind === 'usage' ? `${message}\n` : `Error while executing config command with args '${args}': ${message}\n`;
  return runTool(
    host,
    flags,
    async (session) => {
      const chosen = typeof action === 'function' ? await action() : action;
      const request = await checkConfigsArgs(chosen, flags);
      const [ops, views, { registerSecret }] = await Promise.all([
        import('../../ops/configs.js'),
        import('../../views/configs.js'),
        import('../../connection/redact.js'),
      ]);
      const { UsageError } = await import('../../ops/admin-errors.js');
      const json = host.jsonEnabled();
      const entityType = request.entityTypes[0]!;
      const entityName = request.entityNames[0];

      if (request.action === 'describe') {
        switch (entityType) {
          case 'topics':
          case 'brokers':
          case 'broker-loggers':
          case 'client-metrics':
          case 'groups': {
            const entities = await ops.describeConfigs(await session.connect(), entityType, entityName, request.all);
            if (!json) writeOut(views.renderEntityConfigs(entityType, entities, request.all));
            return views.entityConfigsJson(entityType, entities, request.all);
          }
          case 'users':
          case 'clients': {
            const client = await session.connect();
            if (request.entityTypes.includes('clients') || request.entityNames.includes(''))
              throw ops.clientQuotasError(client, false);
            const users = await ops.describeUserScram(client, request.entityNames);
            if (client.supports(48) && !json)
              writeErr('Note: ktool does not show client quota configs (DescribeClientQuotas) yet.\n');
            if (!json) writeOut(views.renderUserScram(users));
            return views.userScramJson(users);
          }
          default:
            throw ops.clientQuotasError(await session.connect(), false);
        }
      }

      // alter
      let add: Array<[string, string]> = [];
      if (request.addConfigFile !== undefined) add = await ops.readAddConfigFile(request.addConfigFile);
      if (request.addConfig !== undefined) add = ops.parseAddConfig(request.addConfig);
      // Registered secrets are masked in whatever the broker's error message echoes back.
      for (const [k, v] of add) if (ops.isSecretConfig(k)) for (const part of ops.secretParts(v)) registerSecret(part);
      ops.checkConfigKeys(add);
      const deletions = request.deleteConfigs;
      const name = entityName!;
      switch (entityType) {
        case 'topics':
        case 'brokers':
        case 'broker-loggers':
        case 'client-metrics':
        case 'groups':
          await ops.alterResourceConfigs(await session.connect(), entityType, name, add, deletions);
          break;
        case 'users':
        case 'clients': {
          const isScram = (k: string) => ops.scramMechanism(k) !== undefined;
          const hasQuotaAdd = add.some(([k]) => ops.isClientQuotaConfig(k));
          const hasQuotaDelete = deletions.some((k) => ops.isClientQuotaConfig(k));
          const scramAdd = add.filter(([k]) => isScram(k));
          const scramDelete = deletions.filter(isScram);
          const unknownAdd = add.map(([k]) => k).filter((k) => !isScram(k) && !ops.isClientQuotaConfig(k));
          const unknownDelete = deletions.filter((k) => !isScram(k) && !ops.isClientQuotaConfig(k));
          if (entityType === 'clients' || request.entityTypes.length === 2) {
            if (unknownAdd.length > 0 || scramAdd.length > 0) {
              throw new UsageError(
                `Only quota configs can be added for 'clients' using --bootstrap-server. Unexpected config names: ${views.scalaSet([...unknownAdd, ...scramAdd.map(([k]) => k)])}`,
              );
            }
            if (unknownDelete.length > 0 || scramDelete.length > 0) {
              throw new UsageError(
                `Only quota configs can be deleted for 'clients' using --bootstrap-server. Unexpected config names: ${views.scalaBuffer([...unknownDelete, ...scramDelete])}`,
              );
            }
          } else {
            if (unknownAdd.length > 0) {
              throw new UsageError(
                `Only quota and SCRAM credential configs can be added for 'users' using --bootstrap-server. Unexpected config names: ${views.scalaSet(unknownAdd)}`,
              );
            }
            if (unknownDelete.length > 0) {
              throw new UsageError(
                `Only quota and SCRAM credential configs can be deleted for 'users' using --bootstrap-server. Unexpected config names: ${views.scalaBuffer(unknownDelete)}`,
              );
            }
            if (scramAdd.length > 0 || scramDelete.length > 0) {
              if (request.entityNames.includes('')) {
                throw new UsageError(
                  'The use of --entity-default or --user-defaults is not allowed with User SCRAM Credentials using --bootstrap-server.',
                );
              }
              if (hasQuotaAdd || hasQuotaDelete) {
                throw new UsageError(
                  "Cannot alter both quota and SCRAM credential configs simultaneously for 'users' using --bootstrap-server.",
                );
              }
            }
          }
          if (hasQuotaAdd || hasQuotaDelete) throw ops.clientQuotasError(await session.connect(), true);
          const upserts = scramAdd.map(([k, v]) => ops.parseScramCredential(ops.scramMechanism(k)!, v));
          await ops.alterUserScram(
            await session.connect(),
            name,
            upserts,
            scramDelete.map((k) => ops.scramMechanism(k)!),
          );
          break;
        }
        default:
          throw ops.clientQuotasError(await session.connect(), true);
      }
      if (!json) writeOut(views.renderAltered(entityType, name));
      return views.alterJson(entityType, name, ops.shownPairs(add), deletions);
    },
    stderrLine(failureLine),
  );
}
