// Uses of the page API that must type-check, with the types they must give.
export {};

async function useEveryCommand(): Promise<void> {
  const got = await warden.invoke('storage.get', { key: 'k' });
  const found: boolean = got.found;
  const value: string | null = got.value;
  const none: null = await warden.invoke('storage.set', { key: 'k', value: 'v' });
  await warden.invoke('storage.delete', { key: 'k' });
  const all: string[] = (await warden.invoke('storage.list')).keys;
  const some: string[] = (await warden.invoke('storage.list', { prefix: 'a' })).keys;
  const file = await warden.invoke('fs.read', { path: '$DATA/notes.txt' });
  const data: string = file.data;
  await warden.invoke('fs.write', { path: '$DATA/notes.txt', data: 'aGk=' });
  await warden.invoke('fs.write', { path: '$DATA/empty.txt' });
  const resp = await warden.invoke('http.fetch', {
    url: 'https://example.com/',
    method: 'post',
    headers: { accept: 'text/plain' },
    body: 'aGk=',
  });
  const status: number = resp.status;
  const headers: Record<string, string> = resp.headers;
  await warden.invoke('http.fetch', { url: 'https://example.com/', method: 'GET' });
  await warden.invoke('log', { message: 'hello' });
  await warden.invoke('log', { level: 'warn', message: 'careful' });
  // The plugin's backend and an embedding application's commands: the
  // caller asserts the result; without a generated list any backend name goes.
  const greeting = await warden.invoke<string>('backend.greet', 'Ada');
  const shout: string = greeting.toUpperCase();
  const untyped: unknown = await warden.invoke('backend.list');
  await warden.invoke<{ time: string }>('app.clock.now', { zone: 'UTC' });
  const unlisten = warden.listen<{ n: number }>('tick', (p) => {
    const n: number = p.n;
    void n;
  });
  unlisten();
  const id: string = warden.pluginId;
  try {
    await warden.invoke('storage.get', { key: 'k' });
  } catch (e) {
    const err = e as WardenError;
    const code: WardenErrorCode = err.code;
    void code;
  }
  void [found, value, none, all, some, data, status, headers, shout, untyped, id];
}

void useEveryCommand;
