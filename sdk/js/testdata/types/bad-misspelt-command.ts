export {};
void warden.invoke('stoarge.get', 42); // error: no such command
