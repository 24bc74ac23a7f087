export {};
void warden.invoke('storage.get', { kye: 'k' }); // error: no field kye
