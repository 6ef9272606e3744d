/**
 * The host benchmark's baseline: a bare Node TCP server on 127.0.0.1 (free port) that reads 2-byte
 * length-prefixed frames and answers each with a canned frame of `answerBytes` bytes (the host's answer
 * size), so it moves the same bytes as the host without doing any of its work.
 */
import { createServer, type Server } from 'node:net';

export function startEchoServer(answerBytes: number): Promise<Server> {
  const answer = Buffer.alloc(answerBytes, 0x30);
  answer.writeUInt16BE(answerBytes - 2, 0);
  const server = createServer({ noDelay: true }, (s) => {
    let buf: Buffer = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0) + 2;
        if (buf.length < n) break;
        buf = buf.subarray(n);
        s.write(answer);
      }
    });
    s.on('error', () => undefined);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
