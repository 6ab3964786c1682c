import { createSocket, type RemoteInfo } from 'node:dgram';

/** IPv4 addresses for an A query, or NXDOMAIN. Other query types get an empty NOERROR answer. */
export type DnsAnswer = readonly string[] | 'nxdomain';
export type DnsResponder = (name: string) => DnsAnswer;

export interface DnsQuery {
  readonly name: string;
  /** 1 = A, 28 = AAAA. */
  readonly type: number;
  readonly answeredWith: 'addresses' | 'nxdomain' | 'no-data';
}

/** A real DNS server on 127.0.0.1 (UDP, a free port), enough for a resolver to ask it for A records. */
export interface DnsServer {
  /** `127.0.0.1:<port>`, as a resolver's server setting takes it. */
  readonly address: string;
  readonly queries: readonly DnsQuery[];
  /** Changes how later queries are answered. */
  setResponder(respond: DnsResponder): void;
  close(): Promise<void>;
}

const typeA = 1;
const rcodeNxdomain = 3;

export async function startDnsServer(respond: DnsResponder): Promise<DnsServer> {
  const socket = createSocket('udp4');
  const queries: DnsQuery[] = [];
  let responder = respond;
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    const query = parseQuery(message);
    if (query === undefined) return;
    const answer: DnsAnswer = query.type === typeA ? responder(query.name) : [];
    const answeredWith = answer === 'nxdomain' ? 'nxdomain' : answer.length > 0 ? 'addresses' : 'no-data';
    queries.push({ name: query.name, type: query.type, answeredWith });
    socket.send(buildAnswer(message, query.questionEnd, answer), from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    setResponder: (next) => {
      responder = next;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function parseQuery(message: Buffer): { name: string; type: number; questionEnd: number } | undefined {
  if (message.length < 17 || message.readUInt16BE(4) < 1) return undefined;
  const labels: string[] = [];
  let offset = 12;
  while (offset < message.length && message[offset] !== 0) {
    const length = message[offset]!;
    labels.push(message.toString('ascii', offset + 1, offset + 1 + length));
    offset += 1 + length;
  }
  const questionEnd = offset + 5; // the 0 ending the name, then type and class
  if (questionEnd > message.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: message.readUInt16BE(offset + 1), questionEnd };
}

/** The query's id and question, then one A record (TTL 0, so nothing caches it) per address. */
function buildAnswer(query: Buffer, questionEnd: number, answer: DnsAnswer): Buffer {
  const addresses = answer === 'nxdomain' ? [] : answer;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  const recursionDesired = query.readUInt16BE(2) & 0x0100;
  header.writeUInt16BE(0x8080 | recursionDesired | (answer === 'nxdomain' ? rcodeNxdomain : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
    record.writeUInt16BE(typeA, 2);
    record.writeUInt16BE(1, 4); // IN
    record.writeUInt32BE(0, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((part, index) => record.writeUInt8(Number(part), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}
