// The desktop side of a plugin window: which input the user really gave
// it, the clipboard, and file dialogs. GTK thread only.
#include "webview.h"
#include "_cgo_export.h"

// on_input notes the time of a key or button press the X server delivered.
// An event another client sent (XSendEvent) has send_event set and does
// not count; what a page's script dispatches never reaches GTK at all.
static gboolean on_input(GtkWidget *widget, GdkEvent *ev, gpointer data) {
	(void)widget;
	wv_window *w = data;
	if (!ev->any.send_event)
		w->last_input = g_get_monotonic_time();
	return FALSE; // the page still gets the event
}

// wv_track_input starts watching w's real input: key presses reach the
// toplevel before the focused widget, button presses reach the view before
// WebKit's own handler.
void wv_track_input(wv_window *w) {
	g_signal_connect(w->window, "key-press-event", G_CALLBACK(on_input), w);
	g_signal_connect(w->view, "button-press-event", G_CALLBACK(on_input), w);
}

// wv_input_age_ms is how long ago the last real key or button press was,
// in milliseconds, or -1 for none.
long long wv_input_age_ms(wv_window *w) {
	if (w->last_input == 0)
		return -1;
	return (long long)((g_get_monotonic_time() - w->last_input) / 1000);
}

int wv_is_active(wv_window *w) { return gtk_window_is_active(GTK_WINDOW(w->window)) ? 1 : 0; }

// wv_consume_gesture forgets the last press: one press, one dialog.
void wv_consume_gesture(wv_window *w) { w->last_input = 0; }

void wv_clipboard_set(wv_window *w, const char *text, int len) {
	gtk_clipboard_set_text(gtk_widget_get_clipboard(w->window, GDK_SELECTION_CLIPBOARD), text, len);
}

static void clipboard_text_cb(GtkClipboard *cb, const gchar *text, gpointer data) {
	(void)cb;
	goClipboardText((uintptr_t)data, (char *)text);
}

// wv_clipboard_request asks for the clipboard's text and calls
// goClipboardText with it (NULL for none) once it arrives.
void wv_clipboard_request(wv_window *w, uintptr_t h) {
	gtk_clipboard_request_text(gtk_widget_get_clipboard(w->window, GDK_SELECTION_CLIPBOARD),
		clipboard_text_cb, (gpointer)h);
}

// wv_dialog_new makes w's file dialog, modal to w, starting in folder, for
// save with name suggested, or for open. It returns 0 when a dialog is
// already open.
int wv_dialog_new(wv_window *w, int save, const char *title, const char *folder, const char *name) {
	if (w->dialog)
		return 0;
	GtkFileChooserAction action = save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN;
	GtkWidget *d = gtk_file_chooser_dialog_new(title, GTK_WINDOW(w->window), action,
		"_Cancel", GTK_RESPONSE_CANCEL, save ? "_Save" : "_Open", GTK_RESPONSE_ACCEPT, NULL);
	gtk_window_set_modal(GTK_WINDOW(d), TRUE);
	gtk_window_set_destroy_with_parent(GTK_WINDOW(d), TRUE);
	gtk_window_set_position(GTK_WINDOW(d), GTK_WIN_POS_CENTER_ON_PARENT);
	GtkFileChooser *fc = GTK_FILE_CHOOSER(d);
	gtk_file_chooser_set_local_only(fc, TRUE);
	gtk_file_chooser_set_select_multiple(fc, FALSE);
	if (folder && *folder)
		gtk_file_chooser_set_current_folder(fc, folder);
	if (save) {
		gtk_file_chooser_set_do_overwrite_confirmation(fc, TRUE);
		if (name && *name)
			gtk_file_chooser_set_current_name(fc, name);
	}
	w->dialog = d;
	return 1;
}

// wv_dialog_add_filter adds a filter named name matching the NULL-ended
// patterns to w's new dialog.
void wv_dialog_add_filter(wv_window *w, const char *name, const char **patterns) {
	GtkFileFilter *f = gtk_file_filter_new();
	gtk_file_filter_set_name(f, name);
	for (; *patterns; patterns++)
		gtk_file_filter_add_pattern(f, *patterns);
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(w->dialog), f); // takes f
}

// wv_consent_new makes w's consent dialog, modal to w: a question (text,
// plain text, never markup) with detail under it, and the buttons "Don't
// allow" (the default, so Return refuses) and "Allow". It returns 0 when
// a dialog is already open.
int wv_consent_new(wv_window *w, const char *title, const char *text, const char *detail) {
	if (w->dialog)
		return 0;
	GtkWidget *d = gtk_message_dialog_new(GTK_WINDOW(w->window),
		GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT, GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE, "%s", text);
	gtk_message_dialog_format_secondary_text(GTK_MESSAGE_DIALOG(d), "%s", detail);
	gtk_dialog_add_buttons(GTK_DIALOG(d), "_Don't allow", GTK_RESPONSE_REJECT, "_Allow", GTK_RESPONSE_ACCEPT, NULL);
	gtk_dialog_set_default_response(GTK_DIALOG(d), GTK_RESPONSE_REJECT);
	gtk_window_set_title(GTK_WINDOW(d), title);
	gtk_window_set_position(GTK_WINDOW(d), GTK_WIN_POS_CENTER_ON_PARENT);
	w->dialog = d;
	return 1;
}

static void on_dialog_response(GtkDialog *d, gint response, gpointer data) {
	wv_window *w = data;
	char *path = NULL;
	if (!GTK_IS_FILE_CHOOSER(d)) {
		// A consent dialog: its answer, or NULL when closed unanswered.
		if (response == GTK_RESPONSE_ACCEPT)
			path = g_strdup("allow");
		else if (response == GTK_RESPONSE_REJECT)
			path = g_strdup("deny");
	} else if (response == GTK_RESPONSE_ACCEPT)
		path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(d));
	uintptr_t h = w->dialog_handle;
	w->dialog = NULL;
	w->dialog_handle = 0;
	gtk_widget_destroy(GTK_WIDGET(d));
	// The focus goes back to the window the dialog was for, as a window
	// manager gives it back to a dialog's parent.
	gtk_window_present(GTK_WINDOW(w->window));
	goPicked(h, path);
	g_free(path);
}

// wv_dialog_show shows w's new dialog; goPicked gets the picked path (NULL
// when cancelled) when the user answers.
void wv_dialog_show(wv_window *w, uintptr_t h) {
	w->dialog_handle = h;
	g_signal_connect(w->dialog, "response", G_CALLBACK(on_dialog_response), w);
	gtk_widget_show(w->dialog);
	gtk_window_present(GTK_WINDOW(w->dialog));
}

// wv_dialog_close closes w's dialog, if any, without an answer (the window
// is going away).
void wv_dialog_close(wv_window *w) {
	if (!w->dialog)
		return;
	g_signal_handlers_disconnect_by_data(w->dialog, w);
	gtk_widget_destroy(w->dialog);
	w->dialog = NULL;
	if (w->dialog_handle)
		goFreeHandle(w->dialog_handle);
	w->dialog_handle = 0;
}
