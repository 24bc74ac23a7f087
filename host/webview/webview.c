// WebKitGTK 4.1 calls behind the Go binding. Every function here runs on
// the GTK thread except wv_dispatch and wv_on_gtk_thread.
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gunixfdlist.h>
#include "webview.h"
#ifdef GDK_WINDOWING_X11
#include <gdk/gdkx.h>
#endif
#include "_cgo_export.h"

int wv_init(void) {
	// JavaScriptCore and the Go runtime both want SIGUSR1; give it back to
	// the default before GTK and JSC set up theirs.
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &sa, NULL);
	return gtk_init_check(NULL, NULL) ? 0 : -1;
}

void wv_main(void) { gtk_main(); }

void wv_quit(void) {
	if (gtk_main_level() > 0)
		gtk_main_quit();
}

int wv_on_gtk_thread(void) { return g_main_context_is_owner(g_main_context_default()); }

static gboolean dispatch_cb(gpointer data) {
	goDispatch((uintptr_t)data);
	return G_SOURCE_REMOVE;
}

// wv_dispatch always queues, even on the GTK thread: g_main_context_invoke
// would run the function at once on any thread that happens to acquire the
// context between two loop iterations, which GTK does not survive. It runs
// at default priority, beside WebKit's own IPC sources: replies to the page
// waiting behind idle work doubled the invoke round trip.
void wv_dispatch(uintptr_t h) {
	GSource *src = g_idle_source_new();
	g_source_set_priority(src, G_PRIORITY_DEFAULT);
	g_source_set_callback(src, dispatch_cb, (gpointer)h, NULL);
	g_source_attach(src, g_main_context_default());
	g_source_unref(src);
}

