/*
 * Warden web process extension.
 *
 * Loaded by WebKit into each plugin's web process. It gives the isolation
 * frame a direct channel to the core: a socket the core made for this
 * window, handed to the web process by the webview process (a user message
 * with a file descriptor). Sealed envelopes then reach the core in one
 * hop instead of two (web process -> webview process -> core), and replies
 * come back the same way.
 *
 * The channel is the function __wardenSend(envelope, onReply), defined
 * only in the isolation script world of isolation frames (the world and
 * scheme come from the initialization data). The plugin page, which runs
 * in the main world of the top frame, never sees it. onReply(replyJSON) is
 * called once per envelope with the core's reply, or onReply(null, message)
 * when the channel fails. The function is defined only once the socket has
 * arrived, so a page uses one channel for its whole life (the core's replay
 * check needs the envelopes of a launch in order).
 *
 * Frames on the socket are the core's IPC frames: a big-endian u32 length
 * (type, id and payload), a u8 type, a big-endian u32 id, the payload. The
 * extension writes only invoke frames and accepts only reply frames; the
 * core enforces the same on its side.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <webkit2/webkit-web-extension.h>

enum { TYPE_INVOKE = 3, TYPE_REPLY = 4 };
enum { HEADER = 9, MAX_FRAME = 8 << 20 };

static char *world_name;
static char *scheme_prefix;
static WebKitScriptWorld *world;

static int chan_fd = -1;
static gboolean asked;
static guint32 next_id;
static GHashTable *pending; /* id -> JSCValue callback (owned) */
static GByteArray *inbuf;
static GByteArray *outbuf;
static guint out_watch;
static guint in_watch;

static void fail_all(const char *why);

static void call_back(JSCValue *cb, const char *reply, const char *error) {
	JSCValue *r = jsc_value_function_call(cb, G_TYPE_STRING, reply, G_TYPE_STRING, error, G_TYPE_NONE);
	if (r)
		g_object_unref(r);
	/* channel.js catches everything; anything else is reported, not kept. */
	JSCContext *ctx = jsc_value_get_context(cb);
	JSCException *e = jsc_context_get_exception(ctx);
	if (e) {
		g_warning("warden: onReply threw: %s", jsc_exception_get_message(e));
		jsc_context_clear_exception(ctx);
	}
}

static void close_channel(const char *why) {
	if (chan_fd < 0)
		return;
	if (out_watch) {
		g_source_remove(out_watch);
		out_watch = 0;
	}
	if (in_watch) {
		g_source_remove(in_watch);
		in_watch = 0;
	}
	close(chan_fd);
	chan_fd = -1;
	g_byte_array_set_size(outbuf, 0);
	fail_all(why);
}

static void fail_all(const char *why) {
	GHashTableIter it;
	gpointer key, value;
	GPtrArray *cbs = g_ptr_array_new_with_free_func(g_object_unref);
	g_hash_table_iter_init(&it, pending);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		g_ptr_array_add(cbs, g_object_ref(value));
		g_hash_table_iter_remove(&it);
	}
	for (guint i = 0; i < cbs->len; i++)
		call_back(g_ptr_array_index(cbs, i), NULL, why);
	g_ptr_array_unref(cbs);
}

