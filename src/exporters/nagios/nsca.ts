// Native NSCA 2.9/2.10 client (protocol v3) over node:net. NSCA never acknowledges a packet: `send`
// resolves when the packet was written and the connection closed cleanly ("sent"); whether Nagios
// accepted it (right password, known service) can only be seen in Nagios itself.
import { createCipheriv, randomFillSync, type Cipheriv } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { crc32 } from 'node:zlib';
import { NSCA_METHOD_PROBLEM, nscaMethodOf, type NscaMethod } from '../../core/index.ts';
import { ConfigError, ExportError, messageOf } from '../../shared/errors.ts';
import { assertObjectName, type Transport } from './check-result.ts';
import { OUTPUT_LIMITS, renderPluginOutput } from './plugin-output.ts';

export const NSCA_INIT_PACKET_BYTES = 132;
export const NSCA_IV_BYTES = 128;
export const NSCA_PACKET_BYTES = 4304;
const PACKET_VERSION = 3;
const HOST_FIELD = { offset: 14, size: 64 };
const SERVICE_FIELD = { offset: 78, size: 128 };
const OUTPUT_FIELD = { offset: 206, size: 4096 };

interface CipherSpec {
  /** OpenSSL name of the same cipher in 8-bit CFB, the mode libmcrypt calls "cfb". */
  openssl: string;
  /** mcrypt's maximum key size for the algorithm: nsca zero-fills a buffer of this size with the password. */
  keyBytes: number;
  ivBytes: number;
  /** Maps nsca's key buffer to the key OpenSSL takes. */
  toKey?: (key: Buffer) => Buffer;
}

// Single DES is only in OpenSSL's legacy provider, which Node 24 does not load. 3DES-EDE with
// K1 = K2 = K3 is single DES by construction (encrypt, decrypt, encrypt with one key), so des-ede3-cfb8
// with the 8-byte key repeated gives the same stream without the legacy provider.
const CIPHERS: Record<number, CipherSpec> = {
  2: { openssl: 'des-ede3-cfb8', keyBytes: 8, ivBytes: 8, toKey: (k) => Buffer.concat([k, k, k]) },
  3: { openssl: 'des-ede3-cfb8', keyBytes: 24, ivBytes: 8 },
  14: { openssl: 'aes-256-cfb8', keyBytes: 32, ivBytes: 16 },
};

export interface NscaOptions {
  host: string;
  port?: number;
  /** nsca.cfg `decryption_method` number, or a name (none, xor, des, 3des, rijndael-128/aes). Default 0. */
  encryption?: number | string;
  password?: string;
  connectTimeoutMs?: number;
  /** Time allowed for the 132-byte init packet after connecting. */
  handshakeTimeoutMs?: number;
}

export function parseNscaMethod(value: number | string | undefined, where = 'exporters.nagios.nsca.encryption'): NscaMethod {
  const method = nscaMethodOf(value);
  if (method !== undefined) return method;
  throw new ConfigError(`NSCA encryption method ${JSON.stringify(value)} is not supported; ${NSCA_METHOD_PROBLEM}`, { where });
}

function writeCString(packet: Buffer, field: { offset: number; size: number }, value: string): void {
  const bytes = Buffer.from(value);
  const length = Math.min(bytes.length, field.size - 1);
  bytes.copy(packet, field.offset, 0, length);
  packet[field.offset + length] = 0;
}

/** Builds one v3 data packet. `fill` provides the random padding send_nsca also uses. */
export function buildNscaPacket(
  fields: { host: string; service: string; state: number; output: string; timestamp: number },
  fill: (b: Buffer) => void = (b) => randomFillSync(b),
): Buffer {
  const packet = Buffer.alloc(NSCA_PACKET_BYTES);
  fill(packet);
  packet.writeInt16BE(PACKET_VERSION, 0);
  packet.writeUInt32BE(0, 4);
  packet.writeUInt32BE(fields.timestamp >>> 0, 8);
  packet.writeInt16BE(fields.state, 12);
  writeCString(packet, HOST_FIELD, fields.host);
  writeCString(packet, SERVICE_FIELD, fields.service);
  writeCString(packet, OUTPUT_FIELD, fields.output);
  packet.writeUInt32BE(crc32(packet), 4);
  return packet;
}

/** One encryptor per connection: mcrypt's CFB stream continues across packets on a connection. */
export function createNscaEncryptor(method: NscaMethod, password: string, serverIv: Buffer): (packet: Buffer) => Buffer {
  if (method === 0) return (p) => p;
  const secret = Buffer.from(password);
  if (method === 1) {
    // XOR restarts both indexes for every packet.
    return (p) => {
      const out = Buffer.from(p);
      for (let i = 0; i < out.length; i++) {
        out[i] ^= serverIv[i % NSCA_IV_BYTES];
        if (secret.length) out[i] ^= secret[i % secret.length];
      }
      return out;
    };
  }
  const spec = CIPHERS[method];
  const key = Buffer.alloc(spec.keyBytes);
  secret.copy(key, 0, 0, Math.min(secret.length, spec.keyBytes));
  const cipher: Cipheriv = createCipheriv(spec.openssl, spec.toKey ? spec.toKey(key) : key, serverIv.subarray(0, spec.ivBytes));
  return (p) => cipher.update(p);
}

