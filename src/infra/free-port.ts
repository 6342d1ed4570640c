import net from 'node:net';

/** Asks the OS for a TCP port that is free on 127.0.0.1 right now. */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`Could not read the port the OS gave on ${host}`));
        return;
      }
      const { port } = address;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Several distinct free ports (held together while asking, so they cannot collide). */
export async function findFreePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') {
              reject(new Error(`Could not read the port the OS gave on ${host}`));
            } else resolve(address.port);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/**
 * Several distinct free ports below `below` (held together while asking), for programs that store
 * a port in a signed 16-bit column (Temporal's cluster membership), where the OS's ephemeral range
 * (32768 and up on Linux) does not fit.
 */
export async function findFreePortsBelow(
  count: number,
  below = 32_768,
  host = '127.0.0.1',
): Promise<number[]> {
  const low = 10_000;
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let attempt = 0; ports.length < count; attempt++) {
      if (attempt > count * 200) {
        throw new Error(
          `Could not find ${count} free ports between ${low} and ${below} on ${host}`,
        );
      }
      const port = low + Math.floor(Math.random() * (below - low));
      if (ports.includes(port)) continue;
      const server = net.createServer();
      const ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen({ host, port, exclusive: true }, () => resolve(true));
      });
      if (ok) {
        servers.push(server);
        ports.push(port);
      }
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
