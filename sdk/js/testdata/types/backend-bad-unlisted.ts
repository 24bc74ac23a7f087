export {};
void warden.invoke('backend.gret', 'Ada'); // error: the manifest lists greet, not gret
