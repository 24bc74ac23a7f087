export {};
void warden.invoke('storage.get', 42); // error: storage.get takes {key: string}
