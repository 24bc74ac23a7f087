export {};
void warden.invoke('storage.get', { key: 'k' }).then((r) => {
  const n: number = r.value; // error: value is string | null
  return n;
});
