export {};
void warden.invoke('storage.get'); // error: storage.get needs args