export function createNscaTransport(opts: NscaOptions): Transport {
  const method = parseNscaMethod(opts.encryption);
  const port = opts.port ?? 5667;
  const where = `nagios.nsca ${opts.host}:${port}`;
  if (method !== 0 && !opts.password) {
    throw new ConfigError(`NSCA encryption method ${method} needs a password (the nsca.cfg "password")`, { where: 'exporters.nagios.nsca.password' });
  }
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? 5000;

  return {
    name: 'nsca',
    async send(check, signal) {
      signal?.throwIfAborted();
      assertObjectName('host', check.host, where);
      assertObjectName('service', check.service, where);
      // A longer name would be cut by the packet and address another (or no) object.
      if (Buffer.byteLength(check.host) > HOST_FIELD.size - 1) {
        throw new ExportError(`host name "${check.host}" is longer than NSCA's 63 bytes`, { where });
      }
      if (Buffer.byteLength(check.service) > SERVICE_FIELD.size - 1) {
        throw new ExportError(`service name "${check.service}" is longer than NSCA's 127 bytes`, { where });
      }
      const output = renderPluginOutput(check, { maxBytes: OUTPUT_LIMITS.nsca, newlines: 'real', perfdataInline: true });
      await exchange({ host: opts.host, port, where, connectTimeoutMs, handshakeTimeoutMs, signal }, (init) => {
        const encrypt = createNscaEncryptor(method, opts.password ?? '', init.subarray(0, NSCA_IV_BYTES));
        // Echo the server's timestamp, as send_nsca does; 2.10 ignores it but older daemons check it.
        const timestamp = init.readUInt32BE(NSCA_IV_BYTES);
        return encrypt(buildNscaPacket({ host: check.host, service: check.service, state: check.state, output, timestamp }));
      });
    },
  };
}

interface ExchangeOptions {
  host: string;
  port: number;
  where: string;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  signal?: AbortSignal;
}

function exchange(o: ExchangeOptions, packetFor: (init: Buffer) => Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let phase: 'connect' | 'handshake' | 'send' | 'done' = 'connect';
    let received = Buffer.alloc(0);
    let settled = false;
    const socket: Socket = connect({ host: o.host, port: o.port });

    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      if (err) {
        socket.destroy();
        reject(err);
      } else resolve();
    };
    const fail = (message: string, cause?: unknown) => finish(new ExportError(message, { where: o.where, cause }));
    const onAbort = () => fail(`aborted during ${phase}`, o.signal?.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });

    let timer = setTimeout(() => fail(`no connection to ${o.host}:${o.port} after ${o.connectTimeoutMs}ms`), o.connectTimeoutMs);

    socket.once('connect', () => {
      phase = 'handshake';
      clearTimeout(timer);
      timer = setTimeout(
        () => fail(`connected, but no NSCA init packet within ${o.handshakeTimeoutMs}ms (is ${o.host}:${o.port} an NSCA daemon?)`),
        o.handshakeTimeoutMs,
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (phase !== 'handshake') return;
      received = Buffer.concat([received, chunk]);
      if (received.length < NSCA_INIT_PACKET_BYTES) return;
      phase = 'send';
      clearTimeout(timer);
      let packet: Buffer;
      try {
        packet = packetFor(received.subarray(0, NSCA_INIT_PACKET_BYTES));
      } catch (err) {
        fail(`cannot build the NSCA packet: ${messageOf(err)}`, err);
        return;
      }
      timer = setTimeout(() => fail(`could not write the packet within ${o.handshakeTimeoutMs}ms`), o.handshakeTimeoutMs);
      socket.end(packet, () => {
        phase = 'done';
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (phase === 'connect') {
        const why = err.code === 'ECONNREFUSED' ? 'connection refused (is nsca running and listening there?)' : messageOf(err);
        fail(`cannot connect to ${o.host}:${o.port}: ${why}`, err);
      } else if (phase === 'done') {
        // The packet was flushed; a reset after that is the daemon closing as it always does.
        finish();
      } else {
        fail(`connection failed during ${phase}: ${messageOf(err)}`, err);
      }
    });
    socket.on('close', () => {
      if (phase === 'done') finish();
      else if (phase === 'handshake')
        fail(`the daemon closed the connection before its init packet (nsca.cfg decryption_method not usable by the daemon, or host not in allowed_hosts?)`);
      else if (phase === 'send') fail('the daemon closed the connection before the packet was written');
      else fail(`connection to ${o.host}:${o.port} closed before it was established`);
    });
  });
}
