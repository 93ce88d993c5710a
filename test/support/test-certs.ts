// A throwaway certificate authority for TLS tests, made with the openssl command:
// a CA, a server certificate for 127.0.0.1 / localhost, and a client certificate
// (for mutual TLS), each signed by the CA and valid for one day.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCerts {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Writes the PEM files into `dir` and returns their paths. */
export function makeTestCerts(dir: string): TestCerts {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const path = (name: string) => join(dir, name);
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=datarus-test-ca', '-keyout', path('ca.key'), '-out', path('ca.pem'));
  const sign = (name: string, subject: string, ext: string) => {
    writeFileSync(path(`${name}.cnf`), `${ext}\n`);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`));
    ssl('x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', path(`${name}.cnf`), '-out', path(`${name}.pem`));
  };
  sign('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  sign('client', '/CN=datarus-test-client', 'extendedKeyUsage=clientAuth');
  return { ca: path('ca.pem'), serverCert: path('server.pem'), serverKey: path('server.key'), clientCert: path('client.pem'), clientKey: path('client.key') };
}
