// What the SASL client and the dev broker share (src/protocol/sasl/): one JAAS parser and
// one SCRAM derivation, so the client's exchange and the broker's check agree by construction.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { credentialFromPassword, ScramServer } from '../../src/broker/security/scram.js';
import { createMechanism } from '../../src/client/sasl.js';
import { JaasError, parseJaasEntries, plainUsers } from '../../src/protocol/sasl/jaas.js';
import { SASL_MECHANISMS } from '../../src/protocol/sasl/mechanisms.js';
import { SCRAM_MECHANISMS, scramMechanismByCode } from '../../src/protocol/sasl/scram.js';

describe('shared SASL', () => {
  test("the client's SCRAM mechanism authenticates against the broker's SCRAM server, both hashes", () => {
    for (const { name } of SCRAM_MECHANISMS) {
      const cred = credentialFromPassword(name, 'p,w=ss\u00e9', 4096);
      const server = new ScramServer(name, (u) => (u === 'a=b,c' ? cred : undefined));
      const client = createMechanism({ mechanism: name, username: 'a=b,c', password: 'p,w=ss\u00e9' });
      const serverFirst = server.evaluate(client.first());
      const serverFinal = server.evaluate(client.next(serverFirst)!);
      assert.equal(client.next(serverFinal), null);
      client.done();
      assert.equal(server.complete, true, name);
      assert.equal(server.authorizationId, 'a=b,c');
    }
  });

  test('a wrong password fails on the broker side', () => {
    const cred = credentialFromPassword('SCRAM-SHA-512', 'right-password', 4096);
    const server = new ScramServer('SCRAM-SHA-512', () => cred);
    const client = createMechanism({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'wrong-password' });
    const serverFirst = server.evaluate(client.first());
    assert.throws(() => server.evaluate(client.next(serverFirst)!), /Invalid SCRAM client proof/);
  });

  test('one mechanism list, and SCRAM wire codes as Kafka numbers them', () => {
    assert.deepEqual([...SASL_MECHANISMS], ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
    assert.equal(scramMechanismByCode(1)?.name, 'SCRAM-SHA-256');
    assert.equal(scramMechanismByCode(2)?.name, 'SCRAM-SHA-512');
  });

  test('JAAS: comments, both quote styles, Java escapes, several entries', () => {
    const text =
      '// users\na.PlainLoginModule REQUIRED /* x */ user_bob=\'b\\tob\' user_\u00e9=caf\u00e9 __proto__="p";' +
      ' b.ScramLoginModule optional username=u password="p\\"w";';
    const entries = parseJaasEntries(text);
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.controlFlag, 'required');
    assert.equal(Object.getPrototypeOf(entries[0]!.options), Object.prototype);
    assert.equal(entries[0]!.options['__proto__'], 'p');
    assert.deepEqual(plainUsers(entries), [
      ['bob', 'b\tob'],
      ['\u00e9', 'caf\u00e9'],
    ]);
    assert.equal(entries[1]!.options.password, 'p"w');
    assert.deepEqual(parseJaasEntries('  '), []);
  });

  test('JAAS errors name a position or an option, never a value', () => {
    const cases: Array<[string, RegExp]> = [
      ['a.B required k="secret-9', /^unterminated quoted value at character 16$/],
      ['a.B required k=secret-9', /^missing ';' at the end of the login module entry$/],
      ['a.B required k secret-9;', /^expected '=' after option k at character 16$/],
      ['a.B required /* secret-9', /^unterminated comment at character 14$/],
      ['a.B never k=secret-9;', /^invalid control flag 'never' at character 5/],
    ];
    for (const [text, re] of cases) {
      assert.throws(
        () => parseJaasEntries(text),
        (e: unknown) => e instanceof JaasError && re.test(e.message),
        text,
      );
    }
  });
});