static gboolean fd_ready_cb(gint fd, GIOCondition cond, gpointer data) {
	(void)cond;
	return goFDReady((uintptr_t)data, fd) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void fd_destroy(gpointer data) { goFreeHandle((uintptr_t)data); }

// wv_watch_fd calls goFDReady on the GTK thread whenever fd is readable
// (or hung up) until it returns 0.
unsigned int wv_watch_fd(int fd, uintptr_t h) {
	return g_unix_fd_add_full(G_PRIORITY_DEFAULT, fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
		fd_ready_cb, (gpointer)h, fd_destroy);
}

static void free_handle(gpointer data, GClosure *closure) {
	(void)closure;
	goFreeHandle((uintptr_t)data);
}

static void free_handle_notify(gpointer data) { goFreeHandle((uintptr_t)data); }

static gboolean on_delete(GtkWidget *widget, GdkEvent *event, gpointer data) {
	(void)widget;
	(void)event;
	goClose(((wv_window *)data)->handle);
	return TRUE; // Go decides whether the window goes away
}

static void on_load_changed(WebKitWebView *view, WebKitLoadEvent ev, gpointer data) {
	const char *uri = webkit_web_view_get_uri(view);
	goLoad(((wv_window *)data)->handle, (int)ev, (char *)(uri ? uri : ""));
}

static void on_terminated(WebKitWebView *view, WebKitWebProcessTerminationReason reason, gpointer data) {
	(void)view;
	const char *why = "unknown";
	switch (reason) {
	case WEBKIT_WEB_PROCESS_CRASHED: why = "crashed"; break;
	case WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT: why = "exceeded memory limit"; break;
	case WEBKIT_WEB_PROCESS_TERMINATED_BY_API: why = "terminated by api"; break;
	}
	goTerminated(((wv_window *)data)->handle, (char *)why);
}

static const char *request_uri(WebKitURIRequest *req) {
	const char *uri = req ? webkit_uri_request_get_uri(req) : NULL;
	return uri ? uri : "";
}

// Policy kinds passed to goPolicy.
enum { POLICY_NAVIGATION = 0, POLICY_NEW_WINDOW = 1, POLICY_RESPONSE = 2 };

static gboolean on_decide_policy(WebKitWebView *view, WebKitPolicyDecision *decision,
	WebKitPolicyDecisionType type, gpointer data) {
	(void)view;
	uintptr_t h = ((wv_window *)data)->handle;
	int allow = 1;
	switch (type) {
	case WEBKIT_POLICY_DECISION_TYPE_NAVIGATION_ACTION:
	case WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION: {
		WebKitNavigationAction *a = webkit_navigation_policy_decision_get_navigation_action(
			WEBKIT_NAVIGATION_POLICY_DECISION(decision));
		int kind = type == WEBKIT_POLICY_DECISION_TYPE_NEW_WINDOW_ACTION ? POLICY_NEW_WINDOW : POLICY_NAVIGATION;
		allow = goPolicy(h, (char *)request_uri(webkit_navigation_action_get_request(a)), kind, 0);
		break;
	}
	case WEBKIT_POLICY_DECISION_TYPE_RESPONSE: {
		WebKitResponsePolicyDecision *r = WEBKIT_RESPONSE_POLICY_DECISION(decision);
		// Only a frame's own document is a navigation; the main frame is
		// the one case the navigation action cannot tell apart.
		int main = webkit_response_policy_decision_is_main_frame_main_resource(r);
		allow = goPolicy(h, (char *)request_uri(webkit_response_policy_decision_get_request(r)), POLICY_RESPONSE, main);
		break;
	}
	default:
		return FALSE;
	}
	if (allow)
		return FALSE; // let WebKit apply its default (use)
	webkit_policy_decision_ignore(decision);
	return TRUE;
}

static GtkWidget *on_create(WebKitWebView *view, WebKitNavigationAction *a, gpointer data) {
	(void)view;
	(void)a;
	(void)data;
	return NULL; // never a new window, whatever the policy said
}

// on_user_message answers the web extension's request for its channel to
// the core: the descriptor goes to the first web process that asks, and
// this process keeps no copy.
static gboolean on_user_message(WebKitWebView *view, WebKitUserMessage *msg, gpointer data) {
	wv_window *w = data;
	(void)view;
	if (g_strcmp0(webkit_user_message_get_name(msg), "warden.channel") != 0)
		return FALSE;
	WebKitUserMessage *reply;
	if (w->chan_fd >= 0) {
		GUnixFDList *fds = g_unix_fd_list_new_from_array(&w->chan_fd, 1); // takes the fd
		w->chan_fd = -1;
		reply = webkit_user_message_new_with_fd_list("warden.channel", NULL, fds);
		g_object_unref(fds);
	} else {
		reply = webkit_user_message_new("warden.channel", NULL);
	}
	webkit_user_message_send_reply(msg, reply);
	return TRUE;
}

// new_notice_label makes the label that shows the core's notices (a build
// error under warden dev) over the top of the page. It stays hidden, also
// through gtk_widget_show_all, until a notice is set.
static GtkWidget *new_notice_label(void) {
	GtkWidget *l = gtk_label_new(NULL);
	gtk_widget_set_name(l, "warden-notice");
	gtk_label_set_line_wrap(GTK_LABEL(l), TRUE);
	gtk_label_set_selectable(GTK_LABEL(l), TRUE);
	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_widget_set_valign(l, GTK_ALIGN_START);
	gtk_widget_set_halign(l, GTK_ALIGN_FILL);
	GtkCssProvider *css = gtk_css_provider_new();
	gtk_css_provider_load_from_data(css,
		"#warden-notice { background-color: #7f1d1d; color: #ffffff; padding: 10px;"
		" font-family: monospace; }", -1, NULL);
	gtk_style_context_add_provider(gtk_widget_get_style_context(l), GTK_STYLE_PROVIDER(css),
		GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	g_object_unref(css);
	gtk_widget_set_no_show_all(l, TRUE);
	return l;
}

void wv_offer_channel(wv_window *w, int fd) {
	if (w->chan_fd >= 0)
		close(w->chan_fd);
	w->chan_fd = fd;
}

wv_window *wv_new(uintptr_t handle, const char *title, int width, int height,
	const char *data_dir, const char *cache_dir, int sandbox, int debug,
	const char *ext_dir, const char *ext_world, const char *ext_scheme) {
	wv_window *w = g_new0(wv_window, 1);
	w->handle = handle;
	w->chan_fd = -1;

	WebKitWebsiteDataManager *dm;
	if (data_dir && *data_dir)
		dm = webkit_website_data_manager_new("base-data-directory", data_dir,
			"base-cache-directory", cache_dir, NULL);
	else
		dm = webkit_website_data_manager_new_ephemeral();
	// Every http(s) and WebSocket load goes to a proxy that is never there
	// (the discard port on loopback, which is down in the webview process's
	// network namespace), so the network process never resolves a page's
	// host names itself: a load that slips past the CSP cannot carry data
	// out in a DNS query, not even through a resolver daemon's socket.
	WebKitNetworkProxySettings *proxy = webkit_network_proxy_settings_new("http://127.0.0.1:9", NULL);
	webkit_website_data_manager_set_network_proxy_settings(dm, WEBKIT_NETWORK_PROXY_MODE_CUSTOM, proxy);
	webkit_network_proxy_settings_free(proxy);
	w->ctx = webkit_web_context_new_with_website_data_manager(dm);
	g_object_unref(dm);
	// One plugin page per context: no need for WebKit's page cache.
	webkit_web_context_set_cache_model(w->ctx, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
	if (sandbox)
		webkit_web_context_set_sandbox_enabled(w->ctx, TRUE);
	if (ext_dir && *ext_dir) {
		webkit_web_context_set_web_extensions_directory(w->ctx, ext_dir);
		webkit_web_context_set_web_extensions_initialization_user_data(w->ctx,
			g_variant_new("(ss)", ext_world, ext_scheme));
	}

	w->ucm = webkit_user_content_manager_new();
	w->view = WEBKIT_WEB_VIEW(g_object_new(WEBKIT_TYPE_WEB_VIEW,
		"web-context", w->ctx, "user-content-manager", w->ucm, NULL));
	g_object_ref_sink(w->view);

	WebKitSettings *s = webkit_web_view_get_settings(w->view);
	webkit_settings_set_enable_developer_extras(s, debug ? TRUE : FALSE);
	webkit_settings_set_enable_write_console_messages_to_stdout(s, debug ? TRUE : FALSE);
	webkit_settings_set_javascript_can_open_windows_automatically(s, FALSE);
	webkit_settings_set_allow_file_access_from_file_urls(s, FALSE);
	webkit_settings_set_allow_universal_access_from_file_urls(s, FALSE);
	// WebRTC's ICE candidate gathering (STUN over UDP) reaches the network
	// outside what the page's CSP governs; both are off by default.
	webkit_settings_set_enable_webrtc(s, FALSE);
	webkit_settings_set_enable_media_stream(s, FALSE);

	w->window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	g_object_ref_sink(w->window);
	gtk_window_set_title(GTK_WINDOW(w->window), title);
	gtk_window_set_default_size(GTK_WINDOW(w->window), width, height);
	// The page sits in an overlay whose other child is the notice label:
	// drawn by GTK above the page, out of the page's reach.
	GtkWidget *overlay = gtk_overlay_new();
	gtk_container_add(GTK_CONTAINER(overlay), GTK_WIDGET(w->view));
	w->notice = new_notice_label();
	gtk_overlay_add_overlay(GTK_OVERLAY(overlay), w->notice);
	gtk_container_add(GTK_CONTAINER(w->window), overlay);

	g_signal_connect(w->window, "delete-event", G_CALLBACK(on_delete), w);
	g_signal_connect(w->view, "load-changed", G_CALLBACK(on_load_changed), w);
	g_signal_connect(w->view, "web-process-terminated", G_CALLBACK(on_terminated), w);
	g_signal_connect(w->view, "decide-policy", G_CALLBACK(on_decide_policy), w);
	g_signal_connect(w->view, "create", G_CALLBACK(on_create), w);
	g_signal_connect(w->view, "user-message-received", G_CALLBACK(on_user_message), w);
	wv_track_input(w);
	wv_restrict(w);
	return w;
}

int wv_set_feature(wv_window *w, const char *id, int enabled) {
	WebKitSettings *s = webkit_web_view_get_settings(w->view);
	WebKitFeatureList *list = webkit_settings_get_all_features();
	int found = 0;
	for (gsize i = 0; i < webkit_feature_list_get_length(list); i++) {
		WebKitFeature *f = webkit_feature_list_get(list, i);
		if (g_strcmp0(webkit_feature_get_identifier(f), id) == 0) {
			webkit_settings_set_feature_enabled(s, f, enabled ? TRUE : FALSE);
			found = 1;
			break;
		}
	}
	webkit_feature_list_unref(list);
	return found;
}

int wv_feature_enabled(wv_window *w, const char *id) {
	WebKitSettings *s = webkit_web_view_get_settings(w->view);
	WebKitFeatureList *list = webkit_settings_get_all_features();
	int state = -1;
	for (gsize i = 0; i < webkit_feature_list_get_length(list); i++) {
		WebKitFeature *f = webkit_feature_list_get(list, i);
		if (g_strcmp0(webkit_feature_get_identifier(f), id) == 0) {
			state = webkit_settings_get_feature_enabled(s, f) ? 1 : 0;
			break;
		}
	}
	webkit_feature_list_unref(list);
	return state;
}

void wv_show(wv_window *w) { gtk_widget_show_all(w->window); }

void wv_destroy(wv_window *w) {
	wv_dialog_close(w);
	// Disconnect first: destruction emits signals, and the Go side of w is
	// gone after this call.
	g_signal_handlers_disconnect_by_data(w->window, w);
	g_signal_handlers_disconnect_by_data(w->view, w);
	gtk_widget_destroy(w->window);
	g_object_unref(w->window);
	g_object_unref(w->view);
	g_object_unref(w->ucm); // drops message handlers and their handles
	g_object_unref(w->ctx); // drops scheme handlers and their handles
	if (w->chan_fd >= 0)
		close(w->chan_fd);
	g_free(w);
}

void wv_set_title(wv_window *w, const char *title) { gtk_window_set_title(GTK_WINDOW(w->window), title); }

// wv_set_icons gives w's window n icons: pix[i] holds sizes[i]^2 RGBA
// pixels, copied here.
void wv_set_icons(wv_window *w, unsigned char **pix, int *sizes, int n) {
	GList *list = NULL;
	for (int i = 0; i < n; i++) {
		int s = sizes[i];
		GBytes *b = g_bytes_new(pix[i], (gsize)s * s * 4);
		GdkPixbuf *p = gdk_pixbuf_new_from_bytes(b, GDK_COLORSPACE_RGB, TRUE, 8, s, s, s * 4);
		g_bytes_unref(b);
		list = g_list_append(list, p);
	}
	gtk_window_set_icon_list(GTK_WINDOW(w->window), list);
	g_list_free_full(list, g_object_unref);
}

void wv_set_size(wv_window *w, int width, int height) { gtk_window_resize(GTK_WINDOW(w->window), width, height); }

void wv_move(wv_window *w, int x, int y) { gtk_window_move(GTK_WINDOW(w->window), x, y); }

// wv_present raises w and gives it the focus. On X11 it passes the X
// server's current time: a window manager's focus-stealing prevention
// refuses a raise without a timestamp, and the caller acts on the user's
// own recent input elsewhere (a click in a plugin window, a file opened).
void wv_present(wv_window *w) {
	guint32 t = GDK_CURRENT_TIME;
	GdkWindow *gw = gtk_widget_get_window(w->window);
#ifdef GDK_WINDOWING_X11
	if (gw != NULL && GDK_IS_X11_WINDOW(gw))
		t = gdk_x11_get_server_time(gw);
#endif
	gtk_window_present_with_time(GTK_WINDOW(w->window), t);
}

void wv_navigate(wv_window *w, const char *uri) { webkit_web_view_load_uri(w->view, uri); }

void wv_terminate(wv_window *w) { webkit_web_view_terminate_web_process(w->view); }

// wv_reload loads the current page again, bypassing the cache: under warden
// dev its files have just changed.
void wv_reload(wv_window *w) { webkit_web_view_reload_bypass_cache(w->view); }

// wv_set_notice shows text over the top of the page, or hides the notice
// when text is NULL or empty.
void wv_set_notice(wv_window *w, const char *text) {
	if (!text || !*text) {
		gtk_widget_hide(w->notice);
		gtk_label_set_text(GTK_LABEL(w->notice), "");
		return;
	}
	gtk_label_set_text(GTK_LABEL(w->notice), text);
	gtk_widget_show(w->notice);
}

static gboolean on_key_press(GtkWidget *widget, GdkEventKey *ev, gpointer data) {
	(void)widget;
	wv_window *w = data;
	guint mods = ev->state & gtk_accelerator_get_default_mod_mask();
	int ctrl_r = mods == GDK_CONTROL_MASK && (ev->keyval == GDK_KEY_r || ev->keyval == GDK_KEY_R);
	if (ev->keyval == GDK_KEY_F5 || ctrl_r) {
		wv_reload(w);
		return TRUE;
	}
	return FALSE;
}

// wv_enable_reload_keys makes F5 and Ctrl+R reload the page. The window
// sees the keys before the page does.
void wv_enable_reload_keys(wv_window *w) {
	g_signal_connect(w->window, "key-press-event", G_CALLBACK(on_key_press), w);
}

static void scheme_cb(WebKitURISchemeRequest *req, gpointer data) {
	goScheme((uintptr_t)data, req);
}

void wv_register_scheme(wv_window *w, const char *scheme, uintptr_t h) {
	webkit_web_context_register_uri_scheme(w->ctx, scheme, scheme_cb, (gpointer)h, free_handle_notify);
}

const char *wv_request_uri(WebKitURISchemeRequest *req) {
	const char *s = webkit_uri_scheme_request_get_uri(req);
	return s ? s : "";
}

const char *wv_request_method(WebKitURISchemeRequest *req) {
	const char *s = webkit_uri_scheme_request_get_http_method(req);
	return s ? s : "GET";
}

// wv_request_headers returns the request headers as "Name: value\n"
// lines (g_free it).
char *wv_request_headers(WebKitURISchemeRequest *req) {
	GString *out = g_string_new(NULL);
	SoupMessageHeaders *hs = webkit_uri_scheme_request_get_http_headers(req);
	if (hs) {
		SoupMessageHeadersIter it;
		const char *name, *value;
		soup_message_headers_iter_init(&it, hs);
		while (soup_message_headers_iter_next(&it, &name, &value))
			g_string_append_printf(out, "%s: %s\n", name, value);
	}
	return g_string_free(out, FALSE);
}

// wv_request_finish answers req. headers holds "Name: value\n" lines; the
// body is copied, so the caller keeps ownership of its buffer.
void wv_request_finish(WebKitURISchemeRequest *req, int status, const char *content_type,
	const char *headers, const void *body, size_t len) {
	GInputStream *in = g_memory_input_stream_new_from_data(len ? g_memdup2(body, len) : NULL, len, g_free);
	WebKitURISchemeResponse *resp = webkit_uri_scheme_response_new(in, (gint64)len);
	webkit_uri_scheme_response_set_status(resp, (guint)status, NULL);
	webkit_uri_scheme_response_set_content_type(resp, content_type);
	SoupMessageHeaders *hs = soup_message_headers_new(SOUP_MESSAGE_HEADERS_RESPONSE);
	const char *p = headers;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		if (colon) {
			char *name = g_strndup(p, (gsize)(colon - p));
			const char *v = colon + 1;
			while (v < p + n && *v == ' ')
				v++;
			char *value = g_strndup(v, (gsize)(p + n - v));
			soup_message_headers_append(hs, name, value);
			g_free(name);
			g_free(value);
		}
		p = nl ? nl + 1 : p + n;
	}
	webkit_uri_scheme_response_set_http_headers(resp, hs); // takes hs
	webkit_uri_scheme_request_finish_with_response(req, resp);
	g_object_unref(resp);
	g_object_unref(in);
}

void wv_add_script(wv_window *w, const char *src, const char *world, int all_frames, const char **allow) {
	WebKitUserContentInjectedFrames frames = all_frames ? WEBKIT_USER_CONTENT_INJECT_ALL_FRAMES : WEBKIT_USER_CONTENT_INJECT_TOP_FRAME;
	WebKitUserScript *s;
	if (world && *world)
		s = webkit_user_script_new_for_world(src, frames, WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, world, allow, NULL);
	else
		s = webkit_user_script_new(src, frames, WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, allow, NULL);
	webkit_user_content_manager_add_script(w->ucm, s);
	webkit_user_script_unref(s);
}

static gboolean on_message_with_reply(WebKitUserContentManager *m, JSCValue *value,
	WebKitScriptMessageReply *reply, gpointer data) {
	(void)m;
	char *msg = jsc_value_is_string(value) ? jsc_value_to_string(value) : jsc_value_to_json(value, 0);
	wv_pending *p = g_new0(wv_pending, 1);
	p->reply = webkit_script_message_reply_ref(reply);
	p->ctx = g_object_ref(jsc_value_get_context(value));
	goMessage((uintptr_t)data, msg ? msg : (char *)"null", p);
	g_free(msg);
	return TRUE; // answered later, through wv_reply
}

int wv_handle_with_reply(wv_window *w, const char *name, const char *world, uintptr_t h) {
	char *signal = g_strconcat("script-message-with-reply-received::", name, NULL);
	g_signal_connect_data(w->ucm, signal, G_CALLBACK(on_message_with_reply), (gpointer)h, free_handle, 0);
	g_free(signal);
	return webkit_user_content_manager_register_script_message_handler_with_reply(
		w->ucm, name, world && *world ? world : NULL);
}

static void on_message(WebKitUserContentManager *m, WebKitJavascriptResult *res, gpointer data) {
	(void)m;
	JSCValue *value = webkit_javascript_result_get_js_value(res);
	char *msg = jsc_value_is_string(value) ? jsc_value_to_string(value) : jsc_value_to_json(value, 0);
	goMessageNoReply((uintptr_t)data, msg ? msg : (char *)"null");
	g_free(msg);
}

// wv_handle registers the script message handler name in world (NULL or ""
// for the page's own world), without a reply: postMessage returns nothing.
int wv_handle(wv_window *w, const char *name, const char *world, uintptr_t h) {
	char *signal = g_strconcat("script-message-received::", name, NULL);
	g_signal_connect_data(w->ucm, signal, G_CALLBACK(on_message), (gpointer)h, free_handle, 0);
	g_free(signal);
	if (world && *world)
		return webkit_user_content_manager_register_script_message_handler_in_world(w->ucm, name, world);
	return webkit_user_content_manager_register_script_message_handler(w->ucm, name);
}

// wv_reply settles a pending message with value (a string) or, when error
// is not NULL, rejects it with error; it frees p.
void wv_reply(wv_pending *p, const char *value, const char *error) {
	if (error) {
		webkit_script_message_reply_return_error_message(p->reply, error);
	} else {
		JSCValue *v = jsc_value_new_string(p->ctx, value);
		webkit_script_message_reply_return_value(p->reply, v);
		g_object_unref(v);
	}
	webkit_script_message_reply_unref(p->reply);
	g_object_unref(p->ctx);
	g_free(p);
}

static void eval_done(GObject *src, GAsyncResult *res, gpointer data) {
	GError *err = NULL;
	JSCValue *v = webkit_web_view_call_async_javascript_function_finish(WEBKIT_WEB_VIEW(src), res, &err);
	uintptr_t h = (uintptr_t)data;
	if (!v) {
		goEvalDone(h, NULL, err ? err->message : (char *)"evaluation failed");
		g_clear_error(&err);
		return;
	}
	char *json = NULL;
	if (!jsc_value_is_undefined(v))
		json = jsc_value_to_json(v, 0);
	goEvalDone(h, json ? json : (char *)"null", NULL);
	g_free(json);
	g_object_unref(v);
}

// wv_eval runs js as the body of an async function in world (NULL or ""
// for the page's own world) and reports the awaited result as JSON to the
// Go callback h.
void wv_eval(wv_window *w, const char *js, const char *world, uintptr_t h) {
	webkit_web_view_call_async_javascript_function(w->view, js, -1, NULL,
		world && *world ? world : NULL, NULL, NULL, eval_done, (gpointer)h);
}
