export {};
const cmd: string = 'storage.get';
void warden.invoke(cmd, { key: 'k' }); // error: any string is not a command
