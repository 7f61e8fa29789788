#!/usr/bin/env node
// The ktool executable. Commands are found through oclif.manifest.json, so
// startup loads only the command being run.
import { execute } from '@oclif/core/execute'

await execute({ dir: import.meta.url })
