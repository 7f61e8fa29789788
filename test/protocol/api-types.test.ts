// The generated ApiKey enum and interfaces name every API of the schema table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ApiKey, allApiSpecs } from '../../src/protocol/index.js';

test('ApiKey names every API of the schema table by its key', () => {
  const specs = allApiSpecs();
  assert.ok(specs.length > 80);
  for (const spec of specs) assert.equal(ApiKey[spec.name as keyof typeof ApiKey], spec.apiKey, spec.name);
  assert.equal(ApiKey.Produce, 0);
  assert.equal(ApiKey.DescribeQuorum, 55);
});

test('one request and one response type per API, fields as the codec names them', () => {
  const text = readFileSync(new URL('../../src/protocol/api-types.ts', import.meta.url), 'utf8');
  // An interface per body, or the empty-object type for a body without fields.
  const declared = (name: string) => new RegExp(`export (interface ${name} \\{|type ${name} = Record<string, never>;)`);
  for (const spec of allApiSpecs()) {
    assert.match(text, declared(spec.request.name));
    assert.match(text, declared(spec.response.name));
  }
  assert.match(text, /export type ListClientMetricsResourcesRequest = Record<string, never>;/);
  // A field only some versions carry is optional; one every version carries is required.
  const produce = /export interface ProduceRequest \{([\s\S]*?)\n\}/.exec(text)![1]!;
  assert.match(produce, /transactionalId\?: string \| null;/);
  assert.match(produce, /\n {2}acks: number;/);
});
