export {};
void warden.invoke('backend.greet'); // error: the manifest lists no command
