import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const directory = join(import.meta.dirname, 'fixtures', 'tls');
const read = (name: string) => readFileSync(join(directory, name), 'utf8');

/**
 * Test-only PKI (valid until 2056): a CA, a server certificate for 127.0.0.1 / localhost and a
 * client certificate (CN=spillway-test-client, O=Spillway), all signed by that CA.
 */
export const testTls = {
  ca: read('ca.crt'),
  serverKey: read('server.key'),
  serverCert: read('server.crt'),
  clientKey: read('client.key'),
  clientCert: read('client.crt'),
} as const;
