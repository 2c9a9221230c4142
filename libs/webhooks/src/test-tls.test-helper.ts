import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

// Test-only self-signed certificate for "receiver.test" (EC P-256, valid until 2126), made with
// openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
//   -subj "/CN=receiver.test" -addext "subjectAltName=DNS:receiver.test"
export const RECEIVER_TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBoDCCAUegAwIBAgIUJgjL1HWGawHu95PrfzM0ph3m33MwCgYIKoZIzj0EAwIw
GDEWMBQGA1UEAwwNcmVjZWl2ZXIudGVzdDAgFw0yNjExMjkxOTA1MjdaGA8yMTI2
MTEwNTE5MDUyN1owGDEWMBQGA1UEAwwNcmVjZWl2ZXIudGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABBNS9Q9nPf6y/0otO7HYeP+aRAvGhRVDVJtuD/lsBB4L
UHeCZSa70M+QAIgwB6b161tDHRoFB6SVRrD81792lSqjbTBrMB0GA1UdDgQWBBTf
0E8aKk1tAUZr94NDOze+1OSXhDAfBgNVHSMEGDAWgBTf0E8aKk1tAUZr94NDOze+
1OSXhDAPBgNVHRMBAf8EBTADAQH/MBgGA1UdEQQRMA+CDXJlY2VpdmVyLnRlc3Qw
CgYIKoZIzj0EAwIDRwAwRAIgDvZgaiMD8uFqgD8KIpvGPwyJ71vpuYmqISStjgLa
rx8CIBKv0NCHDdU1yE4HMGLOtZy2T6rwMrxpGWnTI3cU18wD
-----END CERTIFICATE-----
`;
const RECEIVER_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgIDa+wqBpvUA5MDKn
b6z3VEA/2jdfDmSPwpv1MTkiTvqhRANCAAQTUvUPZz3+sv9KLTux2Hj/mkQLxoUV
Q1Sbbg/5bAQeC1B3gmUmu9DPkACIMAem9etbQx0aBQeklUaw/Ne/dpUq
-----END PRIVATE KEY-----
`;

/** An https receiver on 127.0.0.1 presenting the receiver.test certificate; answers 200 "tls ok". */
export async function startTlsReceiver(): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer({ cert: RECEIVER_TEST_CERT, key: RECEIVER_TEST_KEY }, (req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('tls ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
