#!/usr/bin/env node
// Development entry: runs the commands straight from src/ through tsx, no
// build needed. The committed manifest is ignored (it describes dist/) and
// commands are discovered in src/commands, so new or changed commands show
// up immediately.
import { readFileSync } from 'node:fs'
import { register } from 'tsx/esm/api'

register()

const { execute, Plugin } = await import('@oclif/core')

const root = new URL('..', import.meta.url)
const pjson = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'))
pjson.oclif = { ...pjson.oclif, commands: './src/commands' }

const load = Plugin.prototype.load
Plugin.prototype.load = function loadWithoutRootManifest() {
  if (this.options.isRoot) this.options.ignoreManifest = true
  return load.call(this)
}

await execute({ development: true, loadOptions: { root: new URL('.', root).pathname, pjson } })
