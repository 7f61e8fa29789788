// ktool schema-registry compatibility: get or set the compatibility level, globally
// or for one subject.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';
import { KtoolError } from '../../errors.js';

const LEVELS = ['NONE', 'BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE'];

export default class SchemaRegistryCompatibility extends BaseCommand<typeof SchemaRegistryCompatibility> {
  static override summary = 'Show or set the compatibility level, global or for a subject.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> orders-value --set FULL',
    '<%= config.bin %> <%= command.id %> orders-value --delete',
  ];
  static override args = { subject: Args.string({ description: 'The subject (default: the global level).' }) };
  static override flags = {
    ...registryFlags,
    set: Flags.string({ description: `Set the level: ${LEVELS.join(', ')}.`, helpValue: '<level>' }),
    delete: Flags.boolean({ description: "Remove the subject's own level, so the global one applies." }),
  };

  public async run(): Promise<{ subject: string | null; compatibilityLevel: string }> {
    const f = this.flags;
    const subject = this.args.subject ?? null;
    if (f.set !== undefined && f.delete) throw new KtoolError('Give --set or --delete, not both', { exitCode: 1 });
    if (f.delete && subject === null) throw new KtoolError('--delete needs a subject', { exitCode: 1 });
    if (f.set !== undefined && !LEVELS.includes(f.set.toUpperCase()))
      throw new KtoolError(`Unknown compatibility level ${f.set}: use ${LEVELS.join(', ')}`, { exitCode: 1 });
    const ops = await import('../../ops/schema-registry.js');
    const client = await ops.openRegistry(registryTarget(f));
    let level: string;
    if (f.set !== undefined) level = await ops.call(() => client.setCompatibilityLevel(subject, f.set!.toUpperCase()));
    else if (f.delete) {
      await ops.call(() => client.deleteCompatibilityLevel(subject!));
      level = await ops.call(() => client.getCompatibilityLevel(subject));
    } else level = await ops.call(() => client.getCompatibilityLevel(subject));
    if (!this.jsonEnabled()) process.stdout.write(`${level}\n`);
    return { subject, compatibilityLevel: level };
  }
}
