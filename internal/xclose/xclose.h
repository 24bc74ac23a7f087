// xclose_request: see xclose.c.
int xclose_request(const char *display, const char *title);
