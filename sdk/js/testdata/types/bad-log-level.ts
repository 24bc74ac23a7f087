export {};
void warden.invoke('log', { level: 'loud', message: 'x' }); // error: no such level
