// Asking another process's window to close, as a window manager's close
// button does. Plain Xlib on its own display connection: it needs no GTK
// and may run on any thread.
#include <string.h>
#include <X11/Xlib.h>
#include "xclose.h"

// utf8_name returns w's _NET_WM_NAME (UTF-8, as GTK sets it), to be
// freed with XFree, or NULL. WM_NAME is no use for titles outside Latin-1:
// GTK stores those in it as compound text.
static char *utf8_name(Display *d, Window w, Atom net_name, Atom utf8) {
	Atom type;
	int format;
	unsigned long n, after;
	unsigned char *v = NULL;
	if (XGetWindowProperty(d, w, net_name, 0, 1024, False, utf8, &type, &format, &n, &after, &v) != Success)
		return NULL;
	if (!v || type != utf8 || format != 8) {
		if (v)
			XFree(v);
		return NULL;
	}
	return (char *)v; // Xlib NUL-terminates property data
}

// xclose_request sends WM_DELETE_WINDOW to every top-level window
// titled title (UTF-8) on display (NULL: $DISPLAY) and returns how many it asked,
// or -1 when the display cannot be opened.
int xclose_request(const char *display, const char *title) {
	Display *d = XOpenDisplay(display);
	if (!d)
		return -1;
	Atom protocols = XInternAtom(d, "WM_PROTOCOLS", False);
	Atom del = XInternAtom(d, "WM_DELETE_WINDOW", False);
	Atom net_name = XInternAtom(d, "_NET_WM_NAME", False);
	Atom utf8 = XInternAtom(d, "UTF8_STRING", False);
	Window root = DefaultRootWindow(d), r, p, *kids = NULL;
	unsigned int n = 0;
	int asked = 0;
	if (XQueryTree(d, root, &r, &p, &kids, &n)) {
		for (unsigned int i = 0; i < n; i++) {
			char *name = utf8_name(d, kids[i], net_name, utf8);
			if (!name && (!XFetchName(d, kids[i], &name) || !name))
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
