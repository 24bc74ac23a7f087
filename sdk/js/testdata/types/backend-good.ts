// With the plugin's generated backend declarations (greet, list).
export {};

async function useBackend(): Promise<void> {
  const greeting: string = await warden.invoke<string>('backend.greet', 'Ada');
  await warden.invoke('backend.list');
  const got = await warden.invoke('storage.get', { key: 'k' });
  const found: boolean = got.found;
  await warden.invoke('app.clock.now');
  void [greeting, found];
}

void useBackend;
