export {};
void warden.invoke('storage.set', { key: 'k', value: 7 }); // error: value is a string
