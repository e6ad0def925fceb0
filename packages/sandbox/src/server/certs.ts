/**
 * A private CA and a serving certificate for 127.0.0.1/localhost. kubectl only sends a bearer token
 * over HTTPS (client-go drops credentials for http:// servers), so the sandbox always serves TLS.
 * Keys come from node:crypto (native, fast); node-forge writes the X.509 certificates, which
 * node:crypto cannot create.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface SandboxCertificates {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export const CERT_VALIDITY_DAYS = 365;

function keyPair(): { forgeKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), pem };
}

function baseCert(publicKey: forge.pki.rsa.PublicKey, now: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: leading hex digit below 8.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + CERT_VALIDITY_DAYS * 86_400_000);
  return cert;
}

export function generateCertificates(
  hosts: string[] = ['127.0.0.1', 'localhost'],
  now = new Date(),
): SandboxCertificates {
  const ca = keyPair();
  const caCert = baseCert(ca.publicKey, now);
  const caSubject = [{ name: 'commonName', value: 'slipway-sandbox-ca' }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(ca.forgeKey, forge.md.sha256.create());

  const server = keyPair();
  const cert = baseCert(server.publicKey, now);
  cert.setSubject([{ name: 'commonName', value: 'slipway-sandbox' }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: hosts.map((h) =>
        /^[\d.]+$/.test(h) || h.includes(':') ? { type: 7, ip: h } : { type: 2, value: h },
      ),
    },
  ]);
  cert.sign(ca.forgeKey, forge.md.sha256.create());
  return {
    caCert: forge.pki.certificateToPem(caCert),
    caKey: ca.pem,
    serverCert: forge.pki.certificateToPem(cert),
    serverKey: server.pem,
  };
}
