// What a page may not do with its window: offer the user browser
// navigation in the context menu, or go fullscreen on its own. GTK thread
// only.
#include "webview.h"

// menu_item_kept reports whether the context menu keeps an item with
// action a: editing, copying and spelling, what the user of a plugin's
// page needs; never navigation (Back, Forward, Stop, Reload), opening or
// downloading links, images and media, or fullscreen video. The
// inspector's item stays in debug windows.
static gboolean menu_item_kept(WebKitContextMenuAction a, gboolean debug) {
	switch (a) {
	case WEBKIT_CONTEXT_MENU_ACTION_NO_ACTION: // separators, kept for now
	case WEBKIT_CONTEXT_MENU_ACTION_COPY:
	case WEBKIT_CONTEXT_MENU_ACTION_CUT:
	case WEBKIT_CONTEXT_MENU_ACTION_PASTE:
	case WEBKIT_CONTEXT_MENU_ACTION_PASTE_AS_PLAIN_TEXT:
	case WEBKIT_CONTEXT_MENU_ACTION_DELETE:
	case WEBKIT_CONTEXT_MENU_ACTION_SELECT_ALL:
	case WEBKIT_CONTEXT_MENU_ACTION_INPUT_METHODS:
	case WEBKIT_CONTEXT_MENU_ACTION_UNICODE:
	case WEBKIT_CONTEXT_MENU_ACTION_SPELLING_GUESS:
	case WEBKIT_CONTEXT_MENU_ACTION_NO_GUESSES_FOUND:
	case WEBKIT_CONTEXT_MENU_ACTION_IGNORE_SPELLING:
	case WEBKIT_CONTEXT_MENU_ACTION_LEARN_SPELLING:
	case WEBKIT_CONTEXT_MENU_ACTION_IGNORE_GRAMMAR:
	case WEBKIT_CONTEXT_MENU_ACTION_COPY_LINK_TO_CLIPBOARD:
	case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_TO_CLIPBOARD:
	case WEBKIT_CONTEXT_MENU_ACTION_COPY_IMAGE_URL_TO_CLIPBOARD:
		return TRUE;
	case WEBKIT_CONTEXT_MENU_ACTION_INSPECT_ELEMENT:
		return debug;
	default:
		return FALSE;
	}
}

static gboolean is_separator(WebKitContextMenuItem *it) {
	return webkit_context_menu_item_is_separator(it);
}

static gboolean on_context_menu(WebKitWebView *view, WebKitContextMenu *menu, GdkEvent *ev,
	WebKitHitTestResult *hit, gpointer data) {
	(void)ev;
	(void)hit;
	(void)data;
	gboolean debug = webkit_settings_get_enable_developer_extras(webkit_web_view_get_settings(view));
	GList *items = g_list_copy(webkit_context_menu_get_items(menu));
	for (GList *l = items; l; l = l->next) {
		WebKitContextMenuItem *it = l->data;
		if (!menu_item_kept(webkit_context_menu_item_get_stock_action(it), debug))
			webkit_context_menu_remove(menu, it);
	}
	g_list_free(items);
	// No separator first, last or next to another.
	items = g_list_copy(webkit_context_menu_get_items(menu));
	gboolean after_item = FALSE;
	WebKitContextMenuItem *pending = NULL;
	for (GList *l = items; l; l = l->next) {
		WebKitContextMenuItem *it = l->data;
		if (!is_separator(it)) {
			after_item = TRUE;
			pending = NULL;
			continue;
		}
		if (!after_item || pending)
			webkit_context_menu_remove(menu, it);
		else
			pending = it;
	}
	if (pending)
		webkit_context_menu_remove(menu, pending);
	g_list_free(items);
	// An empty menu is not shown at all.
	return webkit_context_menu_get_n_items(menu) == 0;
}

// on_enter_fullscreen lets a page go fullscreen only right after a real
// key or button press in its window (see desktop.c): a page that covers
// the screen on its own could draw a look-alike of anything.
static gboolean on_enter_fullscreen(WebKitWebView *view, gpointer data) {
	(void)view;
	wv_window *w = data;
	long long age = wv_input_age_ms(w);
	return age < 0 || age > 1000; // TRUE stops it
}

void wv_restrict(wv_window *w) {
	g_signal_connect(w->view, "context-menu", G_CALLBACK(on_context_menu), w);
	g_signal_connect(w->view, "enter-fullscreen", G_CALLBACK(on_enter_fullscreen), w);
}
