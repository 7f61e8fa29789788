// Flags every `ktool schema-registry` command takes: which registry, and how to log in
// (schema.registry.url and basic.auth.user.info in --command-config or a profile).
import { Flags } from '@oclif/core';
import { commandConfig } from './flags.js';
import { profile } from './connection-flags.js';

export const registryFlags = {
  'schema-registry-url': Flags.string({
    description:
      "The schema registry. Default: schema.registry.url from --command-config or the profile, else http://127.0.0.1:8081 (the dev broker's).",
    helpValue: '<url>',
  }),
  'command-config': commandConfig,
  profile,
};

export function registryTarget(f: { 'schema-registry-url'?: string; 'command-config'?: string; profile?: string }) {
  return { url: f['schema-registry-url'], commandConfig: f['command-config'], profile: f.profile };
}
