import { createServer } from 'node:net';

/** A TCP port on loopback that was free a moment ago (the qemu driver's forwards, the tests' servers). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A free loopback port between `min` and `max`: for ports that must fit a range (the Temporal server's membership ports are stored as smallint). */
export async function freePortIn(min: number, max: number, attempts = 50): Promise<number> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${min} and ${max} after ${attempts} tries`);
}

/** `count` free loopback ports, all different (each found alone could repeat), from `find`. */
export async function distinctFreePorts(count: number, find: () => Promise<number> = freePort): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await find());
  return [...ports];
}
