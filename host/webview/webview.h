// C side of the Warden WebKitGTK binding. Definitions live in webview.c;
// the Go preamble only includes this header, because a file with //export
// functions may not define C functions in its preamble.
#ifndef WARDEN_WEBVIEW_H
#define WARDEN_WEBVIEW_H

#include <stdint.h>
#include <stdlib.h>
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

typedef struct wv_window {
	GtkWidget *window;
	GtkWidget *notice; // a label over the page, hidden unless there is a notice
	WebKitWebView *view;
	WebKitWebContext *ctx;
	WebKitUserContentManager *ucm;
	uintptr_t handle; // cgo.Handle of the Go *Window
	int chan_fd;      // the core channel for the web extension, -1 once given
	gint64 last_input; // g_get_monotonic_time of the last real key or button press, 0 for none
	GtkWidget *dialog; // the open file dialog, or NULL
	uintptr_t dialog_handle; // cgo.Handle of its Go callback
} wv_window;

// wv_pending is one message waiting for its reply.
typedef struct wv_pending {
	WebKitScriptMessageReply *reply;
	JSCContext *ctx;
} wv_pending;

int wv_init(void);
void wv_main(void);
void wv_quit(void);
int wv_on_gtk_thread(void);
void wv_dispatch(uintptr_t h);
unsigned int wv_watch_fd(int fd, uintptr_t h);

wv_window *wv_new(uintptr_t handle, const char *title, int width, int height,
	const char *data_dir, const char *cache_dir, int sandbox, int debug,
	const char *ext_dir, const char *ext_world, const char *ext_scheme);
void wv_offer_channel(wv_window *w, int fd);
int wv_set_feature(wv_window *w, const char *id, int enabled);
int wv_feature_enabled(wv_window *w, const char *id);
void wv_destroy(wv_window *w);
void wv_show(wv_window *w);
void wv_set_title(wv_window *w, const char *title);
void wv_set_icons(wv_window *w, unsigned char **pix, int *sizes, int n);
void wv_set_size(wv_window *w, int width, int height);
void wv_move(wv_window *w, int x, int y);
void wv_present(wv_window *w);
void wv_navigate(wv_window *w, const char *uri);
void wv_terminate(wv_window *w);
void wv_reload(wv_window *w);
void wv_set_notice(wv_window *w, const char *text);
void wv_enable_reload_keys(wv_window *w);

void wv_register_scheme(wv_window *w, const char *scheme, uintptr_t h);
const char *wv_request_uri(WebKitURISchemeRequest *req);
const char *wv_request_method(WebKitURISchemeRequest *req);
char *wv_request_headers(WebKitURISchemeRequest *req);
void wv_request_finish(WebKitURISchemeRequest *req, int status, const char *content_type,
	const char *headers, const void *body, size_t len);

void wv_add_script(wv_window *w, const char *src, const char *world, int all_frames,
	const char **allow);
int wv_handle_with_reply(wv_window *w, const char *name, const char *world, uintptr_t h);
int wv_handle(wv_window *w, const char *name, const char *world, uintptr_t h);
void wv_reply(wv_pending *p, const char *value, const char *error);

void wv_eval(wv_window *w, const char *js, const char *world, uintptr_t h);

void wv_track_input(wv_window *w);
// wv_restrict trims the context menu and gates fullscreen (restrict.c).
void wv_restrict(wv_window *w);
long long wv_input_age_ms(wv_window *w);
int wv_is_active(wv_window *w);
void wv_consume_gesture(wv_window *w);
void wv_clipboard_set(wv_window *w, const char *text, int len);
void wv_clipboard_request(wv_window *w, uintptr_t h);
int wv_dialog_new(wv_window *w, int save, const char *title, const char *folder, const char *name);
void wv_dialog_add_filter(wv_window *w, const char *name, const char **patterns);
void wv_dialog_show(wv_window *w, uintptr_t h);
// wv_consent_new makes w's consent dialog (see desktop.c); wv_dialog_show shows it.
int wv_consent_new(wv_window *w, const char *title, const char *text, const char *detail);
void wv_dialog_close(wv_window *w);


#endif
