// ktool schema-registry mode: get or set READWRITE / READONLY / IMPORT, globally or for
// one subject.
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { registryFlags, registryTarget } from '../../cli/schema-registry-flags.js';

export default class SchemaRegistryMode extends BaseCommand<typeof SchemaRegistryMode> {
  static override summary =
    "Show or set the registry's mode (READWRITE, READONLY, READONLY_OVERRIDE, IMPORT), global or for a subject.";
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> orders-value --set READONLY',
  ];
  static override args = { subject: Args.string({ description: 'The subject (default: the global mode).' }) };
  static override flags = {
    ...registryFlags,
    set: Flags.string({ description: 'Set the mode.', helpValue: '<mode>' }),
  };

  public async run(): Promise<{ subject: string | null; mode: string }> {
    const subject = this.args.subject ?? null;
    const ops = await import('../../ops/schema-registry.js');
    const client = await ops.openRegistry(registryTarget(this.flags));
    const mode =
      this.flags.set !== undefined
        ? await ops.call(() => client.setMode(subject, this.flags.set!.toUpperCase()))
        : await ops.call(() => client.getMode(subject));
    if (!this.jsonEnabled()) process.stdout.write(`${mode}\n`);
    return { subject, mode };
  }
}
