export {};
void warden.invoke('event.emit', { event: 'tick' }); // error: backends only
