import { readFileSync } from 'node:fs';

/**
 * TLS for `amqps:` broker URLs. amqplib verifies the broker's certificate and host name by default
 * against Node's CAs (plus NODE_EXTRA_CA_CERTS); AMQP_CA_FILE replaces that list with the PEM
 * file's CAs, for a broker whose certificate a private CA signs. Read once per process start.
 */
export function amqpSocketOptions(amqp: { url: string; caFile?: string }): { ca?: string[] } {
  if (!amqp.caFile || !amqp.url.startsWith('amqps:')) return {};
  try {
    return { ca: [readFileSync(amqp.caFile, 'utf8')] };
  } catch (err) {
    const e = new Error(`cannot read AMQP_CA_FILE ${amqp.caFile}: ${(err as Error).message}`) as Error & {
      code: string;
    };
    e.code = 'AMQP_TLS_FILE';
    throw e;
  }
}
