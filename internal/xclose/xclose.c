// Asking another process's window to close, as a window manager's close
// button does. Plain Xlib on its own display connection: it needs no GTK
// and may run on any thread.
#include <string.h>
#include <X11/Xlib.h>
#include "xclose.h"

// xclose_request sends WM_DELETE_WINDOW to every top-level window
// titled title on display (NULL: $DISPLAY) and returns how many it asked,
// or -1 when the display cannot be opened.
int xclose_request(const char *display, const char *title) {
	Display *d = XOpenDisplay(display);
	if (!d)
		return -1;
	Atom protocols = XInternAtom(d, "WM_PROTOCOLS", False);
	Atom del = XInternAtom(d, "WM_DELETE_WINDOW", False);
	Window root = DefaultRootWindow(d), r, p, *kids = NULL;
	unsigned int n = 0;
	int asked = 0;
	if (XQueryTree(d, root, &r, &p, &kids, &n)) {
		for (unsigned int i = 0; i < n; i++) {
			char *name = NULL;
			if (!XFetchName(d, kids[i], &name) || !name)
				continue;
			if (strcmp(name, title) == 0) {
				XEvent ev;
				memset(&ev, 0, sizeof ev);
				ev.xclient.type = ClientMessage;
				ev.xclient.window = kids[i];
				ev.xclient.message_type = protocols;
				ev.xclient.format = 32;
				ev.xclient.data.l[0] = (long)del;
				ev.xclient.data.l[1] = CurrentTime;
				XSendEvent(d, kids[i], False, NoEventMask, &ev);
				asked++;
			}
			XFree(name);
		}
		if (kids)
			XFree(kids);
	}
	XSync(d, False);
	XCloseDisplay(d);
	return asked;
}