/* flush writes what it can of outbuf; FALSE when the channel broke. */
static gboolean flush(void) {
	while (outbuf->len > 0) {
		ssize_t n = send(chan_fd, outbuf->data, outbuf->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return TRUE;
		if (n <= 0)
			return FALSE;
		g_byte_array_remove_range(outbuf, 0, (guint)n);
	}
	return TRUE;
}

static gboolean on_writable(gint fd, GIOCondition cond, gpointer data) {
	if (!flush()) {
		out_watch = 0;
		close_channel("core channel closed");
		return G_SOURCE_REMOVE;
	}
	if (outbuf->len > 0)
		return G_SOURCE_CONTINUE;
	out_watch = 0;
	return G_SOURCE_REMOVE;
}

static void put32(guint8 *b, guint32 v) {
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static guint32 get32(const guint8 *b) {
	return ((guint32)b[0] << 24) | ((guint32)b[1] << 16) | ((guint32)b[2] << 8) | b[3];
}

/* on_reply handles one frame from the core. */
static void on_frame(guint8 type, guint32 id, const char *payload, gsize len) {
	if (type != TYPE_REPLY) {
		g_warning("warden: unexpected frame type %d from the core", type);
		return;
	}
	JSCValue *cb = NULL;
	if (!g_hash_table_steal_extended(pending, GUINT_TO_POINTER(id), NULL, (gpointer *)&cb))
		return;
	char *text = g_strndup(payload, len);
	call_back(cb, text, NULL);
	g_free(text);
	g_object_unref(cb);
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data) {
	guint8 buf[65536];
	/* Bounded per wake-up so that a flood cannot starve the page. */
	for (int round = 0; round < 16; round++) {
		ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			in_watch = 0;
			close_channel("core channel closed");
			return G_SOURCE_REMOVE;
		}
		g_byte_array_append(inbuf, buf, (guint)n);
		gsize off = 0;
		while (inbuf->len - off >= HEADER) {
			guint32 size = get32(inbuf->data + off);
			if (size < 5 || size > MAX_FRAME) {
				in_watch = 0;
				close_channel("core sent a malformed frame");
				return G_SOURCE_REMOVE;
			}
			if (inbuf->len - off < 4 + (gsize)size)
				break;
			const guint8 *f = inbuf->data + off + 4;
			on_frame(f[0], get32(f + 1), (const char *)f + 5, size - 5);
			off += 4 + size;
			if (chan_fd < 0)
				return G_SOURCE_REMOVE; /* closed by a callback; in_watch is already removed */
		}
		if (off > 0)
			g_byte_array_remove_range(inbuf, 0, (guint)off);
	}
	return G_SOURCE_CONTINUE;
}

/* js_send is __wardenSend(envelope, onReply): TRUE once the envelope is
 * queued for the core; it throws when the channel is closed. */
static gboolean js_send(const char *envelope, JSCValue *cb, gpointer data) {
	JSCContext *ctx = jsc_context_get_current();
	if (chan_fd < 0) {
		jsc_context_throw(ctx, "core channel closed");
		return FALSE;
	}
	if (!envelope || !jsc_value_is_function(cb)) {
		jsc_context_throw(ctx, "__wardenSend(envelope, onReply): bad arguments");
		return FALSE;
	}
	gsize len = strlen(envelope);
	if (len + 5 > MAX_FRAME) {
		jsc_context_throw(ctx, "envelope too large");
		return FALSE;
	}
	/* Skip 0 and, after a wrap, ids still waiting for their reply. */
	do
		next_id++;
	while (next_id == 0 || g_hash_table_contains(pending, GUINT_TO_POINTER(next_id)));
	guint8 head[HEADER];
	put32(head, (guint32)(len + 5));
	head[4] = TYPE_INVOKE;
	put32(head + 5, next_id);
	g_byte_array_append(outbuf, head, HEADER);
	g_byte_array_append(outbuf, (const guint8 *)envelope, (guint)len);
	g_hash_table_insert(pending, GUINT_TO_POINTER(next_id), g_object_ref(cb));
	if (out_watch == 0) {
		if (!flush()) {
			close_channel("core channel closed");
			return TRUE; /* onReply has been called with the error */
		}
		if (outbuf->len > 0)
			out_watch = g_unix_fd_add(chan_fd, G_IO_OUT, on_writable, NULL);
	}
	return TRUE;
}

static void on_channel(GObject *src, GAsyncResult *res, gpointer data) {
	GError *err = NULL;
	WebKitUserMessage *msg = webkit_web_page_send_message_to_view_finish(WEBKIT_WEB_PAGE(src), res, &err);
	if (!msg) {
		g_clear_error(&err);
		return;
	}
	GUnixFDList *fds = webkit_user_message_get_fd_list(msg);
	if (fds && g_unix_fd_list_get_length(fds) == 1 && chan_fd < 0) {
		int fd = g_unix_fd_list_get(fds, 0, &err);
		if (fd >= 0) {
			fcntl(fd, F_SETFD, FD_CLOEXEC);
			chan_fd = fd;
			in_watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable, NULL);
		}
		g_clear_error(&err);
	}
	g_object_unref(msg);
}

static void on_page_created(WebKitWebExtension *ext, WebKitWebPage *page, gpointer data) {
	/* One channel per web process: a second page (there is none in
	 * Warden) would use the webview process's relay. */
	if (asked)
		return;
	asked = TRUE;
	WebKitUserMessage *msg = webkit_user_message_new("warden.channel", NULL);
	webkit_web_page_send_message_to_view(page, msg, NULL, on_channel, NULL);
}

static void on_cleared(WebKitScriptWorld *w, WebKitWebPage *page, WebKitFrame *frame, gpointer data) {
	if (chan_fd < 0 || webkit_frame_is_main_frame(frame))
		return;
	const char *uri = webkit_frame_get_uri(frame);
	if (!uri || !g_str_has_prefix(uri, scheme_prefix))
		return;
	JSCContext *ctx = webkit_frame_get_js_context_for_script_world(frame, w);
	JSCValue *fn = jsc_value_new_function(ctx, "__wardenSend", G_CALLBACK(js_send), NULL, NULL,
		G_TYPE_BOOLEAN, 2, G_TYPE_STRING, JSC_TYPE_VALUE);
	jsc_context_set_value(ctx, "__wardenSend", fn);
	g_object_unref(fn);
	g_object_unref(ctx);
}

G_MODULE_EXPORT void webkit_web_extension_initialize_with_user_data(WebKitWebExtension *ext, const GVariant *data) {
	if (!data || !g_variant_is_of_type((GVariant *)data, G_VARIANT_TYPE("(ss)"))) {
		g_warning("warden: web extension started without its configuration");
		return;
	}
	g_variant_get((GVariant *)data, "(ss)", &world_name, &scheme_prefix);
	pending = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_object_unref);
	inbuf = g_byte_array_new();
	outbuf = g_byte_array_new();
	world = webkit_script_world_new_with_name(world_name);
	g_signal_connect(world, "window-object-cleared", G_CALLBACK(on_cleared), NULL);
	g_signal_connect(ext, "page-created", G_CALLBACK(on_page_created), NULL);
}
